package io.kloop.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.EvaluationMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

  @Test
  void shouldComputeTheFiguresOfAConfusionMatrix() {
    // truth: a a a b b ; predicted: a a b b a
    int[] truth = {0, 0, 0, 1, 1};
    double[][] probabilities = {{0.9, 0.1}, {0.8, 0.2}, {0.4, 0.6}, {0.3, 0.7}, {0.6, 0.4}};

    EvaluationMetrics metrics = ClassificationMetrics.evaluate("test", List.of("a", "b"), truth, probabilities);

    assertThat(metrics.getRows()).isEqualTo(5);
    assertThat(metrics.getAccuracy()).isEqualTo(0.6);
    assertThat(metrics.getConfusionMatrix().getCounts()).containsExactly(List.of(2L, 1L), List.of(1L, 1L));
    // precision a = 2/3, b = 1/2; recall a = 2/3, b = 1/2
    assertThat(metrics.getMacroPrecision()).isCloseTo((2.0 / 3 + 0.5) / 2, within(1e-12));
    assertThat(metrics.getMacroRecall()).isCloseTo((2.0 / 3 + 0.5) / 2, within(1e-12));
    assertThat(metrics.getMacroF1()).isCloseTo((2.0 / 3 + 0.5) / 2, within(1e-12));
    double logLoss = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.7) + Math.log(0.4)) / 5;
    assertThat(metrics.getLogLoss()).isCloseTo(logLoss, within(1e-12));
    // positives (b) scored 0.7 and 0.4; negatives 0.1, 0.2, 0.6: pairs won 3 + 2 = 5 of 6
    assertThat(metrics.getRocAuc()).isCloseTo(5.0 / 6, within(1e-12));
    // squared distances to the one-hot truth: 0.02, 0.08, 0.72, 0.18, 0.72
    assertThat(metrics.getBrierScore()).isCloseTo(1.72 / 5, within(1e-12));
    // confidence bins: 0.9 right, 0.8 right, 0.7 right, and two wrong at 0.6 in one bin: (0.1 + 0.2 + 0.3 + 1.2) / 5
    assertThat(metrics.getExpectedCalibrationError()).isCloseTo(1.8 / 5, within(1e-12));
  }

  @Test
  void shouldAverageOnlyOverClassesPresentOrPredicted() {
    EvaluationMetrics metrics = ClassificationMetrics.evaluate("test", List.of("a", "b", "never"), new int[] {0, 1},
        new double[][] {{0.9, 0.1, 0}, {0.2, 0.8, 0}});
    assertThat(metrics.getMacroF1()).isEqualTo(1.0);
    assertThat(metrics.getMacroPrecision()).isEqualTo(1.0);
  }

  @Test
  void shouldCountTiesAsHalfInTheRocAuc() {
    assertThat(ClassificationMetrics.rocAuc(new int[] {0, 1}, new double[][] {{0.5, 0.5}, {0.5, 0.5}})).isEqualTo(0.5);
    assertThat(ClassificationMetrics.rocAuc(new int[] {1, 0}, new double[][] {{0.1, 0.9}, {0.9, 0.1}})).isEqualTo(1.0);
    assertThat(ClassificationMetrics.rocAuc(new int[] {1, 1}, new double[][] {{0.1, 0.9}, {0.9, 0.1}})).isNull();
  }

  @Test
  void shouldLeaveRocAucOutForMoreThanTwoClasses() {
    EvaluationMetrics metrics = ClassificationMetrics.evaluate("test", List.of("a", "b", "c"), new int[] {0, 1, 2},
        new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
    assertThat(metrics.getRocAuc()).isNull();
    assertThat(metrics.getAccuracy()).isEqualTo(1.0);
    assertThat(metrics.getLogLoss()).isCloseTo(-Math.log(1 - ClassificationMetrics.EPSILON), within(1e-12));
  }

  @Test
  void shouldPutValuesOnEdgesInTheLowerBin() {
    List<Double> edges = List.of(1.0, 2.0, 3.0);
    assertThat(Bins.index(edges, 0.5)).isZero();
    assertThat(Bins.index(edges, 1.0)).isZero();
    assertThat(Bins.index(edges, 1.5)).isEqualTo(1);
    assertThat(Bins.index(edges, 3.0)).isEqualTo(2);
    assertThat(Bins.index(edges, 9.0)).isEqualTo(3);
    assertThat(Bins.proportions(edges, new double[] {0, 1, 2, 5})).containsExactly(0.5, 0.25, 0.0, 0.25);
  }
}
