package io.kloop.model;

import io.kloop.events.ConfusionMatrix;
import io.kloop.events.EvaluationMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Classification metrics from class probabilities, computed the same way for every model (a candidate
 * trained by Tribuo, a champion run by ONNX Runtime), so that two models scored on one split compare
 * like with like.
 */
public final class ClassificationMetrics {

  /** Probabilities are clipped to this before the logarithm, as scikit-learn's log_loss does. */
  static final double EPSILON = 1e-15;
  /** Equal-width confidence bins of the expected calibration error. */
  public static final int CALIBRATION_BINS = 10;

  private ClassificationMetrics() {}

  /**
   * @param split the split's name, e.g. test
   * @param classes class labels, in the probability columns' order
   * @param truth index into {@code classes} of each row's true class
   * @param probabilities per row, one probability per class
   */
  public static EvaluationMetrics evaluate(String split, List<String> classes, int[] truth, double[][] probabilities) {
    int n = truth.length;
    int k = classes.size();
    if (n == 0 || probabilities.length != n) {
      throw new IllegalArgumentException("need one probability row per true class, and at least one row; got "
          + probabilities.length + " and " + n);
    }
    long[][] confusion = new long[k][k];
    double logLoss = 0;
    for (int i = 0; i < n; i++) {
      int predicted = argMax(probabilities[i]);
      confusion[truth[i]][predicted]++;
      logLoss -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, probabilities[i][truth[i]])));
    }
    long correct = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    int present = 0;
    for (int c = 0; c < k; c++) {
      correct += confusion[c][c];
      final int cls = c;
      long predictedAsC = IntStream.range(0, k).mapToLong(t -> confusion[t][cls]).sum();
      long actuallyC = Arrays.stream(confusion[c]).sum();
      if (predictedAsC + actuallyC == 0) {
        continue; // a class neither present nor predicted does not count (as scikit-learn averages)
      }
      present++;
      double p = predictedAsC == 0 ? 0 : (double) confusion[c][c] / predictedAsC;
      double r = actuallyC == 0 ? 0 : (double) confusion[c][c] / actuallyC;
      precision += p;
      recall += r;
      f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
    List<List<Long>> counts = new ArrayList<>();
    for (long[] row : confusion) {
      counts.add(Arrays.stream(row).boxed().toList());
    }
    return EvaluationMetrics.newBuilder()
        .setSplit(split)
        .setRows(n)
        .setAccuracy((double) correct / n)
        .setMacroPrecision(precision / present)
        .setMacroRecall(recall / present)
        .setMacroF1(f1 / present)
        .setRocAuc(k == 2 ? rocAuc(truth, probabilities) : null)
        .setLogLoss(logLoss / n)
        .setBrierScore(brierScore(truth, probabilities))
        .setExpectedCalibrationError(expectedCalibrationError(truth, probabilities))
        .setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(List.copyOf(classes)).setCounts(counts).build())
        .build();
  }

  /** The multi-class Brier score: the mean over rows of the squared distance between the probabilities and the one-hot true class. */
  public static double brierScore(int[] truth, double[][] probabilities) {
    double sum = 0;
    for (int i = 0; i < truth.length; i++) {
      sum += squaredError(truth[i], probabilities[i]);
    }
    return sum / truth.length;
  }

  /** One row's term of the Brier score. */
  public static double squaredError(int truth, double[] probabilities) {
    double sum = 0;
    for (int c = 0; c < probabilities.length; c++) {
      double error = probabilities[c] - (c == truth ? 1 : 0);
      sum += error * error;
    }
    return sum;
  }

  /**
   * Expected calibration error of the predicted class's probability (the confidence): rows in
   * {@value #CALIBRATION_BINS} equal-width confidence bins, the bins' gaps between accuracy and mean
   * confidence weighted by their share of rows. A confidence of exactly 1 falls in the last bin.
   */
  public static double expectedCalibrationError(int[] truth, double[][] probabilities) {
    long[] rows = new long[CALIBRATION_BINS];
    double[] confidence = new double[CALIBRATION_BINS];
    long[] correct = new long[CALIBRATION_BINS];
    for (int i = 0; i < truth.length; i++) {
      int predicted = argMax(probabilities[i]);
      int bin = calibrationBin(probabilities[i][predicted]);
      rows[bin]++;
      confidence[bin] += probabilities[i][predicted];
      correct[bin] += predicted == truth[i] ? 1 : 0;
    }
    double ece = 0;
    for (int b = 0; b < CALIBRATION_BINS; b++) {
      if (rows[b] > 0) {
        ece += Math.abs(correct[b] - confidence[b]) / truth.length;
      }
    }
    return ece;
  }

  /** The equal-width bin of a confidence in [0, 1]. */
  public static int calibrationBin(double confidence) {
    return Math.max(0, Math.min(CALIBRATION_BINS - 1, (int) (confidence * CALIBRATION_BINS)));
  }

  public static int argMax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Area under the ROC curve of the second class's probability, as the Mann-Whitney statistic with ties
   * counted half; null when the split holds only one class.
   */
  static Double rocAuc(int[] truth, double[][] probabilities) {
    Integer[] order = IntStream.range(0, truth.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> probabilities[i][1]));
    long positives = Arrays.stream(truth).filter(t -> t == 1).count();
    long negatives = truth.length - positives;
    if (positives == 0 || negatives == 0) {
      return null;
    }
    double rankSum = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && probabilities[order[j + 1]][1] == probabilities[order[i]][1]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1;
      for (int m = i; m <= j; m++) {
        if (truth[order[m]] == 1) {
          rankSum += averageRank;
        }
      }
      i = j + 1;
    }
    return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }
}
