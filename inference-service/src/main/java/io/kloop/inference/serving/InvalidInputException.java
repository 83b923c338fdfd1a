package io.kloop.inference.serving;

/** A client sent input the model cannot take; the message names the field. Answered with 400. */
public class InvalidInputException extends RuntimeException {

  public InvalidInputException(String message) {
    super(message);
  }

  /** The same mistake, located: {@code where: message}. */
  public InvalidInputException at(String where) {
    return new InvalidInputException(where + ": " + getMessage());
  }
}
