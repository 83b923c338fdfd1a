package io.kloop.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.ConfusionMatrix;
import io.kloop.events.DriftWindow;
import io.kloop.events.EstimatedPerformance;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.MetricEstimate;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.events.RealizedPerformance;
import io.kloop.events.WindowKind;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The performance gauges from reports made by hand: every realized figure, the confusion matrix, and old versions retired. */
class PerformanceGaugesTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final PerformanceGauges gauges = new PerformanceGauges(meters);

  private static MetricEstimate of(double value) {
    return MetricEstimate.newBuilder().setValue(value).setLower(value).setUpper(value).build();
  }

  private static PerformanceReported report(PerformanceWindowKind kind, int version, long sequence, ConfusionMatrix confusion) {
    return PerformanceReported.newBuilder()
        .setEventId("e").setEventTime(Instant.EPOCH).setProducer("monitor-service").setReportId("r")
        .setModel("churn").setVersion(version).setKind(kind)
        .setWindow(DriftWindow.newBuilder().setKind(WindowKind.COUNT).setSequence(sequence).setStart(Instant.EPOCH).setEnd(Instant.EPOCH)
            .setPredictions(10).build())
        .setRealized(kind == PerformanceWindowKind.PREDICTED ? null : RealizedPerformance.newBuilder().setLabelled(10).setAccuracy(of(0.7))
            .setMacroF1(of(0.65)).setLogLoss(of(0.42)).setBrierScore(of(0.21)).setExpectedCalibrationError(of(0.08)).setConfusionMatrix(confusion).build())
        .setEstimated(EstimatedPerformance.newBuilder().setPredictions(10).setAccuracy(of(0.75)).setMacroF1(of(0.74)).build())
        .setExpected(EvaluationMetrics.newBuilder().setSplit("test").setRows(100).setAccuracy(0.9).setMacroPrecision(0.9).setMacroRecall(0.9)
            .setMacroF1(0.9).setConfusionMatrix(twoClasses()).build())
        .setDropped(List.of()).setNotes(List.of())
        .build();
  }

  private static ConfusionMatrix twoClasses() {
    // 4 no served as no, 1 no served as yes, 2 yes served as no, 3 yes served as yes
    return ConfusionMatrix.newBuilder().setLabels(List.of("no", "yes")).setCounts(List.of(List.of(4L, 1L), List.of(2L, 3L))).build();
  }

  private double gauge(String name, String... tags) {
    return meters.get(name).tags(tags).gauge().value();
  }

  @Test
  void shouldShowEveryRealizedFigureAndTheConfusionMatrixOfTheLastLabelledWindow() {
    gauges.record(report(PerformanceWindowKind.LABELLED, 1, 2, twoClasses()));

    assertThat(gauge("kloop.monitor.performance.accuracy", "model", "churn", "version", "1", "source", "realized")).isEqualTo(0.7);
    assertThat(gauge("kloop.monitor.performance.macro.f1", "model", "churn", "version", "1", "source", "realized")).isEqualTo(0.65);
    assertThat(gauge("kloop.monitor.performance.log.loss", "model", "churn", "version", "1")).isEqualTo(0.42);
    assertThat(gauge("kloop.monitor.performance.brier.score", "model", "churn", "version", "1")).isEqualTo(0.21);
    assertThat(gauge("kloop.monitor.performance.calibration.error", "model", "churn", "version", "1")).isEqualTo(0.08);
    assertThat(gauge("kloop.monitor.performance.labelled.windows", "model", "churn", "version", "1")).isEqualTo(3);
    assertThat(gauge("kloop.monitor.performance.confusion", "model", "churn", "version", "1", "actual", "no", "predicted", "no")).isEqualTo(4);
    assertThat(gauge("kloop.monitor.performance.confusion", "model", "churn", "version", "1", "actual", "no", "predicted", "yes")).isEqualTo(1);
    assertThat(gauge("kloop.monitor.performance.confusion", "model", "churn", "version", "1", "actual", "yes", "predicted", "no")).isEqualTo(2);
    assertThat(gauge("kloop.monitor.performance.confusion", "model", "churn", "version", "1", "actual", "yes", "predicted", "yes")).isEqualTo(3);

    ConfusionMatrix next = ConfusionMatrix.newBuilder().setLabels(List.of("no", "yes")).setCounts(List.of(List.of(5L, 0L), List.of(0L, 5L))).build();
    gauges.record(report(PerformanceWindowKind.LABELLED, 1, 3, next));
    assertThat(gauge("kloop.monitor.performance.confusion", "model", "churn", "version", "1", "actual", "no", "predicted", "yes")).isZero();
    assertThat(gauge("kloop.monitor.performance.labelled.windows", "model", "churn", "version", "1")).isEqualTo(4);
    assertThat(meters.find("kloop.monitor.performance.confusion").gauges()).hasSize(4);
  }

  @Test
  void shouldLeaveOutTheConfusionMatrixOfAModelOfMoreThanTwentyClasses() {
    List<String> labels = IntStream.range(0, 21).mapToObj(c -> "c" + c).toList();
    List<List<Long>> counts = new ArrayList<>();
    for (int row = 0; row < 21; row++) {
      counts.add(IntStream.range(0, 21).mapToObj(column -> 1L).toList());
    }

    gauges.record(report(PerformanceWindowKind.LABELLED, 1, 0, ConfusionMatrix.newBuilder().setLabels(labels).setCounts(counts).build()));

    assertThat(meters.find("kloop.monitor.performance.confusion").gauges()).isEmpty();
    assertThat(gauge("kloop.monitor.performance.log.loss", "model", "churn", "version", "1")).isEqualTo(0.42);
  }

  @Test
  void shouldRemoveTheGaugesOfOlderVersionsOnceANewerOneReportsAServedWindow() {
    gauges.record(report(PerformanceWindowKind.LABELLED, 1, 0, twoClasses()));
    gauges.record(report(PerformanceWindowKind.PREDICTED, 1, 0, null));
    gauges.record(report(PerformanceWindowKind.LABELLED, 2, 0, twoClasses()));
    assertThat(meters.find("kloop.monitor.performance.log.loss").gauges()).as("both versions, until version 2 has served a window").hasSize(2);

    gauges.record(report(PerformanceWindowKind.PREDICTED, 2, 0, null));

    assertThat(meters.getMeters()).allSatisfy(meter -> assertThat(meter.getId().getTag("version")).isEqualTo("2"));
    assertThat(meters.find("kloop.monitor.performance.confusion").gauges()).hasSize(4);
    assertThat(gauge("kloop.monitor.performance.accuracy", "model", "churn", "version", "2", "source", "estimated")).isEqualTo(0.75);
    assertThat(meters.find("kloop.monitor.performance.accuracy").tag("version", "1").gauges()).isEmpty();

    gauges.record(report(PerformanceWindowKind.LABELLED, 1, 1, twoClasses()));
    Gauge late = meters.find("kloop.monitor.performance.log.loss").tag("version", "1").gauge();
    assertThat(late).as("a late labelled window of version 1 shows again").isNotNull();
    assertThat(late.value()).isEqualTo(0.42);
  }
}
