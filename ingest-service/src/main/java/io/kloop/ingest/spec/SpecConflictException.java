package io.kloop.ingest.spec;

import java.util.List;

/** A declaration that conflicts with the current version: incompatible without saying so, or a wrong version. */
public class SpecConflictException extends RuntimeException {

  private final List<String> incompatibilities;

  SpecConflictException(String message, List<String> incompatibilities) {
    super(message);
    this.incompatibilities = List.copyOf(incompatibilities);
  }

  public List<String> incompatibilities() {
    return incompatibilities;
  }
}
