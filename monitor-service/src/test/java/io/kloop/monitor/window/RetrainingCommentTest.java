package io.kloop.monitor.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.DriftReported;
import io.kloop.events.DriftWindow;
import io.kloop.events.WindowKind;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A retraining request's comment names the drifted features, and stays short whatever their number. */
class RetrainingCommentTest {

  @Test
  void shouldNameEveryDriftedFeatureOfAFewAndTheOutput() {
    assertThat(DriftProcessor.comment(report(List.of("x1", "colour"), true)))
        .isEqualTo("drift in window 7 of version 3: drifted features [x1, colour], output drifted");
    assertThat(DriftProcessor.comment(report(List.of(), true))).isEqualTo("drift in window 7 of version 3: drifted features [], output drifted");
  }

  @Test
  void shouldCountTheFeaturesThatDoNotFitTheLimit() {
    List<String> features = IntStream.range(0, 300).mapToObj(i -> "feature_" + i).toList();

    String comment = DriftProcessor.comment(report(features, false));

    assertThat(comment).hasSizeLessThanOrEqualTo(DriftProcessor.MAX_COMMENT)
        .startsWith("drift in window 7 of version 3: drifted features [feature_0, feature_1, ").endsWith(" more]");
    int listed = comment.split(", ").length - 1;
    assertThat(comment).contains("feature_" + (listed - 1) + ", … and " + (300 - listed) + " more]").doesNotContain("feature_" + listed + ",");
    String oneLong = DriftProcessor.comment(report(List.of("f".repeat(1_000)), false));
    assertThat(oneLong).isEqualTo("drift in window 7 of version 3: drifted features [… and 1 more]");
  }

  private static DriftReported report(List<String> drifted, boolean outputDrifted) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    return DriftReported.newBuilder().setEventId("e").setEventTime(now).setProducer("monitor-service").setReportId("r").setModel("m")
        .setVersion(3).setWindow(DriftWindow.newBuilder().setKind(WindowKind.COUNT).setSequence(7).setStart(now).setEnd(now).setPredictions(1000).build())
        .setFeatures(List.of()).setDriftedFeatures(drifted).setDriftedShare(0.5).setShareThreshold(0.5).setOutputDrifted(outputDrifted)
        .setDrifting(true).build();
  }
}
