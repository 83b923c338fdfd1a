package io.kloop.training.spec;

import java.util.List;

/** A model spec that cannot be declared, with every problem found. */
public class InvalidModelSpecException extends RuntimeException {

  private final List<String> problems;

  public InvalidModelSpecException(List<String> problems) {
    super("invalid model spec: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
