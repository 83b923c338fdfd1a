package io.kloop.service.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %msg} with control characters escaped ({@link LogSafe}): registered for the conversion
 * words {@code m}, {@code msg} and {@code message} in every log configuration the platform ships.
 */
public class SafeMessageConverter extends MessageConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return LogSafe.escape(super.convert(event));
  }
}
