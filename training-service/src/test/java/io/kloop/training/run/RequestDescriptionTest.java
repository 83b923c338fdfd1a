package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.DriftWindow;
import io.kloop.events.MetricEstimate;
import io.kloop.events.PerformanceEvidence;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.WindowKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestDescriptionTest {

  @Test
  void shouldSayWhichMetricDroppedHowFarInWhichWindowForAPerformanceRequest() {
    PerformanceEvidence evidence = PerformanceEvidence.newBuilder().setReportId("perf-42").setVersion(3)
        .setWindow(DriftWindow.newBuilder().setKind(WindowKind.COUNT).setSequence(7).setStart(Instant.parse("2026-03-01T10:00:00Z"))
            .setEnd(Instant.parse("2026-03-01T10:05:00Z")).setPredictions(500).build())
        .setEstimated(false).setMetric("accuracy").setExpected(0.95)
        .setObserved(MetricEstimate.newBuilder().setValue(0.8124).setLower(0.7756).setUpper(0.8459).build()).setTolerance(0.05).build();

    String text = RequestDescription.of(request(RetrainingReason.PERFORMANCE, "monitor-service").setPerformanceEvidence(evidence).build());

    assertThat(text).isEqualTo("PERFORMANCE requested by monitor-service: accuracy 0.812 [0.776, 0.846] measured on labels, expected 0.950 "
        + "(version 3's test split), tolerance 0.050; window 7 of 500 predictions from 2026-03-01T10:00:00Z to 2026-03-01T10:05:00Z; "
        + "performance report perf-42");
    evidence.setEstimated(true);
    assertThat(RequestDescription.of(request(RetrainingReason.PERFORMANCE, "monitor-service").setPerformanceEvidence(evidence).build()))
        .contains("0.812 [0.776, 0.846] estimated (CBPE)");
    assertThat(RequestDescription.of(request(RetrainingReason.PERFORMANCE, "monitor-service").build()))
        .isEqualTo("PERFORMANCE requested by monitor-service, without evidence");
  }

  @Test
  void shouldNameTheReasonTheRequesterTheDriftReportAndTheComment() {
    assertThat(RequestDescription.of(request(RetrainingReason.DRIFT, "monitor-service").setDriftReportId("d-1").build()))
        .isEqualTo("DRIFT requested by monitor-service, drift report d-1");
    assertThat(RequestDescription.of(request(RetrainingReason.OTHER, "cron-job").setComment("  nightly refresh ").build()))
        .isEqualTo("OTHER requested by cron-job (nightly refresh)");
    assertThat(RequestDescription.of(request(RetrainingReason.SCHEDULE, "training-service")
        .setComment("schedule '0 0 3 * * *' (UTC) fired at 2026-03-01T03:00:00Z").build()))
        .isEqualTo("SCHEDULE requested by training-service (schedule '0 0 3 * * *' (UTC) fired at 2026-03-01T03:00:00Z)");
  }

  @Test
  void shouldStayBoundedAndFreeOfControlCharactersWhateverAProducerWrote() {
    String hostile = "x\u0000\u001b[31m" + "y".repeat(100_000);

    String text = RequestDescription.of(request(RetrainingReason.MANUAL, hostile).setComment(hostile).setDriftReportId(hostile).build());

    assertThat(text).hasSizeLessThanOrEqualTo(RequestDescription.MAX_CHARS).doesNotContain("\u0000", "\u001b")
        .startsWith("MANUAL requested by x??[31m");
  }

  private static RetrainingRequested.Builder request(RetrainingReason reason, String by) {
    return RetrainingRequested.newBuilder().setEventId("r").setEventTime(Instant.parse("2026-03-01T10:06:00Z")).setProducer("p").setModel("m")
        .setReason(reason).setRequestedBy(by);
  }
}
