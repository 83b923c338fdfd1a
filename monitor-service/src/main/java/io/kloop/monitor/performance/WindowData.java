package io.kloop.monitor.performance;

import java.util.List;

/**
 * The predictions of a closed window, by class index in the version's signature order.
 *
 * @param classes the version's output classes
 * @param truth each prediction's true class, or null in a window of served predictions
 * @param predicted each prediction's served class
 * @param probabilities each prediction's probabilities, as served
 */
record WindowData(List<String> classes, int[] truth, int[] predicted, double[][] probabilities) {

  WindowData {
    classes = List.copyOf(classes);
    if (predicted.length != probabilities.length || truth != null && truth.length != predicted.length) {
      throw new IllegalArgumentException("a window needs one class and one probability row per prediction");
    }
  }

  int size() {
    return predicted.length;
  }
}
