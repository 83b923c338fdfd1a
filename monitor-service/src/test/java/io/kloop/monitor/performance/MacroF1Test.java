package io.kloop.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.EvaluationMetrics;
import io.kloop.model.ClassificationMetrics;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Macro F1 from a confusion matrix, against hand computation and against the test split's own code. */
class MacroF1Test {

  @Test
  void shouldAverageEachClassesF1() {
    // a: TP 1, predicted 2, actual 2 -> F1 0.5; b: TP 1, predicted 2, actual 1 -> 2/3; c: TP 1, predicted 1, actual 2 -> 2/3.
    double[][] confusion = {{1, 1, 0}, {0, 1, 0}, {1, 0, 1}};
    assertThat(MacroF1.of(confusion)).isCloseTo((0.5 + 2 / 3.0 + 2 / 3.0) / 3, within(1e-15));
  }

  @Test
  void shouldLeaveOutAClassNeitherPresentNorPredictedAndCountOneNeverPredicted() {
    assertThat(MacroF1.of(new double[][] {{3, 0, 0}, {0, 0, 0}, {0, 0, 1}})).as("b absent").isEqualTo(1.0);
    // b present (1 row) never predicted: F1 0; a: TP 3 predicted 4 actual 3 -> 6/7.
    assertThat(MacroF1.of(new double[][] {{3, 0}, {1, 0}})).isCloseTo((6 / 7.0 + 0) / 2, within(1e-15));
  }

  @Test
  void shouldAgreeWithTheTestSplitsMacroF1() {
    Random random = new Random(5);
    for (int round = 0; round < 50; round++) {
      int k = 2 + random.nextInt(3);
      int n = 1 + random.nextInt(60);
      int[] truth = new int[n];
      double[][] probabilities = new double[n][k];
      double[][] confusion = new double[k][k];
      for (int i = 0; i < n; i++) {
        truth[i] = random.nextInt(k);
        for (int c = 0; c < k; c++) {
          probabilities[i][c] = random.nextDouble();
        }
        confusion[truth[i]][ClassificationMetrics.argMax(probabilities[i])]++;
      }
      List<String> classes = List.of("a", "b", "c", "d").subList(0, k);
      EvaluationMetrics metrics = ClassificationMetrics.evaluate("test", classes, truth, probabilities);
      assertThat(MacroF1.of(confusion)).isCloseTo(metrics.getMacroF1(), within(1e-12));
    }
  }
}
