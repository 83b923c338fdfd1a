package io.kloop.training.imports;

/**
 * An import the platform refuses for a reason of the request or of the file: answered with 400 and the reason (the
 * run's id too once a run was recorded).
 */
public class ImportRefusedException extends RuntimeException {

  public ImportRefusedException(String reason) {
    super(reason);
  }
}
