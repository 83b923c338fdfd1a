package io.kloop.schemas;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes on a topic that cannot be turned into an event: not single-object encoded, a schema fingerprint
 * no released schema has, a different event than the topic carries, or a corrupt body. Never worth a
 * retry: the same bytes fail the same way, so error handlers send the record to a dead-letter topic.
 */
public class EventDecodingException extends SerializationException {

  public EventDecodingException(String message) {
    super(message);
  }

  public EventDecodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
