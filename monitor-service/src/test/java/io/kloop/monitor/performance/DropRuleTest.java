package io.kloop.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.ConfusionMatrix;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.MetricEstimate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A drop is an upper bound below expected - tolerance: the boundaries, and the configured metrics. */
class DropRuleTest {

  /** Test-split accuracy 0.90, macro F1 0.80. */
  static final EvaluationMetrics EXPECTED = EvaluationMetrics.newBuilder().setSplit("test").setRows(100).setAccuracy(0.90)
      .setMacroPrecision(0.8).setMacroRecall(0.8).setMacroF1(0.80)
      .setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(List.of("a", "b")).setCounts(List.of(List.of(45L, 5L), List.of(5L, 45L))).build())
      .build();

  private final DropRule rule = new DropRule(0.05, List.of("accuracy", "macroF1"));

  private static MetricEstimate upTo(double upper) {
    return Intervals.estimate(upper - 0.05, upper - 0.1, upper);
  }

  @Test
  void shouldDropOnlyWhenTheUpperBoundIsBelowExpectedMinusTolerance() {
    // accuracy: 0.90 - 0.05 = 0.85; macro F1: 0.80 - 0.05 = 0.75
    assertThat(rule.drops(EXPECTED, upTo(0.8499), upTo(0.80))).extracting(Drop::metric).containsExactly("accuracy");
    assertThat(rule.drops(EXPECTED, upTo(0.86), upTo(0.80))).as("the interval reaches the tolerated figure").isEmpty();
    assertThat(rule.drops(EXPECTED, upTo(0.90), upTo(0.7499))).extracting(Drop::metric).containsExactly("macroF1");
    assertThat(rule.drops(EXPECTED, upTo(0.70), upTo(0.70))).extracting(Drop::metric).containsExactly("accuracy", "macroF1");
  }

  @Test
  void shouldNotDropAtTheBoundaryItself() {
    // the tolerated figure as the rule computes it (expected - tolerance in doubles), and the double just below it
    double tolerated = 0.80 - 0.05;
    assertThat(rule.drops(EXPECTED, upTo(0.95), upTo(tolerated))).isEmpty();
    assertThat(rule.drops(EXPECTED, upTo(0.95), upTo(Math.nextDown(tolerated)))).extracting(Drop::metric).containsExactly("macroF1");
  }

  @Test
  void shouldCarryTheExpectedAndObservedFigures() {
    MetricEstimate observed = upTo(0.70);
    assertThat(rule.drops(EXPECTED, observed, upTo(0.9))).containsExactly(new Drop("accuracy", 0.90, observed));
  }

  @Test
  void shouldJudgeOnlyTheConfiguredMetrics() {
    DropRule f1Only = new DropRule(0.05, List.of("macroF1"));
    assertThat(f1Only.drops(EXPECTED, upTo(0.10), upTo(0.9))).isEmpty();
    assertThat(new DropRule(0.0, List.of("accuracy")).drops(EXPECTED, upTo(0.8999), upTo(0.1))).extracting(Drop::metric).containsExactly("accuracy");
  }
}
