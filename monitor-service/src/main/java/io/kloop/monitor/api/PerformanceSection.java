package io.kloop.monitor.api;

import io.kloop.events.MetricEstimate;
import io.kloop.events.PerformanceReported;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The performance section of the drift report page: per window of labelled predictions its realized accuracy with
 * interval beside CBPE's estimate and the test split's figure, how the estimate tracked them, and the windows of
 * served predictions with the estimate alone. Every text from outside is escaped as the rest of the page.
 */
final class PerformanceSection {

  private PerformanceSection() {}

  /**
   * @param labelled the recent windows of labelled predictions, oldest first
   * @param predicted the recent windows of served predictions, oldest first
   */
  static String render(List<PerformanceReported> labelled, List<PerformanceReported> predicted) {
    StringBuilder html = new StringBuilder(4_096);
    html.append("<h2>Performance</h2>");
    if (labelled.isEmpty() && predicted.isEmpty()) {
      return html.append("<p class=\"muted\">No window of labelled or served predictions has been reported yet.</p>").toString();
    }
    Map<String, Object> tracking = PerformanceView.tracking(labelled);
    @SuppressWarnings("unchecked")
    Map<String, Object> accuracy = (Map<String, Object>) tracking.get("accuracy");
    if (accuracy.get("meanAbsoluteDifference") != null) {
      html.append(String.format(Locale.ROOT, "<p>CBPE's estimate against the realized accuracy over the last %d labelled window(s): mean absolute "
          + "difference %.3f, largest %.3f.</p>", (Integer) tracking.get("windows"), (Double) accuracy.get("meanAbsoluteDifference"),
          (Double) accuracy.get("maxAbsoluteDifference")));
    }
    html.append("<h3>Labelled predictions</h3>");
    if (labelled.isEmpty()) {
      html.append("<p class=\"muted\">No window of labelled predictions yet.</p>");
    } else {
      html.append("<table><tr><th>version</th><th>window</th><th>labelled</th><th>accuracy (95 % interval)</th><th>CBPE estimate</th>")
          .append("<th>test split</th><th>macro F1 (95 % interval)</th><th>test split</th><th>dropped</th><th>notes</th></tr>");
      for (int i = labelled.size() - 1; i >= 0; i--) {
        PerformanceReported report = labelled.get(i);
        boolean dropped = !report.getDropped().isEmpty();
        html.append("<tr><td>").append(report.getVersion()).append("</td><td>").append(report.getWindow().getSequence()).append("</td><td>")
            .append(report.getWindow().getPredictions()).append("</td><td").append(report.getDropped().contains("accuracy") ? " class=\"drift\">" : ">")
            .append(interval(report.getRealized() == null ? null : report.getRealized().getAccuracy())).append("</td><td>")
            .append(interval(report.getEstimated() == null ? null : report.getEstimated().getAccuracy())).append("</td><td>")
            .append(figure(report.getExpected().getAccuracy())).append("</td><td").append(report.getDropped().contains("macroF1") ? " class=\"drift\">" : ">")
            .append(interval(report.getRealized() == null ? null : report.getRealized().getMacroF1())).append("</td><td>")
            .append(figure(report.getExpected().getMacroF1())).append("</td>")
            .append(dropped ? "<td class=\"drift\">" + DriftReportPage.escape(String.join(", ", report.getDropped())) : "<td class=\"ok\">none")
            .append("</td><td class=\"muted\">").append(DriftReportPage.escape(String.join("; ", report.getNotes()))).append("</td></tr>");
      }
      html.append("</table>");
    }
    html.append("<h3>Served predictions (CBPE, no labels needed)</h3>");
    if (predicted.isEmpty()) {
      html.append("<p class=\"muted\">No window of served predictions yet.</p>");
    } else {
      html.append("<table><tr><th>version</th><th>window</th><th>predictions</th><th>estimated accuracy (95 % interval)</th>")
          .append("<th>test split</th><th>estimated macro F1</th><th>dropped</th><th>notes</th></tr>");
      for (int i = predicted.size() - 1; i >= 0; i--) {
        PerformanceReported report = predicted.get(i);
        html.append("<tr><td>").append(report.getVersion()).append("</td><td>").append(report.getWindow().getSequence()).append("</td><td>")
            .append(report.getWindow().getPredictions()).append("</td><td>")
            .append(interval(report.getEstimated() == null ? null : report.getEstimated().getAccuracy())).append("</td><td>")
            .append(figure(report.getExpected().getAccuracy())).append("</td><td>")
            .append(interval(report.getEstimated() == null ? null : report.getEstimated().getMacroF1())).append("</td>")
            .append(report.getDropped().isEmpty() ? "<td class=\"ok\">none" : "<td class=\"drift\">" + DriftReportPage.escape(String.join(", ",
                report.getDropped())))
            .append("</td><td class=\"muted\">").append(DriftReportPage.escape(String.join("; ", report.getNotes()))).append("</td></tr>");
      }
      html.append("</table>");
    }
    return html.toString();
  }

  private static String interval(MetricEstimate estimate) {
    if (estimate == null) {
      return "<span class=\"muted\">-</span>";
    }
    return String.format(Locale.ROOT, "%.3f <span class=\"muted\">[%.3f, %.3f]</span>", estimate.getValue(), estimate.getLower(), estimate.getUpper());
  }

  private static String figure(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
