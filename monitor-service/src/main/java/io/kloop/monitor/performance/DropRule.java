package io.kloop.monitor.performance;

import io.kloop.events.EvaluationMetrics;
import io.kloop.events.MetricEstimate;
import java.util.ArrayList;
import java.util.List;

/**
 * When a window's figure is a drop: its 95 % interval's upper bound is below the version's test-split figure minus
 * the tolerance, so the window is worse than the tolerance allows beyond its sampling spread (a small window with a
 * wide interval drops only when it is far worse). Only the configured metrics ({@code accuracy}, {@code macroF1})
 * are judged, in the configured order.
 */
final class DropRule {

  static final String ACCURACY = "accuracy";
  static final String MACRO_F1 = "macroF1";

  private final double tolerance;
  private final List<String> metrics;

  DropRule(double tolerance, List<String> metrics) {
    this.tolerance = tolerance;
    this.metrics = List.copyOf(metrics);
  }

  double tolerance() {
    return tolerance;
  }

  /**
   * The window's drops, in the configured metrics' order.
   *
   * @param expected the version's test-split figures
   * @param accuracy the window's accuracy (realized or estimated)
   * @param macroF1 the window's macro F1 (realized or estimated)
   */
  List<Drop> drops(EvaluationMetrics expected, MetricEstimate accuracy, MetricEstimate macroF1) {
    List<Drop> drops = new ArrayList<>();
    for (String metric : metrics) {
      boolean isAccuracy = metric.equals(ACCURACY);
      double test = isAccuracy ? expected.getAccuracy() : expected.getMacroF1();
      MetricEstimate observed = isAccuracy ? accuracy : macroF1;
      if (observed.getUpper() < test - tolerance) {
        drops.add(new Drop(metric, test, observed));
      }
    }
    return drops;
  }
}
