package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.model.ClassificationMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricChecksTest {

  private static final List<String> BINARY = List.of("no", "yes");

  @Test
  void shouldFindNothingUndefinedInTheMetricsOfATwoClassSplit() {
    var metrics = ClassificationMetrics.evaluate("test", BINARY, new int[] {0, 1, 1}, new double[][] {{0.8, 0.2}, {0.3, 0.7}, {0.6, 0.4}});

    assertThat(MetricChecks.undefined(metrics, 2)).isEmpty();
  }

  @Test
  void shouldFindTheMissingRocAucOfASplitWithOneClass() {
    var metrics = ClassificationMetrics.evaluate("test", BINARY, new int[] {1, 1}, new double[][] {{0.2, 0.8}, {0.3, 0.7}});

    assertThat(metrics.getRocAuc()).as("what the registry would have received").isNull();
    assertThat(MetricChecks.undefined(metrics, 2)).containsExactly("rocAuc is missing (the split holds one class only)");
  }

  @Test
  void shouldFindTheNaNLogLossOfADivergedModel() {
    double[][] diverged = {{Double.NaN, Double.NaN}, {Double.NaN, Double.NaN}};
    var metrics = ClassificationMetrics.evaluate("test", BINARY, new int[] {0, 1}, diverged);

    assertThat(metrics.getLogLoss()).as("what the registry would have received").isNaN();
    assertThat(MetricChecks.undefined(metrics, 2)).containsExactly("logLoss is NaN", "brierScore is NaN", "expectedCalibrationError is NaN");
    assertThat(MetricChecks.finite(diverged)).isFalse();
    assertThat(MetricChecks.finite(new double[][] {{0.5, 0.5}})).isTrue();
    assertThat(MetricChecks.finite(new double[][] {{Double.POSITIVE_INFINITY, 0}})).isFalse();
  }

  @Test
  void shouldFindAMissingBrierScoreAndCalibrationError() {
    var metrics = ClassificationMetrics.evaluate("test", BINARY, new int[] {0, 1, 1}, new double[][] {{0.8, 0.2}, {0.3, 0.7}, {0.6, 0.4}});
    metrics.setBrierScore(null);
    metrics.setExpectedCalibrationError(null);

    assertThat(MetricChecks.undefined(metrics, 2)).containsExactly("brierScore is missing", "expectedCalibrationError is missing");
  }

  @Test
  void shouldAcceptNoRocAucForMoreThanTwoClasses() {
    var metrics = ClassificationMetrics.evaluate("test", List.of("a", "b", "c"), new int[] {0, 1, 2},
        new double[][] {{0.8, 0.1, 0.1}, {0.1, 0.8, 0.1}, {0.1, 0.1, 0.8}});

    assertThat(metrics.getRocAuc()).isNull();
    assertThat(MetricChecks.undefined(metrics, 3)).isEmpty();
  }
}
