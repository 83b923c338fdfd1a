package io.kloop.inference.serving;

/** The request names a model (or version) this instance does not serve. Answered with 404. */
public class UnknownModelException extends RuntimeException {

  public UnknownModelException(String message) {
    super(message);
  }
}
