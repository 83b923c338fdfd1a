package io.kloop.ingest.intake;

/** A request body that holds no records at all in the format it claims. */
class UnreadableBodyException extends RuntimeException {

  UnreadableBodyException(String message) {
    super(message);
  }
}
