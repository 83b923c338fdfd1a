package io.kloop.monitor.performance;

import io.kloop.events.Calibration;
import io.kloop.events.EstimatedPerformance;
import io.kloop.events.ModelApproved;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.events.RealizedPerformance;
import io.kloop.model.IsotonicCalibration;
import io.kloop.monitor.MonitorProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The figures of a closed window, apart from Kafka: realized ones on labelled predictions, CBPE's estimate when the
 * version carries a calibration that fits its classes ({@link IsotonicCalibration#problem}: a malformed one gives no
 * estimate and a note why, never an exception), and the drops against the version's test-split figures (on labelled windows the
 * realized figures drop, on windows of served predictions the estimate).
 */
final class PerformanceJudge {

  private final RealizedMetrics realizedMetrics;
  private final Cbpe cbpe;
  private final DropRule drops;

  PerformanceJudge(MonitorProperties.Performance settings) {
    this.realizedMetrics = new RealizedMetrics(settings.bootstrapResamples());
    this.cbpe = new Cbpe(settings.bootstrapResamples());
    this.drops = new DropRule(settings.tolerance(), settings.metrics());
  }

  double tolerance() {
    return drops.tolerance();
  }

  /**
   * A window's figures.
   *
   * @param realized measured on labels; null in a window of served predictions
   * @param estimated CBPE's estimate; null without a calibration
   * @param drops the metrics that dropped
   * @param notes what a reader should know, in words
   * @param unusableCalibration why the version's calibration cannot be applied, or null when it can or there is none
   */
  record Judged(RealizedPerformance realized, EstimatedPerformance estimated, List<Drop> drops, List<String> notes, String unusableCalibration) {}

  /** @param seed the window's bootstrap seed */
  Judged judge(PerformanceWindowKind kind, ModelApproved approval, WindowData window, long seed) {
    List<String> notes = new ArrayList<>();
    RealizedPerformance realized = kind == PerformanceWindowKind.LABELLED ? realizedMetrics.measure(window, seed) : null;
    Calibration calibration = approval.getReferenceProfile().getCalibration();
    EstimatedPerformance estimated = null;
    Optional<String> problem = calibration == null ? Optional.empty() : IsotonicCalibration.problem(calibration, window.classes());
    if (calibration == null) {
      notes.add("no estimate: version " + approval.getVersion() + " carries no calibration (trained before calibrations were made)");
    } else if (problem.isPresent()) {
      notes.add("no estimate: version " + approval.getVersion() + "'s calibration cannot be applied: " + problem.get());
    } else {
      // Another stream of draws than the realized bootstrap's, from the same window identity.
      estimated = cbpe.estimate(calibration, window, ~seed);
    }
    List<Drop> dropped = realized != null ? drops.drops(approval.getMetrics(), realized.getAccuracy(), realized.getMacroF1())
        : estimated != null ? drops.drops(approval.getMetrics(), estimated.getAccuracy(), estimated.getMacroF1()) : List.of();
    return new Judged(realized, estimated, dropped, notes, problem.orElse(null));
  }
}
