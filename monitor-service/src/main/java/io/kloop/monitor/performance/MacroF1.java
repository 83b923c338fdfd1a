package io.kloop.monitor.performance;

/**
 * Macro F1 from a confusion matrix of counts or of expected counts (CBPE), as {@code ClassificationMetrics} computes
 * it on the test split: F1 of each class one against the rest, averaged with equal weight over the classes present
 * or predicted (a class neither is left out, as scikit-learn averages).
 */
final class MacroF1 {

  private MacroF1() {}

  /** @param confusion true class (row) against predicted class (column) */
  static double of(double[][] confusion) {
    int k = confusion.length;
    double sum = 0;
    int counted = 0;
    for (int c = 0; c < k; c++) {
      double predicted = 0;
      double actual = 0;
      for (int other = 0; other < k; other++) {
        predicted += confusion[other][c];
        actual += confusion[c][other];
      }
      if (predicted + actual == 0) {
        continue;
      }
      counted++;
      double precision = predicted == 0 ? 0 : confusion[c][c] / predicted;
      double recall = actual == 0 ? 0 : confusion[c][c] / actual;
      sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }
    return counted == 0 ? 0 : sum / counted;
  }
}
