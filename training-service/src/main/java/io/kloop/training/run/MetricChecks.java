package io.kloop.training.run;

import io.kloop.events.EvaluationMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a model's metrics are all numbers the registry's promotion policy can judge: every figure finite,
 * log loss, Brier score and expected calibration error present, and ROC-AUC present for a binary model (it is defined for two classes only). A model
 * whose metrics are not is never announced as trained.
 */
final class MetricChecks {

  private MetricChecks() {}

  /** What is undefined in the metrics of a model over {@code classes} classes; empty when all are defined. */
  static List<String> undefined(EvaluationMetrics metrics, int classes) {
    List<String> problems = new ArrayList<>();
    finite("accuracy", metrics.getAccuracy(), problems);
    finite("macroPrecision", metrics.getMacroPrecision(), problems);
    finite("macroRecall", metrics.getMacroRecall(), problems);
    finite("macroF1", metrics.getMacroF1(), problems);
    if (metrics.getLogLoss() == null) {
      problems.add("logLoss is missing");
    } else {
      finite("logLoss", metrics.getLogLoss(), problems);
    }
    required("brierScore", metrics.getBrierScore(), problems);
    required("expectedCalibrationError", metrics.getExpectedCalibrationError(), problems);
    if (classes == 2 && metrics.getRocAuc() == null) {
      problems.add("rocAuc is missing (the split holds one class only)");
    } else if (metrics.getRocAuc() != null) {
      finite("rocAuc", metrics.getRocAuc(), problems);
    }
    return problems;
  }

  /** Whether every probability is a finite number. */
  static boolean finite(double[][] probabilities) {
    for (double[] row : probabilities) {
      for (double p : row) {
        if (!Double.isFinite(p)) {
          return false;
        }
      }
    }
    return true;
  }

  private static void required(String name, Double value, List<String> problems) {
    if (value == null) {
      problems.add(name + " is missing");
    } else {
      finite(name, value, problems);
    }
  }

  private static void finite(String name, double value, List<String> problems) {
    if (!Double.isFinite(value)) {
      problems.add(name + " is " + value);
    }
  }
}
