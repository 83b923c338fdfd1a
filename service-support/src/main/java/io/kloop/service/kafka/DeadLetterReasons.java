package io.kloop.service.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.support.converter.ConversionException;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.kafka.support.serializer.DeserializationException;

/** Turns the exception behind a dead-lettered record into the one-line reason operators read first. */
final class DeadLetterReasons {

  private DeadLetterReasons() {}

  static Headers headers(ConsumerRecord<?, ?> record, Exception exception) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(KafkaPlatformAutoConfiguration.REASON_HEADER, describe(record, exception).getBytes(StandardCharsets.UTF_8));
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

  private static String describe(ConsumerRecord<?, ?> record, Exception exception) {
    String reason = reason(exception);
    Object value = record.value();
    if (value != null && !(value instanceof byte[]) && isConversionFailure(exception)) {
      reason += " (the record holds a " + value.getClass().getSimpleName() + ", which the listener does not take)";
    }
    return reason;
  }

  private static boolean isConversionFailure(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof MessageConversionException || t instanceof ConversionException) {
        return true;
      }
    }
    return false;
  }
}
