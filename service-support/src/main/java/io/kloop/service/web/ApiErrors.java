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
    return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(error("request body too large: " + e.getMessage()));
  }

  @ExceptionHandler(ServerWebInputException.class)
  ResponseEntity<Map<String, Object>> unreadable(ServerWebInputException e) {
    Throwable cause = e.getMostSpecificCause();
    if (cause instanceof DataBufferLimitException tooLarge) {
      return tooLarge(tooLarge);
    }
    String detail = cause == null || cause == e ? e.getReason() : cause.getMessage();
    // A bad query parameter, header or path variable is named; a bad body has no parameter name worth showing.
    MethodParameter parameter = e.getMethodParameter();
    String where = parameter == null || parameter.getParameterName() == null || parameter.hasParameterAnnotation(RequestBody.class) ? "" : " (" + parameter.getParameterName() + ")";
    return ResponseEntity.badRequest().body(error("unreadable request" + where + ": " + firstLine(detail)));
  }

  @ExceptionHandler(ResponseStatusException.class)
  ResponseEntity<Map<String, Object>> status(ResponseStatusException e) {
    HttpStatusCode status = e.getStatusCode();
    String reason = e.getReason();
    if (reason == null) {
      reason = status.value() == HttpStatus.CONTENT_TOO_LARGE.value() ? "request body too large" : status.toString();
    }
    return ResponseEntity.status(status).body(error(reason));
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
