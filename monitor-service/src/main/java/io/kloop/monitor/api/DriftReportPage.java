package io.kloop.monitor.api;

import io.kloop.events.DriftReported;
import io.kloop.events.DriftStatistic;
import io.kloop.events.DriftTest;
import io.kloop.monitor.window.ModelDriftState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.web.util.UriUtils;

/**
 * The drift report as a page a person can read: the current window's decision, each feature's status and
 * tests, each feature's PSI over the recent windows (with its threshold), the windows themselves, and the model's
 * live performance ({@link PerformanceSection}).
 * Plain server-rendered HTML with inline SVG, no scripts.
 */
final class DriftReportPage {

  private static final int CHART_WIDTH = 160;
  private static final int CHART_HEIGHT = 28;

  private DriftReportPage() {}

  /**
   * @param reports the model's recent reports, oldest first
   * @param performance the performance section, already rendered and escaped ({@link PerformanceSection})
   */
  static String render(String model, List<DriftReported> reports, Set<String> inputs, ModelDriftState state, Integer champion,
      String performance) {
    StringBuilder html = new StringBuilder(16_384);
    html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drift: ").append(escape(model)).append("</title>")
        .append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
        .append("td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}td:first-child,th:first-child{text-align:left}")
        .append(".drift{background:#fde2e1;color:#a00;font-weight:bold}.ok{color:#060}.muted{color:#777}</style></head><body>");
    html.append("<h1>Drift report: ").append(escape(model)).append("</h1>");
    html.append("<p>Champion version: <b>").append(champion == null ? "unknown" : champion).append("</b>");
    if (state != null) {
      html.append(" · drift episode: <b>").append(state.episodeOpen() ? "open (report " + escape(state.episodeReportId()) + ")" : "none").append("</b>");
      if (state.lastRequestAt() != null) {
        html.append(" · last retraining request: ").append(Instant.ofEpochMilli(state.lastRequestAt()));
      }
    }
    html.append("</p>");
    if (reports.isEmpty()) {
      html.append("<p class=\"muted\">No window of predictions has been judged yet.</p>").append(performance).append("</body></html>");
      return html.toString();
    }
    DriftReported current = reports.get(reports.size() - 1);
    html.append("<h2>Current window</h2><p>Version ").append(current.getVersion()).append(", window ").append(current.getWindow().getSequence())
        .append(" (").append(current.getWindow().getPredictions()).append(" predictions, ").append(current.getWindow().getStart()).append(" to ")
        .append(current.getWindow().getEnd()).append("): ")
        .append(current.getDrifting() ? "<span class=\"drift\">DRIFTING</span>" : "<span class=\"ok\">no drift</span>")
        .append(String.format(Locale.ROOT, " · drifted features %d (share %.2f, threshold %.2f) · output %s</p>", current.getDriftedFeatures().size(),
            current.getDriftedShare(), current.getShareThreshold(), current.getOutputDrifted() ? "<span class=\"drift\">drifted</span>" : "stable"));
    for (CharSequence note : current.getNotes()) {
      html.append("<p class=\"muted\">Note: ").append(escape(note.toString())).append("</p>");
    }

    html.append("<h2>Features</h2><table><tr><th>feature</th><th>status</th><th>test</th><th>p-value</th><th>p threshold</th><th>PSI</th>")
        .append("<th>Jensen-Shannon</th><th>PSI over the last ").append(reports.size()).append(" windows</th></tr>");
    Map<String, Map<DriftTest, DriftStatistic>> byFeature = byFeature(current);
    for (Map.Entry<String, Map<DriftTest, DriftStatistic>> feature : byFeature.entrySet()) {
      String name = feature.getKey();
      boolean drifted = inputs.contains(name) ? current.getDriftedFeatures().contains(name) : current.getOutputDrifted();
      DriftStatistic test = feature.getValue().getOrDefault(DriftTest.KOLMOGOROV_SMIRNOV, feature.getValue().get(DriftTest.CHI_SQUARE));
      DriftStatistic psi = feature.getValue().get(DriftTest.PSI);
      DriftStatistic distance = feature.getValue().get(DriftTest.JENSEN_SHANNON);
      html.append("<tr><td>").append(escape(name)).append(inputs.contains(name) || inputs.isEmpty() ? "" : " <span class=\"muted\">(output)</span>")
          .append("</td><td class=\"").append(drifted ? "drift\">drifted" : "ok\">stable").append("</td>")
          .append("<td>").append(test == null ? "" : test.getTest() == DriftTest.KOLMOGOROV_SMIRNOV ? "Kolmogorov-Smirnov" : "chi-square").append("</td>")
          .append(cell(test == null ? null : test.getPValue(), test != null && test.getDrifted()))
          .append(cell(test == null ? null : test.getThreshold(), false))
          .append(cell(psi == null ? null : psi.getStatistic(), psi != null && psi.getDrifted()))
          .append(cell(distance == null ? null : distance.getStatistic(), distance != null && distance.getDrifted()))
          .append("<td>").append(sparkline(reports, name, psi == null ? 0.1 : psi.getThreshold())).append("</td></tr>");
    }
    html.append("</table>");

    html.append("<h2>Windows</h2><table><tr><th>version</th><th>window</th><th>predictions</th><th>start</th><th>end</th><th>drifted share</th>")
        .append("<th>output</th><th>decision</th><th>report id</th></tr>");
    for (int i = reports.size() - 1; i >= 0; i--) {
      DriftReported report = reports.get(i);
      html.append("<tr><td>").append(report.getVersion()).append("</td><td>").append(report.getWindow().getSequence()).append("</td><td>")
          .append(report.getWindow().getPredictions()).append("</td><td>").append(report.getWindow().getStart()).append("</td><td>")
          .append(report.getWindow().getEnd()).append("</td><td>").append(String.format(Locale.ROOT, "%.2f", report.getDriftedShare()))
          .append("</td><td>").append(report.getOutputDrifted() ? "drifted" : "stable").append("</td><td")
          .append(report.getDrifting() ? " class=\"drift\">DRIFTING" : " class=\"ok\">no drift").append("</td><td class=\"muted\">")
          .append(escape(report.getReportId())).append("</td></tr>");
    }
    html.append("</table>").append(performance);
    String path = escape(UriUtils.encodePathSegment(model, StandardCharsets.UTF_8));
    html.append("<p class=\"muted\">JSON: <a href=\"/v1/models/").append(path).append("/drift\">/v1/models/").append(escape(model))
        .append("/drift</a> · <a href=\"/v1/models/").append(path).append("/performance\">/v1/models/").append(escape(model))
        .append("/performance</a></p></body></html>");
    return html.toString();
  }

  private static Map<String, Map<DriftTest, DriftStatistic>> byFeature(DriftReported report) {
    Map<String, Map<DriftTest, DriftStatistic>> byFeature = new LinkedHashMap<>();
    for (DriftStatistic statistic : report.getFeatures()) {
      byFeature.computeIfAbsent(statistic.getFeature(), f -> new LinkedHashMap<>()).put(statistic.getTest(), statistic);
    }
    return byFeature;
  }

  private static String cell(Double value, boolean crossed) {
    if (value == null) {
      return "<td class=\"muted\">-</td>";
    }
    return "<td" + (crossed ? " class=\"drift\"" : "") + ">" + String.format(Locale.ROOT, value != 0 && Math.abs(value) < 0.001 ? "%.1e" : "%.3f", value)
        + "</td>";
  }

  /** The feature's PSI in each window as a line, with the threshold as a dashed line; windows without it are gaps. */
  private static String sparkline(List<DriftReported> reports, String feature, double threshold) {
    List<Double> values = new ArrayList<>();
    for (DriftReported report : reports) {
      Double psi = null;
      for (DriftStatistic statistic : report.getFeatures()) {
        if (statistic.getTest() == DriftTest.PSI && statistic.getFeature().equals(feature)) {
          psi = statistic.getStatistic();
        }
      }
      values.add(psi);
    }
    double top = threshold * 2;
    for (Double value : values) {
      if (value != null && Double.isFinite(value)) {
        top = Math.max(top, value);
      }
    }
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      Double value = values.get(i);
      if (value != null && Double.isFinite(value)) {
        double x = values.size() == 1 ? CHART_WIDTH / 2.0 : i * (CHART_WIDTH - 4) / (double) (values.size() - 1) + 2;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(value, top)));
      }
    }
    double line = y(threshold, top);
    return String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"PSI of %s per window\">"
        + "<line x1=\"0\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"3,2\"/>"
        + "<polyline fill=\"none\" stroke=\"#036\" stroke-width=\"1.5\" points=\"%s\"/></svg>",
        CHART_WIDTH, CHART_HEIGHT, escape(feature), CHART_WIDTH, line, line, points.toString().trim());
  }

  private static double y(double value, double top) {
    return CHART_HEIGHT - 2 - (CHART_HEIGHT - 4) * Math.min(value, top) / top;
  }

  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
