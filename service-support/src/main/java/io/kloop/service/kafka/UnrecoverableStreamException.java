package io.kloop.service.kafka;

/**
 * Thrown by a Kafka Streams processor when trying again cannot help (input that is gone for good, say):
 * {@link FailedStreamThreads} then shuts the client down at once instead of replacing the thread.
 */
public class UnrecoverableStreamException extends IllegalStateException {

  public UnrecoverableStreamException(String message) {
    super(message);
  }
}
