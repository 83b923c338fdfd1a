package io.kloop.monitor.performance;

import io.kloop.events.ConfusionMatrix;
import io.kloop.events.MetricEstimate;
import io.kloop.events.RealizedPerformance;
import io.kloop.model.ClassificationMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The figures of a window of labelled predictions, each with its 95 % interval: accuracy (Wilson score), macro F1
 * and the expected calibration error (percentile bootstrap over the window's predictions, seeded), log loss and the
 * Brier score (mean of the per-prediction terms, Student's t). Accuracy and the confusion matrix count the served
 * class; log loss, Brier score and calibration error are {@code ClassificationMetrics}' (the calibration error
 * takes the most probable class's probability as the confidence), so they compare with the test split's.
 */
final class RealizedMetrics {

  /** Probabilities are clipped to this before the logarithm, as the test split's log loss (scikit-learn's) is. */
  static final double EPSILON = 1e-15;

  private final int resamples;

  /** @param resamples bootstrap resamples per interval */
  RealizedMetrics(int resamples) {
    this.resamples = resamples;
  }

  /** @param seed the bootstrap's seed: the same window and seed give the same intervals */
  RealizedPerformance measure(WindowData window, long seed) {
    int[] truth = window.truth();
    if (truth == null || window.size() == 0) {
      throw new IllegalArgumentException("realized figures need labelled predictions");
    }
    int n = window.size();
    int k = window.classes().size();
    int[] predicted = window.predicted();
    double[][] probabilities = window.probabilities();
    long[][] confusion = new long[k][k];
    long correct = 0;
    double[] logLoss = new double[n];
    double[] brier = new double[n];
    for (int i = 0; i < n; i++) {
      confusion[truth[i]][predicted[i]]++;
      correct += truth[i] == predicted[i] ? 1 : 0;
      logLoss[i] = -Math.log(Math.min(1, Math.max(EPSILON, probabilities[i][truth[i]])));
      brier[i] = ClassificationMetrics.squaredError(truth[i], probabilities[i]);
    }
    double macroF1 = MacroF1.of(toDouble(confusion));
    double ece = ClassificationMetrics.expectedCalibrationError(truth, probabilities);
    MetricEstimate[] bootstrapped = bootstrap(window, macroF1, ece, seed);
    return RealizedPerformance.newBuilder()
        .setLabelled(n)
        .setAccuracy(Intervals.wilson(correct, n))
        .setMacroF1(bootstrapped[0])
        .setLogLoss(Intervals.mean(logLoss))
        .setBrierScore(Intervals.mean(brier))
        .setExpectedCalibrationError(bootstrapped[1])
        .setConfusionMatrix(confusionMatrix(window.classes(), confusion))
        .build();
  }

  /** Macro F1 and the calibration error of {@link #resamples} resamples with replacement of the window's predictions. */
  private MetricEstimate[] bootstrap(WindowData window, double macroF1, double ece, long seed) {
    int n = window.size();
    int k = window.classes().size();
    int[] truth = window.truth();
    int[] predicted = window.predicted();
    // Per prediction, what the calibration error needs: its confidence bin, confidence and whether the most probable class was right.
    int[] bin = new int[n];
    double[] confidence = new double[n];
    boolean[] right = new boolean[n];
    for (int i = 0; i < n; i++) {
      int top = ClassificationMetrics.argMax(window.probabilities()[i]);
      confidence[i] = window.probabilities()[i][top];
      bin[i] = ClassificationMetrics.calibrationBin(confidence[i]);
      right[i] = top == truth[i];
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] f1s = new double[resamples];
    double[] eces = new double[resamples];
    double[][] confusion = new double[k][k];
    double[] gap = new double[ClassificationMetrics.CALIBRATION_BINS];
    for (int r = 0; r < resamples; r++) {
      for (double[] row : confusion) {
        Arrays.fill(row, 0);
      }
      Arrays.fill(gap, 0);
      for (int draw = 0; draw < n; draw++) {
        int i = random.nextInt(n);
        confusion[truth[i]][predicted[i]]++;
        gap[bin[i]] += (right[i] ? 1 : 0) - confidence[i];
      }
      f1s[r] = MacroF1.of(confusion);
      double sum = 0;
      for (double g : gap) {
        sum += Math.abs(g);
      }
      eces[r] = sum / n;
    }
    return new MetricEstimate[] {Intervals.bootstrap(macroF1, f1s), Intervals.bootstrap(ece, eces)};
  }

  static double[][] toDouble(long[][] counts) {
    double[][] out = new double[counts.length][];
    for (int i = 0; i < counts.length; i++) {
      out[i] = new double[counts[i].length];
      for (int j = 0; j < counts[i].length; j++) {
        out[i][j] = counts[i][j];
      }
    }
    return out;
  }

  private static ConfusionMatrix confusionMatrix(List<String> classes, long[][] confusion) {
    List<List<Long>> counts = new ArrayList<>();
    for (long[] row : confusion) {
      List<Long> cells = new ArrayList<>(row.length);
      for (long cell : row) {
        cells.add(cell);
      }
      counts.add(cells);
    }
    return ConfusionMatrix.newBuilder().setLabels(List.copyOf(classes)).setCounts(counts).build();
  }
}
