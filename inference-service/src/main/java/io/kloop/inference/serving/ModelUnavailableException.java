package io.kloop.inference.serving;

/** The model is approved but no version of it could be loaded. Answered with 503. */
public class ModelUnavailableException extends RuntimeException {

  public ModelUnavailableException(String message) {
    super(message);
  }
}
