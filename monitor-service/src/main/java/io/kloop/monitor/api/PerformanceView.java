package io.kloop.monitor.api;

import io.kloop.events.PerformanceReported;
import io.kloop.monitor.performance.PerformanceState;
import io.kloop.service.web.AvroJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The JSON of {@code GET /v1/models/{name}/performance}: the performance episode, how CBPE's estimate tracked the
 * realized figures over the recent labelled windows, and the newest reports of both kinds (at most a limit of each),
 * newest first.
 */
final class PerformanceView {

  private PerformanceView() {}

  /**
   * @param labelled the recent windows of labelled predictions, oldest first
   * @param predicted the recent windows of served predictions, oldest first
   * @param state what is remembered of the model's performance, or null
   * @param limit the most reports of each kind in the body; tracking covers every labelled window given
   */
  static Map<String, Object> body(String model, Integer champion, List<PerformanceReported> labelled, List<PerformanceReported> predicted,
      PerformanceState state, int limit) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", model);
    body.put("champion", champion);
    Map<String, Object> episode = new LinkedHashMap<>();
    episode.put("open", state != null && state.episodeOpen());
    episode.put("openedBy", state == null ? null : state.episodeReportId());
    episode.put("version", state == null || state.episodeVersion() == 0 ? null : state.episodeVersion());
    body.put("episode", episode);
    body.put("tracking", tracking(labelled));
    body.put("labelled", newestFirst(labelled, limit));
    body.put("predicted", newestFirst(predicted, limit));
    return body;
  }

  /**
   * How the estimate tracked the realized figures over the labelled windows that have both: the number of such
   * windows and, per metric, the mean and largest absolute difference and the mean difference (estimate minus
   * realized: positive when CBPE was optimistic); nulls without such windows.
   */
  static Map<String, Object> tracking(List<PerformanceReported> labelled) {
    List<PerformanceReported> both = labelled.stream().filter(r -> r.getRealized() != null && r.getEstimated() != null).toList();
    Map<String, Object> tracking = new LinkedHashMap<>();
    tracking.put("windows", both.size());
    tracking.put("accuracy", differences(both, r -> r.getEstimated().getAccuracy().getValue() - r.getRealized().getAccuracy().getValue()));
    tracking.put("macroF1", differences(both, r -> r.getEstimated().getMacroF1().getValue() - r.getRealized().getMacroF1().getValue()));
    return tracking;
  }

  private static Map<String, Object> differences(List<PerformanceReported> windows, Function<PerformanceReported, Double> difference) {
    Map<String, Object> figures = new LinkedHashMap<>();
    if (windows.isEmpty()) {
      figures.put("meanAbsoluteDifference", null);
      figures.put("maxAbsoluteDifference", null);
      figures.put("meanDifference", null);
      return figures;
    }
    double absolute = 0;
    double max = 0;
    double signed = 0;
    for (PerformanceReported window : windows) {
      double d = difference.apply(window);
      absolute += Math.abs(d);
      max = Math.max(max, Math.abs(d));
      signed += d;
    }
    figures.put("meanAbsoluteDifference", absolute / windows.size());
    figures.put("maxAbsoluteDifference", max);
    figures.put("meanDifference", signed / windows.size());
    return figures;
  }

  private static List<Object> newestFirst(List<PerformanceReported> reports, int limit) {
    List<Object> trees = new ArrayList<>();
    for (int i = reports.size() - 1; i >= Math.max(0, reports.size() - limit); i--) {
      trees.add(AvroJson.tree(reports.get(i)));
    }
    return trees;
  }
}
