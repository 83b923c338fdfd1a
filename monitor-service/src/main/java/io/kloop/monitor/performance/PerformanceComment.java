package io.kloop.monitor.performance;

import io.kloop.events.MetricEstimate;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import java.util.Locale;

/** The words of a performance report in the log and of a retraining request's comment (under 300 characters). */
final class PerformanceComment {

  private PerformanceComment() {}

  /** The comment of a request: the metric, its interval, the window and the figure it fell below. */
  static String of(PerformanceReported report, Drop drop, double tolerance) {
    boolean estimated = report.getKind() == PerformanceWindowKind.PREDICTED;
    return String.format(Locale.ROOT, "%s%s %s in %s window %d of version %d (%d predictions), below the test split's %.3f - tolerance %.3f",
        estimated ? "estimated (CBPE) " : "", drop.metric(), interval(drop.observed()), estimated ? "served" : "labelled",
        report.getWindow().getSequence(), report.getVersion(), report.getWindow().getPredictions(), drop.expected(), tolerance);
  }

  /** One line on a report: realized and estimated accuracy, the test split's, and the drops. */
  static String summary(PerformanceReported report) {
    StringBuilder line = new StringBuilder();
    if (report.getRealized() != null) {
      line.append("accuracy ").append(interval(report.getRealized().getAccuracy())).append(", macro F1 ")
          .append(interval(report.getRealized().getMacroF1())).append("; ");
    }
    if (report.getEstimated() != null) {
      line.append("estimated accuracy ").append(interval(report.getEstimated().getAccuracy())).append("; ");
    }
    line.append(String.format(Locale.ROOT, "test split %.3f", report.getExpected().getAccuracy()));
    if (!report.getDropped().isEmpty()) {
      line.append("; DROPPED ").append(report.getDropped());
    }
    return line.toString();
  }

  static String interval(MetricEstimate estimate) {
    return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", estimate.getValue(), estimate.getLower(), estimate.getUpper());
  }
}
