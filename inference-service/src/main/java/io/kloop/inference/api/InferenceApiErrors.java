package io.kloop.inference.api;

import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.ModelFailureException;
import io.kloop.inference.serving.ModelUnavailableException;
import io.kloop.inference.serving.UnknownModelException;
import io.kloop.service.web.ApiErrors;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * The Open Inference Protocol's error shape for the serving errors: 400, 404, 500 (a served model that
 * does not answer as its signature says) and 503 with {@code {"error": "..."}}, for the annotated controllers and (through {@link #response}) the functional
 * endpoints.
 */
@RestControllerAdvice
class InferenceApiErrors {

  private static final Logger LOG = LoggerFactory.getLogger(InferenceApiErrors.class);

  /**
   * The answer of a functional endpoint to an error: the same statuses and messages as the annotated
   * controllers get from this class and {@link ApiErrors}; anything else is not a client's mistake and goes
   * on to the server's error handling.
   */
  static Mono<ServerResponse> response(Throwable e, ServerRequest request) {
    InferenceApiErrors errors = new InferenceApiErrors();
    DataBufferLimitException tooLarge = tooLarge(e);
    ResponseEntity<Map<String, Object>> answer;
    if (e instanceof InvalidInputException invalid) {
      answer = errors.invalid(invalid);
    } else if (e instanceof UnknownModelException unknown) {
      answer = errors.unknown(unknown);
    } else if (e instanceof ModelUnavailableException unavailable) {
      answer = errors.unavailable(unavailable);
    } else if (e instanceof ModelFailureException failure) {
      answer = errors.failed(failure);
    } else if (e instanceof UnreadableRequestException unreadable) {
      answer = ResponseEntity.badRequest().body(ApiErrors.error(unreadable.getMessage()));
    } else if (tooLarge != null) {
      answer = ApiErrors.tooLargeAnswer(tooLarge);
    } else if (e instanceof ResponseStatusException status && status.getStatusCode().is4xxClientError()) {
      // 405 (with Allow) and 415 from the routes themselves.
      answer = ApiErrors.statusAnswer(status);
    } else {
      return Mono.error(e);
    }
    return ServerResponse.status(answer.getStatusCode()).headers(headers -> headers.addAll(answer.getHeaders()))
        .contentType(MediaType.APPLICATION_JSON).bodyValue(answer.getBody());
  }

  private static DataBufferLimitException tooLarge(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof DataBufferLimitException tooLarge) {
        return tooLarge;
      }
    }
    return null;
  }

  @ExceptionHandler(InvalidInputException.class)
  ResponseEntity<Map<String, Object>> invalid(InvalidInputException e) {
    return ResponseEntity.badRequest().body(ApiErrors.error(e.getMessage()));
  }

  @ExceptionHandler(UnknownModelException.class)
  ResponseEntity<Map<String, Object>> unknown(UnknownModelException e) {
    return ResponseEntity.status(HttpStatus.NOT_FOUND).body(ApiErrors.error(e.getMessage()));
  }

  @ExceptionHandler(ModelUnavailableException.class)
  ResponseEntity<Map<String, Object>> unavailable(ModelUnavailableException e) {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5").body(ApiErrors.error(e.getMessage()));
  }

  /** A model that misbehaves: 500 with the reason (no stack trace), logged with its cause. */
  @ExceptionHandler(ModelFailureException.class)
  ResponseEntity<Map<String, Object>> failed(ModelFailureException e) {
    LOG.warn("{}", e.getMessage(), e);
    return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(ApiErrors.error(e.getMessage()));
  }
}
