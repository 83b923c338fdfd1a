package io.kloop.service.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.support.serializer.DeserializationException;

/** Turns the exception behind a dead-lettered record into the one-line reason operators read first. */
final class DeadLetterReasons {

  private DeadLetterReasons() {}

  static Headers headers(ConsumerRecord<?, ?> record, Exception exception) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(KafkaPlatformAutoConfiguration.REASON_HEADER, reason(exception).getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  static String reason(Throwable exception) {
    Throwable cause = exception;
    // Unwrap the container's wrappers down to what the deserializer or handler actually threw.
    while ((cause instanceof ListenerExecutionFailedException || cause instanceof DeserializationException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + ": " + (message == null ? "(no message)" : message);
  }
}
