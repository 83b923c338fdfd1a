package io.kloop.monitor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.ConfusionMatrix;
import io.kloop.events.DriftWindow;
import io.kloop.events.EstimatedPerformance;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.MetricEstimate;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.events.RealizedPerformance;
import io.kloop.events.WindowKind;
import io.kloop.monitor.performance.PerformanceState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The performance endpoint's JSON and the report page's performance section, from reports made by hand. */
class PerformanceViewTest {

  private static MetricEstimate around(double value) {
    return MetricEstimate.newBuilder().setValue(value).setLower(value - 0.02).setUpper(value + 0.02).build();
  }

  /** A report of version 2; realized and estimated accuracy as given (null for none), macro F1 0.1 below them. */
  static PerformanceReported report(PerformanceWindowKind kind, long sequence, Double realized, Double estimated, List<String> notes) {
    ConfusionMatrix confusion = ConfusionMatrix.newBuilder().setLabels(List.of("a", "b")).setCounts(List.of(List.of(1L, 0L), List.of(0L, 1L))).build();
    return PerformanceReported.newBuilder()
        .setEventId("e" + sequence).setEventTime(Instant.EPOCH).setProducer("monitor-service").setReportId("r-" + kind + "-" + sequence)
        .setModel("churn").setVersion(2).setKind(kind)
        .setWindow(DriftWindow.newBuilder().setKind(WindowKind.COUNT).setSequence(sequence).setStart(Instant.EPOCH).setEnd(Instant.EPOCH)
            .setPredictions(500).build())
        .setRealized(realized == null ? null : RealizedPerformance.newBuilder().setLabelled(500).setAccuracy(around(realized))
            .setMacroF1(around(realized - 0.1)).setLogLoss(around(0.3)).setBrierScore(around(0.2)).setExpectedCalibrationError(around(0.05))
            .setConfusionMatrix(confusion).build())
        .setEstimated(estimated == null ? null : EstimatedPerformance.newBuilder().setPredictions(500).setAccuracy(around(estimated))
            .setMacroF1(around(estimated - 0.1)).build())
        .setExpected(EvaluationMetrics.newBuilder().setSplit("test").setRows(100).setAccuracy(0.93).setMacroPrecision(0.9).setMacroRecall(0.9)
            .setMacroF1(0.91).setConfusionMatrix(confusion).build())
        .setDropped(List.of())
        .setNotes(notes)
        .build();
  }

  @Test
  void shouldSummariseHowTheEstimateTrackedTheRealizedFigures() {
    List<PerformanceReported> labelled = List.of(
        report(PerformanceWindowKind.LABELLED, 0, 0.90, 0.92, List.of()),
        report(PerformanceWindowKind.LABELLED, 1, 0.80, 0.77, List.of()),
        report(PerformanceWindowKind.LABELLED, 2, 0.85, null, List.of()));

    Map<String, Object> tracking = PerformanceView.tracking(labelled);

    assertThat(tracking).containsEntry("windows", 2);
    @SuppressWarnings("unchecked")
    Map<String, Object> accuracy = (Map<String, Object>) tracking.get("accuracy");
    // differences +0.02 and -0.03: mean absolute 0.025, largest 0.03, mean -0.005
    assertThat((Double) accuracy.get("meanAbsoluteDifference")).isCloseTo(0.025, within(1e-12));
    assertThat((Double) accuracy.get("maxAbsoluteDifference")).isCloseTo(0.03, within(1e-12));
    assertThat((Double) accuracy.get("meanDifference")).isCloseTo(-0.005, within(1e-12));
  }

  @Test
  void shouldAnswerNullFiguresWithoutAWindowThatHasBoth() {
    @SuppressWarnings("unchecked")
    Map<String, Object> accuracy = (Map<String, Object>) PerformanceView.tracking(List.of(report(PerformanceWindowKind.LABELLED, 0, 0.9, null,
        List.of()))).get("accuracy");
    assertThat(accuracy).containsEntry("meanAbsoluteDifference", null).containsEntry("maxAbsoluteDifference", null);
  }

  @Test
  void shouldListBothKindsNewestFirstWithTheEpisode() {
    Map<String, Object> body = PerformanceView.body("churn", 2,
        List.of(report(PerformanceWindowKind.LABELLED, 0, 0.9, 0.9, List.of()), report(PerformanceWindowKind.LABELLED, 1, 0.9, 0.9, List.of())),
        List.of(report(PerformanceWindowKind.PREDICTED, 0, null, 0.9, List.of())), new PerformanceState(3, 2, true, "r-1", 0), 10);

    assertThat(body).containsEntry("model", "churn").containsEntry("champion", 2);
    assertThat(body.get("episode")).isEqualTo(Map.of("open", true, "openedBy", "r-1", "version", 2));
    List<Map<String, Object>> labelled = windows(body.get("labelled"));
    assertThat(labelled).extracting(window -> window.get("reportId")).containsExactly("r-LABELLED-1", "r-LABELLED-0");
    List<Map<String, Object>> predicted = windows(body.get("predicted"));
    assertThat(predicted).singleElement().satisfies(window -> assertThat(window).containsEntry("kind", "PREDICTED").containsEntry("realized", null));
  }

  @Test
  void shouldListAtMostTheLimitOfEachKindTheNewestButTrackOverEveryLabelledWindow() {
    // estimates 0.02, 0.04 and 0.06 above the realized accuracy of 0.8
    List<PerformanceReported> labelled = List.of(report(PerformanceWindowKind.LABELLED, 0, 0.8, 0.82, List.of()),
        report(PerformanceWindowKind.LABELLED, 1, 0.8, 0.84, List.of()), report(PerformanceWindowKind.LABELLED, 2, 0.8, 0.86, List.of()));
    List<PerformanceReported> predicted = List.of(report(PerformanceWindowKind.PREDICTED, 0, null, 0.9, List.of()),
        report(PerformanceWindowKind.PREDICTED, 1, null, 0.9, List.of()), report(PerformanceWindowKind.PREDICTED, 2, null, 0.9, List.of()));

    Map<String, Object> body = PerformanceView.body("churn", 2, labelled, predicted, null, 2);

    assertThat(windows(body.get("labelled"))).extracting(window -> window.get("reportId")).containsExactly("r-LABELLED-2", "r-LABELLED-1");
    assertThat(windows(body.get("predicted"))).extracting(window -> window.get("reportId")).containsExactly("r-PREDICTED-2", "r-PREDICTED-1");
    @SuppressWarnings("unchecked")
    Map<String, Object> tracking = (Map<String, Object>) body.get("tracking");
    assertThat(tracking).containsEntry("windows", 3);
    assertThat((double) ((Map<?, ?>) tracking.get("accuracy")).get("meanDifference")).isCloseTo((0.02 + 0.04 + 0.06) / 3, within(1e-9));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> windows(Object list) {
    return (List<Map<String, Object>>) list;
  }

  @Test
  void shouldRenderTheRealizedAccuracyBesideTheEstimateAndTheTestSplitEscaped() {
    String html = PerformanceSection.render(List.of(report(PerformanceWindowKind.LABELLED, 4, 0.9, 0.88, List.of("<script>alert(1)</script>"))),
        List.of(report(PerformanceWindowKind.PREDICTED, 7, null, 0.87, List.of())));

    assertThat(html).contains("<h2>Performance</h2>")
        .contains("<td>0.900 <span class=\"muted\">[0.880, 0.920]</span></td><td>0.880 <span class=\"muted\">[0.860, 0.900]</span></td><td>0.930</td>")
        .contains("mean absolute difference 0.020, largest 0.020")
        .contains("<td>0.870 <span class=\"muted\">[0.850, 0.890]</span></td><td>0.930</td>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
  }

  @Test
  void shouldSayWhenNothingWasReported() {
    assertThat(PerformanceSection.render(List.of(), List.of())).contains("No window of labelled or served predictions has been reported yet.");
  }
}
