package io.kloop.inference.api;

import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.ModelUnavailableException;
import io.kloop.inference.serving.UnknownModelException;
import io.kloop.service.web.ApiErrors;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The Open Inference Protocol's error shape for the serving errors: 400, 404 and 503 with {@code {"error": "..."}}. */
@RestControllerAdvice
class InferenceApiErrors {

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
}
