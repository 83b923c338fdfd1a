package io.kloop.training.run;

/** Why a run ends without a model, and in which phase: becomes a {@code TrainingFailed} event. */
final class TrainingFailure extends RuntimeException {

  private final String phase;

  TrainingFailure(String phase, String reason) {
    super(reason);
    this.phase = phase;
  }

  TrainingFailure(String phase, String reason, Throwable cause) {
    super(reason, cause);
    this.phase = phase;
  }

  String phase() {
    return phase;
  }
}
