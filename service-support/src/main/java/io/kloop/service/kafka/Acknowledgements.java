package io.kloop.service.kafka;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for Kafka to acknowledge a send, for the few places that must not go on before it is stored. */
public final class Acknowledgements {

  /** How long a send may take before the caller is told it failed. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Acknowledgements() {}

  /**
   * Waits for the send's acknowledgement.
   *
   * @param what what the send does, for the message, e.g. {@code store the spec of model m}
   * @throws KafkaUnavailableException when the send fails, times out or the thread is interrupted
   */
  public static <T> T await(CompletableFuture<T> send, String what) {
    try {
      return send.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while waiting to " + what, e);
    } catch (ExecutionException e) {
      throw new KafkaUnavailableException("could not " + what + " in Kafka: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaUnavailableException("could not " + what + " in Kafka within " + TIMEOUT.toSeconds() + " s", e);
    }
  }

  /** Kafka did not take what had to be stored. */
  public static final class KafkaUnavailableException extends IllegalStateException {
    public KafkaUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
