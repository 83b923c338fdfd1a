package io.kloop.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.DataRecord;
import io.kloop.events.ModelApproved;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.model.IsotonicCalibration;
import io.kloop.monitor.drift.SyntheticModel;
import io.kloop.monitor.truth.TruthEvents;
import io.kloop.schemas.Topics;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Live performance end to end on a real broker, behind the ground-truth join as the monitor wires it: predictions and
 * their labels (posted over HTTP) make windows of served and of labelled predictions, each a
 * {@code PerformanceReported} on its topic and in {@code GET /v1/models/{name}/performance}; a window far below the
 * version's test figure asks for retraining (reason PERFORMANCE, with its evidence); and a monitor stopped in the middle
 * of a labelled window (started again on an empty state directory) finishes it with every label counted once.
 *
 * <p>Everything it waits for and asserts is its own model's (or its model's dataset's): a monitor of a new application
 * id reads the shared topics from the start, other tests' records included, and runs in any order beside them.
 */
class PerformanceIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int WINDOW = 20;
  private static final String APPLICATION_ID = "monitor-performance-" + UUID.randomUUID().toString().substring(0, 8);
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String model = "perf-" + suffix;
  /** The model's dataset: its joined predictions come back as feedback records keyed by it. */
  private final String dataset = "perf-data-" + suffix;
  private ConfigurableApplicationContext monitor;

  @BeforeAll
  static void topics() throws Exception {
    TestKafkaBroker.createPlatformTopics();
  }

  @AfterEach
  void stop() {
    if (monitor != null) {
      monitor.close();
    }
  }

  private ConfigurableApplicationContext start(Path state) {
    return MonitorServiceApplication.builder().run(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--spring.kafka.streams.application-id=" + APPLICATION_ID,
        "--spring.kafka.streams.state-dir=" + state,
        "--kloop.monitor.performance.labelled.size=" + WINDOW,
        "--kloop.monitor.performance.predicted.size=" + WINDOW);
  }

  private WebTestClient http() {
    return WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(30))
        .baseUrl("http://127.0.0.1:" + monitor.getEnvironment().getProperty("local.server.port")).build();
  }

  /**
   * Version 1 serves 0.8 for the class it picks; on its test split that class was right 4 times in 5 (calibrated 0.8),
   * and its test accuracy is 0.9.
   */
  private ModelApproved approval() {
    int[] truth = new int[1000];
    double[][] probabilities = new double[1000][];
    for (int i = 0; i < truth.length; i++) {
      boolean yes = i % 2 == 0;
      probabilities[i] = yes ? new double[] {0.2, 0.8} : new double[] {0.8, 0.2};
      boolean right = i % 5 != 0;
      truth[i] = yes == right ? 1 : 0;
    }
    ModelApproved approval = TruthEvents.approval(model, 1);
    approval.getReferenceProfile().setCalibration(IsotonicCalibration.fit(SyntheticModel.CLASSES, truth, probabilities));
    return approval;
  }

  private static String predicted(int i) {
    return i % 2 == 0 ? "yes" : "no";
  }

  /** Labels for predictions {@code from} to {@code to - 1}: the wrong class for the first {@code wrong} of them. */
  private void label(int from, int to, int wrong) {
    StringBuilder body = new StringBuilder("[");
    for (int i = from; i < to; i++) {
      String label = i - from < wrong ? (predicted(i).equals("yes") ? "no" : "yes") : predicted(i);
      body.append(i == from ? "" : ",").append("{\"predictionId\": \"p-").append(i).append("\", \"label\": \"").append(label).append("\"}");
    }
    http().post().uri("/v1/models/{m}/ground-truth", model).contentType(MediaType.APPLICATION_JSON).bodyValue(body.append("]").toString())
        .exchange().expectStatus().isAccepted();
  }

  @Test
  void shouldReportBothKindsOfWindowsAskForRetrainingOnADropAndCountEveryLabelOnceAcrossARestart(@TempDir Path first, @TempDir Path second) {
    TestEvents.publish(Topics.MODEL_APPROVED.name(), model, approval());
    TestEvents.publish(Topics.MODEL_SPEC_DECLARED.name(), model, TruthEvents.spec(model, dataset, true));
    monitor = start(first);
    for (int i = 0; i < 2 * WINDOW; i++) {
      TestEvents.publish(Topics.PREDICTION_LOGGED.name(), model,
          TruthEvents.prediction(model, 1, "p-" + i, Map.of("x1", 0.5), predicted(i), Instant.now()));
    }
    List<PerformanceReported> served = TestEvents.awaitAtLeast(Topics.PERFORMANCE_REPORTED.name(), model, PerformanceReported.class, 2, TIMEOUT);
    assertThat(served).allSatisfy(report -> {
      assertThat(report.getKind()).isEqualTo(PerformanceWindowKind.PREDICTED);
      assertThat(report.getRealized()).isNull();
      assertThat(report.getWindow().getPredictions()).isEqualTo(WINDOW);
      // every prediction says 0.8, which the calibration maps to 0.8 for either class
      assertThat(report.getEstimated().getAccuracy().getValue()).isCloseTo(0.8, within(1e-9));
      assertThat(report.getExpected().getAccuracy()).isEqualTo(0.9);
    });
    assertThat(served).extracting(r -> r.getWindow().getSequence()).containsExactly(0L, 1L);

    // Half the labelled window, then a stop, a start on an empty state directory, and the other half.
    // The first half is joined and committed once its feedback records are (they commit with the windows' state).
    label(0, WINDOW / 2, WINDOW / 2);
    assertThat(TestEvents.awaitAtLeast(Topics.DATA_RECORD.name(), dataset, DataRecord.class, WINDOW / 2, TIMEOUT)).hasSize(WINDOW / 2);
    monitor.close();
    monitor = start(second);
    label(WINDOW / 2, WINDOW, 5);

    List<PerformanceReported> reports = TestEvents.awaitAtLeast(Topics.PERFORMANCE_REPORTED.name(), model, PerformanceReported.class, 3, TIMEOUT);
    PerformanceReported labelled = reports.stream().filter(r -> r.getKind() == PerformanceWindowKind.LABELLED).findFirst().orElseThrow();
    assertThat(labelled.getRealized().getLabelled()).as("every label once").isEqualTo(WINDOW);
    assertThat(labelled.getRealized().getConfusionMatrix().getCounts().stream().flatMap(List::stream).mapToLong(Long::longValue).sum())
        .isEqualTo(WINDOW);
    // 10 + 5 wrong of 20
    assertThat(labelled.getRealized().getAccuracy().getValue()).isEqualTo(5.0 / WINDOW);
    assertThat(labelled.getRealized().getAccuracy().getUpper()).isLessThan(0.9 - 0.05);
    assertThat(labelled.getEstimated().getAccuracy().getValue()).isCloseTo(0.8, within(1e-9));
    assertThat(labelled.getDropped()).contains("accuracy");
    List<DataRecord> feedback = TestEvents.awaitAtLeast(Topics.DATA_RECORD.name(), dataset, DataRecord.class, WINDOW, TIMEOUT);
    assertThat(feedback).as("every label joined once across the restart").hasSize(WINDOW)
        .extracting(record -> record.getFeedback().getPredictionId()).doesNotHaveDuplicates();

    List<RetrainingRequested> requests = TestEvents.awaitAtLeast(Topics.RETRAINING_REQUESTED.name(), model, RetrainingRequested.class, 1, TIMEOUT);
    assertThat(requests).singleElement().satisfies(request -> {
      assertThat(request.getReason()).isEqualTo(RetrainingReason.PERFORMANCE);
      assertThat(request.getRequestedBy()).isEqualTo(MonitorServiceApplication.NAME);
      assertThat(request.getPerformanceEvidence().getReportId()).isEqualTo(labelled.getReportId());
      assertThat(request.getPerformanceEvidence().getEstimated()).isFalse();
      assertThat(request.getPerformanceEvidence().getVersion()).isEqualTo(1);
      assertThat(request.getPerformanceEvidence().getMetric()).isIn("accuracy", "macroF1");
    });

    http().get().uri("/v1/models/{m}/performance", model).exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.labelled.length()").isEqualTo(1)
        .jsonPath("$.labelled[0].realized.labelled").isEqualTo(WINDOW)
        .jsonPath("$.predicted.length()").isEqualTo(2)
        .jsonPath("$.episode.open").isEqualTo(true)
        .jsonPath("$.tracking.windows").isEqualTo(1)
        .jsonPath("$.tracking.accuracy.meanDifference").value(difference -> assertThat(((Number) difference).doubleValue())
            .as("estimate minus realized").isCloseTo(0.8 - 5.0 / WINDOW, within(1e-9)));
    http().get().uri("/v1/models/{m}/performance?limit=1", model).exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.predicted.length()").isEqualTo(1)
        .jsonPath("$.predicted[0].window.sequence").isEqualTo(1)
        .jsonPath("$.labelled.length()").isEqualTo(1);
    for (String limit : List.of("0", "51", "-1")) {
      http().get().uri("/v1/models/{m}/performance?limit={l}", model, limit).exchange().expectStatus().isBadRequest().expectBody()
          .jsonPath("$.error").isEqualTo("limit must be from 1 to 50 (kloop.monitor.recent-reports), not " + limit);
    }
    http().get().uri("/v1/models/{m}/performance?limit=many", model).exchange().expectStatus().isBadRequest().expectBody()
        .jsonPath("$.error").exists();
    http().get().uri("/v1/models/{m}/drift/report", model).exchange().expectStatus().isOk().expectBody(String.class)
        .value(page -> assertThat(page).contains("<h2>Performance</h2>"));
  }
}
