package io.kloop.registry.state;

/** The registry's state cannot be read right now: it is being restored from Kafka, or the topology is not running. */
public class RegistryUnavailableException extends RuntimeException {

  RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
