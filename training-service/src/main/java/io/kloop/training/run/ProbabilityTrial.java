package io.kloop.training.run;

import java.util.Optional;

/**
 * Whether a model's outputs on a few rows are probabilities: every value a number in [0, 1] and every row summing to 1
 * within {@value #SUM_TOLERANCE}. Scores (logits, decision functions, regression outputs) are not, and nothing the
 * platform computes from probabilities (log loss, calibration, CBPE) would mean anything on them.
 */
final class ProbabilityTrial {

  /** How far a row's sum may be from 1 (float rounding, a softmax in 32 bits). */
  static final double SUM_TOLERANCE = 1e-3;
  /** How far a value may lie outside [0, 1] by rounding. */
  static final double RANGE_TOLERANCE = 1e-6;

  private ProbabilityTrial() {}

  /** Why the rows are not probabilities, naming the first row that shows it; empty when they are. */
  static Optional<String> problem(double[][] rows) {
    for (int i = 0; i < rows.length; i++) {
      double sum = 0;
      for (int c = 0; c < rows[i].length; c++) {
        double p = rows[i][c];
        if (!Double.isFinite(p)) {
          return Optional.of(reason("row " + i + " holds " + p));
        }
        if (p < -RANGE_TOLERANCE || p > 1 + RANGE_TOLERANCE) {
          return Optional.of(reason("row " + i + " holds " + p + ", outside [0, 1]"));
        }
        sum += p;
      }
      if (Math.abs(sum - 1) > SUM_TOLERANCE) {
        return Optional.of(reason("row " + i + " sums to " + sum + ", not 1"));
      }
    }
    return Optional.empty();
  }

  private static String reason(String evidence) {
    return "the model outputs scores, not probabilities: " + evidence + " (its output must be each class's probability, in [0, 1], "
        + "each row summing to 1 within " + SUM_TOLERANCE + ": a softmax, or scikit-learn's predict_proba)";
  }
}
