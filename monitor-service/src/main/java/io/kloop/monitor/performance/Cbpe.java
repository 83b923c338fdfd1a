package io.kloop.monitor.performance;

import io.kloop.events.Calibration;
import io.kloop.events.EstimatedPerformance;
import io.kloop.model.IsotonicCalibration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Confidence-based performance estimation (CBPE, as NannyML documents it): a window's expected accuracy and macro
 * F1 from the version's calibrated probabilities, without labels.
 *
 * <p>Each prediction's probabilities go through the version's isotonic calibration (fitted on its test split,
 * {@link IsotonicCalibration#apply}). With calibrated probabilities p, the served class is right with probability
 * p(served class): the expected accuracy is their mean, and row t of the expected confusion matrix gets p(t) in
 * the served class's column; macro F1 is computed on that matrix as on counts (one class against the rest:
 * expected TP, FP and FN, NannyML's method). Intervals are the sampling spread of the realized figure if the
 * calibrated probabilities are right: for accuracy a normal interval with standard error sqrt(sum p(1 - p)) / n,
 * for macro F1 a parametric bootstrap drawing each prediction's true class from its calibrated probabilities
 * (seeded).
 *
 * <p>Assumptions: the calibration still holds, that is the relation between inputs and labels has not changed
 * since the test split. CBPE cannot see concept drift (same inputs, new answers); realized figures can.
 */
final class Cbpe {

  private final int resamples;

  /** @param resamples parametric bootstrap resamples of the macro F1 interval */
  Cbpe(int resamples) {
    this.resamples = resamples;
  }

  /**
   * @param calibration the version's calibration, one map per class in signature order
   * @param seed the bootstrap's seed
   */
  EstimatedPerformance estimate(Calibration calibration, WindowData window, long seed) {
    int n = window.size();
    int k = window.classes().size();
    if (n == 0) {
      throw new IllegalArgumentException("an estimate needs predictions");
    }
    double[][] calibrated = new double[n][];
    double[][] expected = new double[k][k];
    double accuracy = 0;
    double variance = 0;
    for (int i = 0; i < n; i++) {
      calibrated[i] = IsotonicCalibration.apply(calibration, window.probabilities()[i]);
      int served = window.predicted()[i];
      double right = calibrated[i][served];
      accuracy += right;
      variance += right * (1 - right);
      for (int t = 0; t < k; t++) {
        expected[t][served] += calibrated[i][t];
      }
    }
    double macroF1 = MacroF1.of(expected);
    return EstimatedPerformance.newBuilder()
        .setPredictions(n)
        .setAccuracy(Intervals.normalShare(accuracy / n, Math.sqrt(variance) / n))
        .setMacroF1(Intervals.bootstrap(macroF1, simulatedF1(calibrated, window.predicted(), k, seed)))
        .build();
  }

  /** Macro F1 of {@link #resamples} draws of the window's true classes from the calibrated probabilities. */
  private double[] simulatedF1(double[][] calibrated, int[] served, int k, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] f1s = new double[resamples];
    double[][] confusion = new double[k][k];
    for (int r = 0; r < resamples; r++) {
      for (double[] row : confusion) {
        Arrays.fill(row, 0);
      }
      for (int i = 0; i < calibrated.length; i++) {
        confusion[draw(calibrated[i], random.nextDouble())][served[i]]++;
      }
      f1s[r] = MacroF1.of(confusion);
    }
    return f1s;
  }

  /** The class a uniform draw u falls on, classes taking their probability's share of [0, 1) in order. */
  static int draw(double[] probabilities, double u) {
    double cumulative = 0;
    for (int c = 0; c < probabilities.length - 1; c++) {
      cumulative += probabilities[c];
      if (u < cumulative) {
        return c;
      }
    }
    return probabilities.length - 1;
  }
}
