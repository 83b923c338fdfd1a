package io.kloop.training.run;

import io.kloop.events.DriftWindow;
import io.kloop.events.MetricEstimate;
import io.kloop.events.PerformanceEvidence;
import io.kloop.events.RetrainingRequested;
import io.kloop.service.web.ClientText;
import java.util.Locale;

/**
 * A retraining request in words, as the runs API shows what started a run: its reason, who asked and why, and its
 * evidence (the drift report; for PERFORMANCE the metric, the expected and observed figures with the interval, the
 * window, the version and the report). Every text from the request is cut and cleaned as an answer may repeat it,
 * and the whole is at most {@value #MAX_CHARS} characters, whatever a producer wrote.
 */
final class RequestDescription {

  /** The longest description. */
  static final int MAX_CHARS = 1_000;
  /** The longest piece of a requester's text (name, comment, report id, metric) in a description. */
  static final int MAX_PART = 200;

  private RequestDescription() {}

  static String of(RetrainingRequested request) {
    StringBuilder text = new StringBuilder();
    text.append(request.getReason()).append(" requested by ").append(part(request.getRequestedBy()));
    switch (request.getReason()) {
      case DRIFT -> {
        if (request.getDriftReportId() != null) {
          text.append(", drift report ").append(part(request.getDriftReportId()));
        }
      }
      case PERFORMANCE -> text.append(request.getPerformanceEvidence() == null ? ", without evidence"
          : ": " + performance(request.getPerformanceEvidence()));
      default -> {
        // the reason and the comment say it all
      }
    }
    if (request.getComment() != null && !request.getComment().isBlank()) {
      text.append(" (").append(part(request.getComment().strip())).append(')');
    }
    return ClientText.clip(text.toString(), MAX_CHARS);
  }

  /**
   * {@code accuracy 0.812 [0.781, 0.843] measured on labels, expected 0.950 (version 3's test split), tolerance 0.050;
   * window 7 of 500 predictions from ... to ...; performance report r-1}.
   */
  private static String performance(PerformanceEvidence evidence) {
    MetricEstimate observed = evidence.getObserved();
    DriftWindow window = evidence.getWindow();
    return part(evidence.getMetric()) + " " + figure(observed.getValue()) + " [" + figure(observed.getLower()) + ", "
        + figure(observed.getUpper()) + "] " + (evidence.getEstimated() ? "estimated (CBPE)" : "measured on labels") + ", expected "
        + figure(evidence.getExpected()) + " (version " + evidence.getVersion() + "'s test split), tolerance " + figure(evidence.getTolerance())
        + "; window " + window.getSequence() + " of " + window.getPredictions() + " predictions from " + window.getStart() + " to "
        + window.getEnd() + "; performance report " + part(evidence.getReportId());
  }

  private static String figure(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }

  private static String part(String text) {
    return text == null ? "unknown" : ClientText.echo(text, MAX_PART);
  }
}
