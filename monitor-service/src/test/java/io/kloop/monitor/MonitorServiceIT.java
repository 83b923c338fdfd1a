package io.kloop.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ArtifactRef;
import io.kloop.events.ConfusionMatrix;
import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelSignature;
import io.kloop.events.PredictionLogged;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.WindowKind;
import io.kloop.monitor.drift.SyntheticModel;
import io.kloop.monitor.drift.TextModel;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.KafkaPlatformAutoConfiguration;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import io.kloop.test.TestRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The monitor on a real broker: approvals with reference profiles and logged predictions in, as the
 * registry and inference publish them; reports, detections and retraining requests out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitorServiceIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int WINDOW = 200;
  private static final ReferenceProfile PROFILE = SyntheticModel.reference(42, 2_000, 300);
  private static final ReferenceProfile TEXT_PROFILE = TextModel.reference(25, 2_000);
  private static final SyntheticModel.Scenario STATIONARY = SyntheticModel.Scenario.stationary();
  /** Every normal feature 1.5 standard deviations up and the colours reversed: a different world. */
  private static final SyntheticModel.Scenario DRIFTED = STATIONARY.withMeanShift(0, 1.5).withMeanShift(1, 1.5).withMeanShift(2, 1.5)
      .withMeanShift(3, 1.5).withColours(0.2, 0.3, 0.5);

  private ConfigurableApplicationContext monitor;
  private WebTestClient http;
  private KafkaProducer<String, PredictionLogged> producer;

  @BeforeAll
  void start(@TempDir Path state) {
    monitor = MonitorServiceApplication.builder().run(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--spring.kafka.streams.state-dir=" + state,
        "--kloop.monitor.window.size=" + WINDOW);
    http = WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(30))
        .baseUrl("http://127.0.0.1:" + monitor.getEnvironment().getProperty("local.server.port")).build();
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 5),
        new StringSerializer(), new EventSerializer<>());
  }

  @AfterAll
  void stop() {
    if (producer != null) {
      producer.close();
    }
    if (monitor != null) {
      monitor.close();
    }
  }

  @Test
  void shouldReportEveryWindowAndAskForRetrainingOncePerDriftEpisode() {
    String model = "drifty-" + shortId();
    // Each test its own seeded traffic, so what a test sees never depends on which test ran before it.
    SyntheticModel traffic = new SyntheticModel(7);
    approve(model, 1);

    // Stationary traffic: three windows, none drifting, nothing asked.
    predict(traffic, model, 1, STATIONARY, 3 * WINDOW);
    List<DriftReported> reports = TestEvents.awaitAtLeast(Topics.DRIFT_REPORTED.name(), model, DriftReported.class, 3, TIMEOUT);
    assertThat(reports).hasSize(3).allSatisfy(report -> {
      assertThat(report.getDrifting()).as("stationary window %s: drifted %s", report.getWindow().getSequence(), report.getDriftedFeatures()).isFalse();
      assertThat(report.getWindow().getPredictions()).isEqualTo(WINDOW);
      assertThat(report.getWindow().getKind()).isEqualTo(WindowKind.COUNT);
      assertThat(report.getVersion()).isEqualTo(1);
    });
    assertThat(reports).extracting(report -> report.getWindow().getSequence()).containsExactly(0L, 1L, 2L);
    assertThat(reports.get(0).getFeatures()).extracting(statistic -> statistic.getFeature().toString())
        .contains("x1", "x2", "x3", "x4", "skewed", "colour", "flag", "output");

    // The world changes: every window drifts, and one drift episode asks for retraining once.
    predict(traffic, model, 1, DRIFTED, 3 * WINDOW);
    reports = TestEvents.awaitAtLeast(Topics.DRIFT_REPORTED.name(), model, DriftReported.class, 6, TIMEOUT);
    List<DriftReported> drifted = reports.subList(3, 6);
    assertThat(drifted).allSatisfy(report -> {
      assertThat(report.getDrifting()).isTrue();
      assertThat(report.getDriftedFeatures()).contains("x1", "x2", "x3", "x4", "colour").doesNotContain("skewed", "flag");
      assertThat(report.getDriftedShare()).isGreaterThanOrEqualTo(report.getShareThreshold());
    });
    List<DriftDetected> detected = TestEvents.read(Topics.DRIFT_DETECTED.name(), model, DriftDetected.class);
    assertThat(detected).extracting(d -> d.getReportId().toString()).containsExactlyElementsOf(drifted.stream().map(r -> r.getReportId().toString()).toList());
    List<RetrainingRequested> requests = TestEvents.read(Topics.RETRAINING_REQUESTED.name(), model, RetrainingRequested.class);
    assertThat(requests).singleElement().satisfies(request -> {
      assertThat(request.getReason()).isEqualTo(RetrainingReason.DRIFT);
      assertThat(request.getDriftReportId().toString()).isEqualTo(drifted.get(0).getReportId().toString());
      assertThat(request.getRequestedBy().toString()).isEqualTo("monitor-service");
      assertThat(request.getComment().toString()).contains("x1");
    });

    // Operators see it: the current window per feature, the recent windows, the episode; and a page.
    Map<String, Object> drift = http.get().uri("/v1/models/{m}/drift", model).exchange().expectStatus().isOk()
        .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {}).returnResult().getResponseBody();
    assertThat(drift).containsEntry("model", model).containsEntry("champion", 1);
    assertThat(drift.get("current")).extracting("drifting", "reportId").containsExactly(true, drifted.get(2).getReportId().toString());
    assertThat((List<?>) drift.get("windows")).hasSize(6);
    assertThat(drift.get("episode")).extracting("open", "openedBy").containsExactly(true, drifted.get(0).getReportId().toString());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> features = (List<Map<String, Object>>) drift.get("features");
    assertThat(features).filteredOn(f -> f.get("feature").equals("x1")).singleElement()
        .satisfies(f -> assertThat(f).containsEntry("drifted", true).containsEntry("role", "input"))
        .extracting(f -> (List<?>) f.get("tests")).asList().extracting("test").contains("KOLMOGOROV_SMIRNOV", "PSI", "JENSEN_SHANNON");
    assertThat(features).filteredOn(f -> f.get("feature").equals("skewed")).singleElement().satisfies(f -> assertThat(f).containsEntry("drifted", false));
    assertThat(features).filteredOn(f -> f.get("feature").equals("colour")).singleElement()
        .extracting(f -> (List<?>) f.get("tests")).asList().extracting("test").contains("CHI_SQUARE");
    String page = http.get().uri("/v1/models/{m}/drift/report", model).accept(MediaType.TEXT_HTML).exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(page).contains("<h1>Drift report: " + model + "</h1>").contains("DRIFTING").contains(">x1<").contains("<svg")
        .contains(drifted.get(0).getReportId().toString());
    http.get().uri("/v1/models/{m}/drift", "no-such-model").exchange().expectStatus().isNotFound().expectBody()
        .jsonPath("$.error").isEqualTo("no model named no-such-model has been approved or monitored");

    // Version 2 serves: a new window numbering, its predecessor's episode is over; new drift within the
    // cooldown is detected and reported but asks for nothing more.
    approve(model, 2);
    predict(traffic, model, 2, STATIONARY, WINDOW);
    predict(traffic, model, 2, DRIFTED, WINDOW);
    reports = TestEvents.awaitAtLeast(Topics.DRIFT_REPORTED.name(), model, DriftReported.class, 8, TIMEOUT);
    assertThat(reports.subList(6, 8)).extracting(DriftReported::getVersion, r -> r.getWindow().getSequence(), DriftReported::getDrifting)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(2, 0L, false), org.assertj.core.groups.Tuple.tuple(2, 1L, true));
    // Reports and requests commit in one transaction: the report being readable means any request is too.
    assertThat(TestEvents.read(Topics.RETRAINING_REQUESTED.name(), model, RetrainingRequested.class)).hasSize(1);
    assertThat(TestEvents.read(Topics.DRIFT_DETECTED.name(), model, DriftDetected.class)).hasSize(4);

    // Rolled back to version 1 (the registry re-announces its approval): its predictions are judged again,
    // under report ids never used before.
    approve(model, 1);
    predict(traffic, model, 1, STATIONARY, WINDOW);
    reports = TestEvents.awaitAtLeast(Topics.DRIFT_REPORTED.name(), model, DriftReported.class, 9, TIMEOUT);
    assertThat(reports.get(8)).extracting(DriftReported::getVersion, r -> r.getWindow().getSequence(), DriftReported::getDrifting)
        .containsExactly(1, 0L, false);
    assertThat(reports).extracting(r -> r.getReportId().toString()).doesNotHaveDuplicates();
  }

  @Test
  void shouldDetectVocabularyDriftInATextModelsTraffic() {
    String model = "reviews-" + shortId();
    TextModel traffic = new TextModel(11);
    approve(model, 1, TextModel.signature(), TEXT_PROFILE, TextModel.CLASSES);

    // A window of reviews like the training ones, then one where about 30 % of the words are unseen.
    predictText(traffic, model, 0, WINDOW);
    predictText(traffic, model, 0.3, WINDOW);
    List<DriftReported> reports = TestEvents.awaitAtLeast(Topics.DRIFT_REPORTED.name(), model, DriftReported.class, 2, TIMEOUT);

    assertThat(reports.get(0).getDrifting()).as("drifted %s", reports.get(0).getDriftedFeatures()).isFalse();
    assertThat(reports.get(1).getDrifting()).isTrue();
    assertThat(reports.get(1).getDriftedFeatures()).extracting(CharSequence::toString).contains("review:unseen-tokens");
    assertThat(TestEvents.read(Topics.DRIFT_DETECTED.name(), model, DriftDetected.class)).singleElement()
        .satisfies(detected -> assertThat(detected.getReportId().toString()).isEqualTo(reports.get(1).getReportId().toString()));

    // The API and the page show the text feature's parts as inputs, under their derived names.
    Map<String, Object> drift = http.get().uri("/v1/models/{m}/drift", model).exchange().expectStatus().isOk()
        .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {}).returnResult().getResponseBody();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> features = (List<Map<String, Object>>) drift.get("features");
    assertThat(features).filteredOn(f -> f.get("feature").equals("review:unseen-tokens")).singleElement()
        .satisfies(f -> assertThat(f).containsEntry("drifted", true).containsEntry("role", "input"));
    assertThat(features).extracting(f -> f.get("feature")).contains("review:length", "review:top-tokens");
    String page = http.get().uri("/v1/models/{m}/drift/report", model).accept(MediaType.TEXT_HTML).exchange().expectStatus().isOk()
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(page).contains(">review:unseen-tokens<").contains("DRIFTING");
  }

  @Test
  void shouldDeadLetterPredictionsItCannotUseAndGoOn() throws Exception {
    String model = "poison-" + shortId();
    String otherKey = "someone-else-" + shortId();
    SyntheticModel traffic = new SyntheticModel(8);
    approve(model, 1);
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(Topics.PREDICTION_LOGGED.name(), model, "not avro".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
    }
    producer.send(new ProducerRecord<>(Topics.PREDICTION_LOGGED.name(), otherKey, prediction(traffic, model, 1, STATIONARY)));
    // A name no model can have (training's rule) is not kept under, logged or judged.
    String badName = "Bad Name " + shortId();
    producer.send(new ProducerRecord<>(Topics.PREDICTION_LOGGED.name(), badName, prediction(traffic, badName, 1, STATIONARY)));
    predict(traffic, model, 1, STATIONARY, WINDOW);

    assertThat(TestEvents.awaitAtLeast(Topics.DRIFT_REPORTED.name(), model, DriftReported.class, 1, TIMEOUT)).singleElement()
        .satisfies(report -> assertThat(report.getWindow().getPredictions()).isEqualTo(WINDOW));
    List<ConsumerRecord<byte[], byte[]>> dead = TestRecords.awaitAtLeast(Topics.deadLetter("monitor").name(),
        record -> record.key() != null && List.of(model, otherKey, badName).contains(new String(record.key(), StandardCharsets.UTF_8)), 3);
    assertThat(dead).extracting(record -> new String(record.headers().lastHeader(KafkaPlatformAutoConfiguration.REASON_HEADER).value(),
        StandardCharsets.UTF_8))
        .anySatisfy(reason -> assertThat(reason).contains("is not an Avro single-object encoded event"))
        .anySatisfy(reason -> assertThat(reason).contains("record key '" + otherKey + "' must be the model name '" + model + "'"))
        .anySatisfy(reason -> assertThat(reason).isEqualTo("'" + badName + "' is not a model name: model names are 1 to 63 lower-case letters, "
            + "digits, '.', '_' or '-', starting with a letter or digit"));
  }

  private void approve(String model, int version) {
    approve(model, version, SyntheticModel.signature(), PROFILE, SyntheticModel.CLASSES);
  }

  private void approve(String model, int version, ModelSignature signature, ReferenceProfile profile, List<String> classes) {
    TestEvents.publish(Topics.MODEL_APPROVED.name(), model, approval(model, version, signature, profile, classes));
    await().atMost(TIMEOUT).until(() -> {
      Map<String, Object> drift = http.get().uri("/v1/models/{m}/drift", model).exchange().returnResult(new ParameterizedTypeReference<Map<String, Object>>() {})
          .getResponseBody().blockFirst(Duration.ofSeconds(30));
      return drift != null && Integer.valueOf(version).equals(drift.get("champion"));
    });
  }

  private void predict(SyntheticModel traffic, String model, int version, SyntheticModel.Scenario scenario, int count) {
    for (int i = 0; i < count; i++) {
      producer.send(new ProducerRecord<>(Topics.PREDICTION_LOGGED.name(), model, prediction(traffic, model, version, scenario)));
    }
    producer.flush();
  }

  private void predictText(TextModel traffic, String model, double unseen, int count) {
    for (int i = 0; i < count; i++) {
      Map<String, Object> inputs = new HashMap<>(traffic.next(unseen));
      producer.send(new ProducerRecord<>(Topics.PREDICTION_LOGGED.name(), model, PredictionLogged.newBuilder()
          .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("inference-service")
          .setRequestId(UUID.randomUUID().toString()).setInstanceIndex(0).setModel(model).setVersion(1)
          .setInputs(inputs).setPredictedClass(traffic.predicted()).setProbabilities(new HashMap<>(traffic.probabilities()))
          .setLatencyMicros(50)
          .build()));
    }
    producer.flush();
  }

  private static PredictionLogged prediction(SyntheticModel traffic, String model, int version, SyntheticModel.Scenario scenario) {
    Map<String, Object> inputs = new HashMap<>(traffic.next(scenario));
    return PredictionLogged.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("inference-service")
        .setRequestId(UUID.randomUUID().toString()).setInstanceIndex(0).setModel(model).setVersion(version)
        .setInputs(inputs).setPredictedClass(traffic.predicted()).setProbabilities(new HashMap<>(traffic.probabilities()))
        .setLatencyMicros(50)
        .build();
  }

  private static ModelApproved approval(String model, int version, ModelSignature signature, ReferenceProfile profile, List<String> classes) {
    return ModelApproved.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("registry-service")
        .setModel(model).setVersion(version).setRunId("run-" + version).setDecisionId(UUID.randomUUID().toString())
        .setActor("policy:auto").setReason("test").setPreviousVersion(version > 1 ? version - 1 : null)
        .setArtifact(ArtifactRef.newBuilder().setUri("file:///nowhere").setSha256("0".repeat(64)).setSizeBytes(1).setMediaType("application/onnx").build())
        .setSignature(signature)
        .setReferenceProfile(profile)
        .setMetrics(EvaluationMetrics.newBuilder().setSplit("test").setRows(10).setAccuracy(0.9).setMacroPrecision(0.9).setMacroRecall(0.9)
            .setMacroF1(0.9).setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(classes)
                .setCounts(List.of(List.of(5L, 0L), List.of(1L, 4L))).build()).build())
        .build();
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
