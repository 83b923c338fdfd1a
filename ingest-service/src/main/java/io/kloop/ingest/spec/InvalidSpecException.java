package io.kloop.ingest.spec;

import java.util.List;

/** A declared spec that cannot be a dataset's contract, with every problem found. */
public class InvalidSpecException extends RuntimeException {

  private final List<String> problems;

  InvalidSpecException(List<String> problems) {
    super("invalid dataset spec: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
