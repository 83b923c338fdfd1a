package io.kloop.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.DataRecord;
import io.kloop.events.GroundTruthReported;
import io.kloop.monitor.truth.TruthEvents;
import io.kloop.schemas.Topics;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import io.kloop.test.TestRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * Ground truth end to end on a real broker: labels posted over HTTP become {@code GroundTruthReported} events, join
 * their predictions and go back into ingest's pipeline as feedback records of the model's dataset; and a monitor
 * stopped between a prediction and its label loses nothing and counts nothing twice.
 */
class GroundTruthIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final Map<String, Object> INPUTS = Map.of("x1", 0.25, "colour", "green", "flag", false);

  /**
   * The class's one application id: each monitor started here goes on from where the last one committed, so what a
   * monitor counts is what its own test sent (a new application id would read every label and prediction of the
   * shared topics again).
   */
  private static final String APPLICATION_ID = "monitor-truth-" + UUID.randomUUID().toString().substring(0, 8);
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private ConfigurableApplicationContext monitor;

  /** The approval and the spec are written before the monitor (which would otherwise create the topics) starts. */
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

  /** A monitor with the class's application id and a state directory of its own. */
  private ConfigurableApplicationContext start(Path state) {
    return MonitorServiceApplication.builder().run(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--spring.kafka.streams.application-id=" + APPLICATION_ID,
        "--spring.kafka.streams.state-dir=" + state);
  }

  private static WebTestClient http(ConfigurableApplicationContext monitor) {
    return WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(30))
        .baseUrl("http://127.0.0.1:" + monitor.getEnvironment().getProperty("local.server.port")).build();
  }

  private static double count(ConfigurableApplicationContext monitor, String name, String outcome) {
    var counter = monitor.getBean(MeterRegistry.class).find(name).tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  /** The model is approved and its spec declared before the monitor starts: both are read at start-up. */
  private void declare(String model, String dataset) {
    TestEvents.publish(Topics.MODEL_APPROVED.name(), model, TruthEvents.approval(model, 1));
    TestEvents.publish(Topics.MODEL_SPEC_DECLARED.name(), model, TruthEvents.spec(model, dataset, true));
  }

  private static void predict(String model, String id) {
    TestEvents.publish(Topics.PREDICTION_LOGGED.name(), model, TruthEvents.prediction(model, 1, id, INPUTS, "no", Instant.now()));
  }

  private static String recordId(String model, String id) {
    return "feedback-" + UUID.nameUUIDFromBytes((model + "\0" + id).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldTurnPostedLabelsIntoFeedbackRecordsOfTheModelsDataset(@TempDir Path state) {
    String model = "truth-" + suffix;
    String dataset = "truth-data-" + suffix;
    declare(model, dataset);
    monitor = start(state);
    predict(model, "order-1");
    predict(model, "order-2");
    predict(model, "order-3");

    http(monitor).post().uri("/v1/models/{m}/ground-truth", model).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("[{\"predictionId\": \"order-1\", \"label\": \"yes\", \"observedTime\": \"2026-03-04T05:06:07Z\"},"
            + " {\"predictionId\": \"order-2\", \"label\": \"no\"}]")
        .exchange().expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(2);
    http(monitor).post().uri("/v1/models/{m}/ground-truth", model).contentType(MediaType.parseMediaType("application/x-ndjson"))
        .bodyValue("{\"predictionId\": \"order-3\", \"label\": \"yes\"}\n\n{\"predictionId\": \"order-404\", \"label\": \"yes\"}\n")
        .exchange().expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(2);

    List<GroundTruthReported> labels = TestEvents.awaitAtLeast(Topics.GROUND_TRUTH_REPORTED.name(), model, GroundTruthReported.class, 4, TIMEOUT);
    assertThat(labels).extracting(GroundTruthReported::getPredictionId).containsExactly("order-1", "order-2", "order-3", "order-404");
    assertThat(labels).allSatisfy(label -> {
      assertThat(label.getSource()).isEqualTo("http:anonymous");
      assertThat(label.getProducer()).isEqualTo(MonitorServiceApplication.NAME);
    });
    assertThat(labels.get(0).getObservedTime()).isEqualTo(Instant.parse("2026-03-04T05:06:07Z"));

    List<DataRecord> records = TestEvents.awaitAtLeast(Topics.DATA_RECORD.name(), dataset, DataRecord.class, 3, TIMEOUT);
    assertThat(records).extracting(DataRecord::getRecordId).containsExactlyInAnyOrder(recordId(model, "order-1"), recordId(model, "order-2"),
        recordId(model, "order-3"));
    DataRecord first = records.stream().filter(r -> r.getFeedback().getPredictionId().equals("order-1")).findFirst().orElseThrow();
    assertThat(first.getLabel()).isEqualTo("yes");
    assertThat(first.getFeatures()).isEqualTo(INPUTS);
    assertThat(first.getEventTime()).isEqualTo(Instant.parse("2026-03-04T05:06:07Z"));
    assertThat(first.getFeedback().getModel()).isEqualTo(model);
    assertThat(first.getFeedback().getVersion()).isEqualTo(1);
    await().atMost(TIMEOUT).until(() -> count(monitor, "kloop.monitor.ground-truth", "joined") == 3);
  }

  @Test
  void shouldLoseNothingAndCountNothingTwiceWhenStoppedBetweenAPredictionAndItsLabel(@TempDir Path first, @TempDir Path second)
      throws Exception {
    String model = "restart-" + suffix;
    String dataset = "restart-data-" + suffix;
    declare(model, dataset);
    monitor = start(first);
    predict(model, "p-1");
    ConfigurableApplicationContext before = monitor;
    await().atMost(TIMEOUT).until(() -> count(before, "kloop.monitor.ground-truth.predictions", "waiting") == 1);
    monitor.close();
    monitor = null;

    // Another state directory: the waiting prediction must come back from the changelog, not from local files.
    assertThat(Files.list(second)).isEmpty();
    monitor = start(second);
    http(monitor).post().uri("/v1/models/{m}/ground-truth", model).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("[{\"predictionId\": \"p-1\", \"label\": \"yes\"}]")
        .exchange().expectStatus().isAccepted();

    List<DataRecord> records = TestEvents.awaitAtLeast(Topics.DATA_RECORD.name(), dataset, DataRecord.class, 1, TIMEOUT);
    assertThat(records).singleElement().satisfies(record -> {
      assertThat(record.getRecordId()).isEqualTo(recordId(model, "p-1"));
      assertThat(record.getLabel()).isEqualTo("yes");
      assertThat(record.getFeatures()).isEqualTo(INPUTS);
    });
    ConfigurableApplicationContext after = monitor;
    await().atMost(TIMEOUT).until(() -> count(after, "kloop.monitor.ground-truth", "joined") == 1);
    assertThat(count(after, "kloop.monitor.ground-truth.predictions", "waiting")).as("the prediction was not read again").isZero();
    assertThat(count(after, "kloop.monitor.ground-truth", "unknown")).isZero();

    // A second label of the same prediction is a duplicate: dead-lettered, and still one feedback record.
    http(monitor).post().uri("/v1/models/{m}/ground-truth", model).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("[{\"predictionId\": \"p-1\", \"label\": \"no\"}]")
        .exchange().expectStatus().isAccepted();
    await().atMost(TIMEOUT).until(() -> count(after, "kloop.monitor.ground-truth", "duplicate") == 1);
    List<String> reasons = TestRecords.readToEnd(Topics.deadLetter(MonitorServiceApplication.NAME).name(), TestRecords.keyed(model)).stream()
        .map(r -> new String(r.headers().lastHeader("kloop.dlt.reason").value(), StandardCharsets.UTF_8)).toList();
    assertThat(reasons).containsExactly("prediction p-1 of model " + model + " was joined to a label already");
    assertThat(TestEvents.read(Topics.DATA_RECORD.name(), dataset, DataRecord.class)).hasSize(1);
    assertThat(count(after, "kloop.monitor.ground-truth", "joined")).isEqualTo(1);
  }
}
