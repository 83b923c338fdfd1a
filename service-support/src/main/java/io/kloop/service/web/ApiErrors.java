package io.kloop.service.web;

import java.util.Map;
import org.springframework.core.MethodParameter;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;

/**
 * One error shape for every service's HTTP API, the Open Inference Protocol's: a 4xx status and
 * {@code {"error": "message"}}. Client mistakes (unreadable body, too large, unknown resource) never turn
 * into a 500; handlers add detail fields where they have them.
 */
@RestControllerAdvice
public class ApiErrors {

  /** The body of an error answer. */
  public static Map<String, Object> error(String message) {
    return Map.of("error", message);
  }

  @ExceptionHandler(DataBufferLimitException.class)
  ResponseEntity<Map<String, Object>> tooLarge(DataBufferLimitException e) {
    return tooLargeAnswer(e);
  }

  @ExceptionHandler(ServerWebInputException.class)
  ResponseEntity<Map<String, Object>> unreadable(ServerWebInputException e) {
    Throwable cause = e.getMostSpecificCause();
    if (cause instanceof DataBufferLimitException tooLarge) {
      return tooLargeAnswer(tooLarge);
    }
    String detail = cause == null || cause == e ? e.getReason() : cause.getMessage();
    // A bad query parameter, header or path variable is named; a bad body has no parameter name worth showing.
    MethodParameter parameter = e.getMethodParameter();
    boolean named = parameter != null && parameter.getParameterName() != null && !parameter.hasParameterAnnotation(RequestBody.class);
    return ResponseEntity.badRequest().body(error(unreadableMessage(named ? parameter.getParameterName() : null, detail)));
  }

  @ExceptionHandler(ResponseStatusException.class)
  ResponseEntity<Map<String, Object>> status(ResponseStatusException e) {
    return statusAnswer(e);
  }

  /** 413 for a body over the codecs' limit, for handlers outside the annotated controllers too. */
  public static ResponseEntity<Map<String, Object>> tooLargeAnswer(DataBufferLimitException e) {
    return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(error("request body too large: " + e.getMessage()));
  }

  /** The exception's status, its headers (e.g. {@code Allow} with a 405) and its reason. */
  public static ResponseEntity<Map<String, Object>> statusAnswer(ResponseStatusException e) {
    HttpStatusCode status = e.getStatusCode();
    String reason = e.getReason();
    if (reason == null) {
      reason = status.value() == HttpStatus.CONTENT_TOO_LARGE.value() ? "request body too large" : status.toString();
    }
    return ResponseEntity.status(status).headers(e.getHeaders()).body(error(reason));
  }

  /**
   * The message of a 400 for a request that cannot be read: {@code unreadable request (parameter): detail},
   * without the parameter for the body, and with only the detail's first line.
   */
  public static String unreadableMessage(String parameter, String detail) {
    return "unreadable request" + (parameter == null ? "" : " (" + parameter + ")") + ": " + firstLine(detail);
  }

  /** The first line of a message (a parser's message can go on with the input it choked on). */
  public static String firstLine(String text) {
    if (text == null) {
      return "(no detail)";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
