package io.kloop.training.api;

import java.util.List;

/** A request the API refuses with 400, listing every problem found. */
class InvalidRequestException extends RuntimeException {

  private final List<String> problems;

  InvalidRequestException(String message, List<String> problems) {
    super(message);
    this.problems = List.copyOf(problems);
  }

  List<String> problems() {
    return problems;
  }
}
