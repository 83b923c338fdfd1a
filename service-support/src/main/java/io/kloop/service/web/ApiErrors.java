package io.kloop.service.web;

import io.kloop.service.json.JsonMessages;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/**
 * One error shape for every service's HTTP API, the Open Inference Protocol's: a 4xx status and
 * {@code {"error": "message"}}. Client mistakes (unreadable body, unknown keys, too large, unknown resource)
 * never turn into a 500; handlers add detail fields where they have them.
 *
 * <p>Answers are bounded whatever the request: a message is at most {@value #MAX_MESSAGE_CHARS} characters
 * and a list of problems at most {@value #MAX_LISTED} entries (then a count of the rest), so a client can
 * never make the platform answer with much more than it sent.
 *
 * <p>An exception no handler expected is a fault of the service, not of the request: a 500 with an error id
 * that the service's log line (with the stack trace) carries too, and nothing of the exception in the answer.
 */
@RestControllerAdvice
public class ApiErrors {

  private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

  /** The longest message an error answer carries; longer ones are cut, saying how much was left out. */
  public static final int MAX_MESSAGE_CHARS = 1_000;

  /** The most entries of a list of problems an error answer carries in full. */
  public static final int MAX_LISTED = 100;

  /** The body of an error answer. */
  public static Map<String, Object> error(String message) {
    return Map.of("error", ClientText.clip(message == null ? "(no detail)" : message, MAX_MESSAGE_CHARS));
  }

  /**
   * The body of an error answer with a list of problems: the first {@value #MAX_LISTED} in full (each clipped),
   * and {@code moreProblems}, the number left out, when there were more.
   */
  public static Map<String, Object> error(String message, String listName, List<String> problems) {
    Map<String, Object> body = new LinkedHashMap<>(error(message));
    List<String> listed = problems.stream().limit(MAX_LISTED).map(problem -> ClientText.clip(problem, MAX_MESSAGE_CHARS)).toList();
    body.put(listName, listed);
    if (problems.size() > listed.size()) {
      body.put("more" + Character.toUpperCase(listName.charAt(0)) + listName.substring(1), problems.size() - listed.size());
    }
    return body;
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
    String detail = cause == null || cause == e ? e.getReason() : describe(cause);
    // A bad query parameter, header or path variable is named; a bad body has no parameter name worth showing.
    MethodParameter parameter = e.getMethodParameter();
    boolean named = parameter != null && parameter.getParameterName() != null && !parameter.hasParameterAnnotation(RequestBody.class);
    return ResponseEntity.badRequest().body(error(unreadableMessage(named ? parameter.getParameterName() : null, detail)));
  }

  @ExceptionHandler(ResponseStatusException.class)
  ResponseEntity<Map<String, Object>> status(ResponseStatusException e) {
    return statusAnswer(e);
  }

  /** A fault of the service: logged with its stack trace under an id that the answer gives, nothing else of it. */
  @ExceptionHandler(Exception.class)
  ResponseEntity<Map<String, Object>> unexpected(Exception e) {
    String id = UUID.randomUUID().toString();
    LOG.error("Unexpected error answering a request (error id {})", id, e);
    return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
        .body(error("internal error; the service's log has the details under error id " + id));
  }

  /** 413 for a body over the codecs' limit, for handlers outside the annotated controllers too. */
  public static ResponseEntity<Map<String, Object>> tooLargeAnswer(DataBufferLimitException e) {
    return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(error("request body too large: " + e.getMessage()));
  }

  /** The exception's status, its headers (e.g. {@code Allow} with a 405) and its reason. */
  public static ResponseEntity<Map<String, Object>> statusAnswer(ResponseStatusException e) {
    HttpStatusCode status = e.getStatusCode();
    String reason = e.getReason();
    if (e instanceof UnsupportedMediaTypeStatusException unsupported) {
      // Spring's own reason names the handler's Java type; the caller needs the types it may send.
      List<MediaType> supported = unsupported.getSupportedMediaTypes().stream().filter(type -> !type.isWildcardType()).toList();
      // Without a content type, Spring could not parse the Content-Type header: its reason says why.
      reason = (unsupported.getContentType() == null
          ? "the Content-Type header is not a media type" + (reason == null ? "" : " (" + ClientText.echo(firstLine(reason), 200) + ")")
          : "content type '" + unsupported.getContentType() + "' is not supported") + (supported.isEmpty() ? "" : "; send " + supported.stream().map(MediaType::toString)
          .distinct().limit(5).collect(java.util.stream.Collectors.joining(" or ")));
    }
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

  /** A reading error for people: see {@link JsonMessages#describe}. */
  public static String describe(Throwable cause) {
    return JsonMessages.describe(cause);
  }

  static String simpleTypeNames(String message) {
    return JsonMessages.simpleTypeNames(message);
  }

  /** The first line of a message (a parser's message can go on with the input it choked on). */
  public static String firstLine(String text) {
    return JsonMessages.firstLine(text);
  }
}
