package io.kloop.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.Calibration;
import io.kloop.events.ClassCalibration;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelTrained;
import io.kloop.events.TrainingFailed;
import io.kloop.model.OnnxClassifier;
import io.kloop.producer.SourceRecord;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.test.TestEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The training service on a real broker: batches of the shipped breast-cancer data committed as ingest
 * would commit them, a champion approved as the registry would approve it, retraining requests over HTTP.
 *
 * <p>The tests share one service, and so its one run slot: a run has a time limit of {@value #SERVICE_RUN_TIMEOUT},
 * and after each test every run of this class's models still going is cancelled, so that a test that fails half-way
 * cannot keep the slot from the next ones.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingServiceIT {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
  /** The service's {@code kloop.training.run-timeout}: a run left going stops by itself after this long. */
  private static final String SERVICE_RUN_TIMEOUT = "3m";
  /** The cooldown of {@link #shouldHonourTheCooldownBetweenRunsStartedByNewData()}: long beside how soon its new data arrives. */
  private static final Duration COOLDOWN = Duration.ofSeconds(30);
  private static final String CONFIGURED = "configured-" + shortId();

  private TrainingFixtures fixtures;
  private ConfigurableApplicationContext training;
  private WebTestClient http;
  private LocalArtifactStore store;
  /** The models this class declared: after each test, none of them may still run or wait to run. */
  private final Set<String> declared = ConcurrentHashMap.newKeySet();

  @BeforeAll
  void start(@TempDir Path home) {
    fixtures = new TrainingFixtures(home);
    training = fixtures.start(
        "--kloop.training.run-timeout=" + SERVICE_RUN_TIMEOUT,
        "--kloop.training.models." + CONFIGURED + ".dataset=configured-data",
        "--kloop.training.models." + CONFIGURED + ".algorithms=liblinear,factorization-machine",
        "--kloop.training.models." + CONFIGURED + ".grid.liblinear.cost=0.5,2",
        "--kloop.training.models." + CONFIGURED + ".window=last-batches:3",
        "--kloop.training.models." + CONFIGURED + ".cooldown=5m");
    http = TrainingFixtures.http(training);
    store = fixtures.store();
  }

  @AfterAll
  void stop() {
    training.close();
  }

  /**
   * Frees the run slot for the next test: cancels every run still going (a test that failed half-way may have left
   * one, or requests that start one after it), until none of this class's models runs or waits to run.
   */
  @AfterEach
  void cancelEveryRunLeftGoing() {
    await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
      List<?> runs = http.get().uri("/v1/runs?limit=100").exchange().expectStatus().isOk().expectBody(List.class).returnResult().getResponseBody();
      List<String> running = runs.stream().map(run -> (Map<?, ?>) run).filter(run -> "RUNNING".equals(run.get("status")))
          .map(run -> run.get("runId").toString()).toList();
      // 202: stopping; 409: it ended meanwhile.
      running.forEach(runId -> http.post().uri("/v1/runs/{runId}/cancel", runId).exchange().expectStatus()
          .value(status -> assertThat(status).isIn(202, 409)));
      return running.isEmpty() && declared.stream().map(this::status)
          .allMatch(status -> Boolean.FALSE.equals(status.get("running")) && ((List<?>) status.get("pending")).isEmpty());
    });
  }

  @Test
  void shouldTrainWhenEnoughRowsArriveAndScoreTheChampionOnTheSameSplitInTheNextRun() {
    String dataset = "bc-" + shortId();
    String model = "tumours-" + shortId();
    declareModel(model, dataset, """
        {"dataset": "%s", "algorithms": [{"algorithm": "logistic-regression"}, {"algorithm": "liblinear", "grid": {"cost": [0.1, 1]}}],
         "minNewRows": 500, "cooldown": "0s"}""".formatted(dataset), 201);
    declareBreastCancer(dataset);
    List<DatasetBatchCommitted> batches = commitBreastCancer(dataset, 200);

    ModelTrained first = TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), model, ModelTrained.class, 1, RUN_TIMEOUT).get(0);

    assertThat(first.getTrigger()).isEqualTo("new-data");
    assertThat(first.getLineage()).as("the run starts only once 500 rows arrived, with all three batches")
        .extracting(ref -> ref.getBatchId()).containsExactlyElementsOf(batches.stream().map(DatasetBatchCommitted::getBatchId).toList());
    assertThat(first.getLineage()).extracting(ref -> ref.getSha256()).containsExactlyElementsOf(batches.stream().map(b -> b.getArtifact().getSha256()).toList());
    assertThat(first.getMetrics().getAccuracy()).isGreaterThanOrEqualTo(0.95);
    assertThat(first.getMetrics().getSplit()).isEqualTo("test");
    assertThat(first.getChampionVersion()).isNull();
    assertThat(first.getChampionMetrics()).isNull();
    assertThat(first.getSignature().getInputs()).hasSize(30);
    assertThat(first.getReferenceProfile().getFeatures()).hasSize(30);
    assertThat(first.getCodeVersion()).isNotBlank();
    assertThat(first.getAlgorithm()).isIn("logistic-regression", "liblinear");
    assertThat(first.getHyperparameters()).isNotEmpty();
    assertThat(first.getMetrics().getBrierScore()).isBetween(0.0, 0.2);
    assertThat(first.getMetrics().getExpectedCalibrationError()).isBetween(0.0, 0.2);
    // The calibration for CBPE: one map per output class, in the signature's order, fitted on the test split.
    Calibration calibration = first.getReferenceProfile().getCalibration();
    assertThat(calibration).isNotNull();
    assertThat(calibration.getRows()).isEqualTo(first.getMetrics().getRows());
    assertThat(calibration.getClasses()).extracting(ClassCalibration::getLabel).containsExactlyElementsOf(first.getSignature().getOutputClasses());
    assertThat(calibration.getClasses()).allSatisfy(map -> {
      assertThat(map.getValues()).isNotEmpty().hasSameSizeAs(map.getThresholds()).isSorted();
      assertThat(map.getThresholds()).isSorted();
    });
    // The stored ONNX file, run by ONNX Runtime on the test split, predicts exactly as the reported metrics say.
    assertThat(onnxAccuracyOnTestSplit(first)).isEqualTo(first.getMetrics().getAccuracy());

    approve(model, 1, first);
    await().atMost(RUN_TIMEOUT).until(() -> Integer.valueOf(1).equals(modelView(model).get("championVersion")));
    String requestId = requestRun(model);

    ModelTrained second = TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), model, ModelTrained.class, 2, RUN_TIMEOUT).get(1);
    assertThat(second.getTrigger()).isEqualTo(requestId);
    assertThat(second.getChampionVersion()).isEqualTo(1);
    assertThat(second.getChampionMetrics()).isNotNull();
    assertThat(second.getChampionMetrics().getRows()).isEqualTo(second.getMetrics().getRows());
    assertThat(second.getChampionMetrics().getAccuracy()).as("the champion scored on the same split as when it was trained")
        .isEqualTo(first.getMetrics().getAccuracy());
    assertThat(second.getChampionMetrics().getBrierScore()).as("by the same metric code (ONNX's float probabilities)")
        .isCloseTo(first.getMetrics().getBrierScore(), org.assertj.core.data.Offset.offset(1e-4));
    assertThat(second.getChampionMetrics().getExpectedCalibrationError()).isNotNull();

    http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class)
        .value(metrics -> assertThat(metrics).contains("kloop_training_phase_seconds_count{", "model=\"" + model + "\"", "phase=\"verify\"")
            .contains("kloop_training_runs_total{"));
    http.get().uri("/v1/models/{name}/runs", model).exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(2)
        .jsonPath("$[0].status").isEqualTo("SUCCEEDED")
        .jsonPath("$[0].triggers[0]").isEqualTo(requestId)
        .jsonPath("$[0].causes[0]").isEqualTo("MANUAL requested by test")
        .jsonPath("$[0].testMetrics.brierScore").isEqualTo(second.getMetrics().getBrierScore())
        .jsonPath("$[0].testMetrics.expectedCalibrationError").isEqualTo(second.getMetrics().getExpectedCalibrationError())
        .jsonPath("$[0].data.rows").isEqualTo(569)
        .jsonPath("$[0].data.feedbackRows").isEqualTo(0)
        .jsonPath("$[1].causes[0]").isEqualTo("new data: enough rows committed since the model's last run")
        .jsonPath("$[0].phases[?(@.name == 'champion')]").exists()
        .jsonPath("$[1].status").isEqualTo("SUCCEEDED");
  }

  @Test
  void shouldAnnounceTrainingFailedForABatchWhoseHashDoesNotMatchAndKeepServing() throws IOException {
    String dataset = "bc-" + shortId();
    String model = "corrupt-" + shortId();
    declareModel(model, dataset, """
        {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], "minNewRows": 100000}""".formatted(dataset), 201);
    declareBreastCancer(dataset);
    List<DatasetBatchCommitted> batches = commitBreastCancer(dataset, 300);
    DatasetBatchCommitted corrupted = batches.get(1);
    Files.write(Path.of(java.net.URI.create(corrupted.getArtifact().getUri())), "not the batch any more".getBytes());

    String requestId = requestRun(model);

    TrainingFailed failed = TestEvents.awaitAtLeast(Topics.TRAINING_FAILED.name(), model, TrainingFailed.class, 1, RUN_TIMEOUT).get(0);
    assertThat(failed.getTrigger()).isEqualTo(requestId);
    assertThat(failed.getPhase()).isEqualTo("read");
    assertThat(failed.getReason()).contains(corrupted.getBatchId()).containsIgnoringCase("sha-256");
    assertThat(failed.getLineage()).hasSize(2);
    http.get().uri("/v1/models/{name}/runs", model).exchange().expectStatus().isOk().expectBody()
        .jsonPath("$[0].status").isEqualTo("FAILED")
        .jsonPath("$[0].phase").isEqualTo("read");
    http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
  }

  @Test
  void shouldCoalesceRequestsThatArriveDuringARunIntoExactlyOneFollowUpRun() {
    String dataset = "bc-" + shortId();
    String model = "busy-" + shortId();
    // A first run that trains for many minutes, so that the requests surely arrive during it; it is cancelled
    // once they wait, and the follow-up run uses the cheaper spec declared meanwhile.
    declareModel(model, dataset, """
        {"dataset": "%s", "minNewRows": 100000,
         "algorithms": [{"algorithm": "factorization-machine", "grid": {"epochs": [1000], "factors": [100]}}]}
        """.formatted(dataset), 201);
    declareBreastCancer(dataset);
    commitBreastCancer(dataset, 300);

    String firstRequest = requestRun(model);
    String firstRun = await().atMost(RUN_TIMEOUT).until(() -> {
      List<?> runs = http.get().uri("/v1/models/{name}/runs", model).exchange().expectStatus().isOk()
          .expectBody(List.class).returnResult().getResponseBody();
      return runs.isEmpty() || !"RUNNING".equals(((Map<?, ?>) runs.get(0)).get("status")) ? null : ((Map<?, ?>) runs.get(0)).get("runId").toString();
    }, java.util.Objects::nonNull);
    List<String> duringTheRun;
    int cancelled;
    try {
      duringTheRun = List.of(requestRun(model), requestRun(model), requestRun(model));
      await().atMost(RUN_TIMEOUT).until(() -> ((List<?>) status(model).get("pending")).size() == 3);
      assertThat(TestEvents.read(Topics.MODEL_TRAINED.name(), model, ModelTrained.class)).as("all three arrived during the first run").isEmpty();
      declareModel(model, dataset, """
          {"dataset": "%s", "minNewRows": 100000, "algorithms": [{"algorithm": "liblinear"}]}""".formatted(dataset), 200);
    } finally {
      // Even when the test failed above: the heavy run must not keep the slot.
      cancelled = http.post().uri("/v1/runs/{runId}/cancel", firstRun).exchange().expectBody(String.class).returnResult().getStatus().value();
    }
    assertThat(cancelled).as("the answer to the cancellation").isEqualTo(202);

    ModelTrained followUp = TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), model, ModelTrained.class, 1, RUN_TIMEOUT).get(0);
    await().atMost(RUN_TIMEOUT).until(() -> Boolean.FALSE.equals(status(model).get("running")));

    assertThat(status(model).get("pending")).asList().isEmpty();
    List<TrainingFailed> failed = TestEvents.read(Topics.TRAINING_FAILED.name(), model, TrainingFailed.class);
    assertThat(failed).singleElement().satisfies(first -> {
      assertThat(first.getTrigger()).isEqualTo(firstRequest);
      assertThat(first.getReason()).startsWith("cancelled by http over HTTP");
    });
    assertThat(TestEvents.read(Topics.MODEL_TRAINED.name(), model, ModelTrained.class)).hasSize(1);
    assertThat(followUp.getTrigger().split(",")).containsExactlyInAnyOrderElementsOf(duringTheRun);
    assertThat(followUp.getAlgorithm()).isEqualTo("liblinear");
  }

  @Test
  void shouldHonourTheCooldownBetweenRunsStartedByNewData() {
    String dataset = "bc-" + shortId();
    String model = "cool-" + shortId();
    declareModel(model, dataset, """
        {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], "minNewRows": 500, "cooldown": "%ds"}"""
        .formatted(dataset, COOLDOWN.toSeconds()), 201);
    declareBreastCancer(dataset);
    commitBreastCancer(dataset, 300);
    ModelTrained first = TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), model, ModelTrained.class, 1, RUN_TIMEOUT).get(0);

    // Enough new rows again at once (the same records under new batch ids), but the cooldown holds the run back.
    List<DatasetBatchCommitted> again = commitBreastCancer(dataset, 569, "again");
    // The service has handled them (its listener commits after handling) well within the cooldown: without it,
    // the second run would have started by now.
    TrainingFixtures.awaitNoLag(TrainingFixtures.NEW_DATA_GROUP, Topics.DATASET_BATCH_COMMITTED.name(), RUN_TIMEOUT);
    Instant handled = Instant.now();
    assertThat(handled).as("the new data was handled within the cooldown of the first run, which started at %s", first.getStartedAt())
        .isBefore(first.getStartedAt().plus(COOLDOWN));
    ModelTrained second = TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), model, ModelTrained.class, 2, Duration.ofSeconds(120)).get(1);

    assertThat(second.getTrigger()).isEqualTo("new-data");
    assertThat(Duration.between(first.getStartedAt(), second.getStartedAt())).as("second run started after the first")
        .isGreaterThanOrEqualTo(COOLDOWN);
    assertThat(second.getLineage()).extracting(ref -> ref.getBatchId()).contains(again.get(0).getBatchId());
  }

  @Test
  void shouldTrainOnAPerformanceRequestOnceEvenWhenItIsDeliveredTwiceAndCountTheFeedbackRowsItReads() {
    String dataset = "bc-" + shortId();
    String model = "served-" + shortId();
    declareModel(model, dataset, """
        {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], "minNewRows": 100000}""".formatted(dataset), 201);
    declareBreastCancer(dataset);
    List<DatasetBatchCommitted> plain = commitBreastCancer(dataset, 300);
    // The same records again, this time as labels joined to served predictions (300 + 269 rows).
    List<DatasetBatchCommitted> feedback = fixtures.commitBreastCancer(dataset, 300, "fb", model);
    TrainingFixtures.awaitNoLag(TrainingFixtures.NEW_DATA_GROUP, Topics.DATASET_BATCH_COMMITTED.name(), RUN_TIMEOUT);
    io.kloop.events.RetrainingRequested request = retrainingRequest(model);
    request.setReason(io.kloop.events.RetrainingReason.PERFORMANCE);
    request.setPerformanceEvidence(io.kloop.events.PerformanceEvidence.newBuilder().setReportId("perf-" + shortId()).setVersion(1)
        .setWindow(io.kloop.events.DriftWindow.newBuilder().setKind(io.kloop.events.WindowKind.COUNT).setSequence(4)
            .setStart(Instant.parse("2026-03-01T10:00:00Z")).setEnd(Instant.parse("2026-03-01T10:05:00Z")).setPredictions(500).build())
        .setEstimated(false).setMetric("accuracy").setExpected(0.96)
        .setObserved(io.kloop.events.MetricEstimate.newBuilder().setValue(0.81).setLower(0.774).setUpper(0.842).build()).setTolerance(0.05)
        .build());

    TestEvents.publish(Topics.RETRAINING_REQUESTED.name(), model, request);
    ModelTrained trained = TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), model, ModelTrained.class, 1, RUN_TIMEOUT).get(0);
    await().atMost(RUN_TIMEOUT).until(() -> Boolean.FALSE.equals(status(model).get("running")));
    // The same request again (a redelivery): taken before, so no second run.
    TestEvents.publish(Topics.RETRAINING_REQUESTED.name(), model, request);
    TrainingFixtures.awaitNoLag(TrainingFixtures.RETRAINING_GROUP, Topics.RETRAINING_REQUESTED.name(), RUN_TIMEOUT);

    assertThat(trained.getTrigger()).isEqualTo(request.getEventId());
    assertThat(trained.getLineage()).extracting(ref -> ref.getFeedbackRows()).containsExactly(0L, 0L, 300L, 269L);
    assertThat(trained.getLineage()).extracting(ref -> ref.getBatchId())
        .containsExactlyElementsOf(java.util.stream.Stream.concat(plain.stream(), feedback.stream()).map(DatasetBatchCommitted::getBatchId).toList());
    assertThat(status(model).get("running")).as("the redelivery started nothing").isEqualTo(false);
    assertThat((List<?>) status(model).get("pending")).isEmpty();
    http.get().uri("/v1/models/{name}/runs", model).exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(1)
        .jsonPath("$[0].triggers[0]").isEqualTo(request.getEventId())
        .jsonPath("$[0].causes[0]").isEqualTo("PERFORMANCE requested by monitor-service: accuracy 0.810 [0.774, 0.842] measured on labels, "
            + "expected 0.960 (version 1's test split), tolerance 0.050; window 4 of 500 predictions from 2026-03-01T10:00:00Z to "
            + "2026-03-01T10:05:00Z; performance report " + request.getPerformanceEvidence().getReportId())
        .jsonPath("$[0].data.batches").isEqualTo(4)
        .jsonPath("$[0].data.rows").isEqualTo(2 * 569)
        .jsonPath("$[0].data.feedbackRows").isEqualTo(569);
    assertThat(TestEvents.read(Topics.MODEL_TRAINED.name(), model, ModelTrained.class)).hasSize(1);
  }

  @Test
  void shouldStoreAndShowTheScheduleAndTheFeedbackSwitchOfASpecAndRefuseABadSchedule() {
    String model = "planned-" + shortId();
    String dataset = "bc-" + shortId();
    declareModel(model, dataset, """
        {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], "minNewRows": 100000, "schedule": "0 0 3 * * MON-FRI",
         "feedback": false}""".formatted(dataset), 201);

    http.get().uri("/v1/models/{name}", model).exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.spec.schedule").isEqualTo("0 0 3 * * MON-FRI")
        .jsonPath("$.spec.feedback").isEqualTo(false);
    io.kloop.events.ModelSpecDeclared stored = TestEvents.read(Topics.MODEL_SPEC_DECLARED.name(), model, io.kloop.events.ModelSpecDeclared.class).get(0);
    assertThat(stored.getSchedule()).isEqualTo("0 0 3 * * MON-FRI");
    assertThat(stored.getFeedback()).isFalse();

    // Left out: no schedule, feedback on; a changed spec.
    http.put().uri("/v1/models/{name}", model).contentType(MediaType.APPLICATION_JSON).bodyValue("""
        {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], "minNewRows": 100000}""".formatted(dataset))
        .exchange().expectStatus().isOk().expectHeader().valueEquals("X-Kloop-Spec-Outcome", "updated").expectBody()
        .jsonPath("$.spec.schedule").doesNotExist()
        .jsonPath("$.spec.feedback").isEqualTo(true);

    for (String[] bad : List.of(new String[] {"\"* * * * * *\"", "fires more than once a minute"},
        new String[] {"\"0 3 * * *\"", "is not a cron expression of six fields"}, new String[] {"\"0 0 0 30 2 *\"", "never fires"})) {
      http.put().uri("/v1/models/{name}", model).contentType(MediaType.APPLICATION_JSON).bodyValue("""
          {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], "schedule": %s}""".formatted(dataset, bad[0]))
          .exchange().expectStatus().isBadRequest().expectBody()
          .jsonPath("$.error").isEqualTo("invalid model spec")
          .jsonPath("$.problems[0]").value(problem -> assertThat(problem.toString()).contains(bad[1]));
    }
    for (String wrongType : List.of("\"schedule\": 5", "\"feedback\": \"no\"", "\"feedback\": 1")) {
      http.put().uri("/v1/models/{name}", model).contentType(MediaType.APPLICATION_JSON).bodyValue("""
          {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], %s}""".formatted(dataset, wrongType))
          .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error").exists();
    }
    http.get().uri("/v1/models/{name}", model).exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.spec.schedule").doesNotExist();
  }

  @Test
  void shouldStoreModelsDeclaredInConfigurationAsSpecEvents() {
    http.get().uri("/v1/models/{name}", CONFIGURED).exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.spec.dataset").isEqualTo("configured-data")
        .jsonPath("$.spec.algorithms[0].algorithm").isEqualTo("liblinear")
        .jsonPath("$.spec.algorithms[0].grid.cost").isEqualTo(List.of("0.5", "2"))
        .jsonPath("$.spec.algorithms[1].algorithm").isEqualTo("factorization-machine")
        .jsonPath("$.spec.window").isEqualTo("last-batches:3")
        .jsonPath("$.spec.cooldown").isEqualTo("5m")
        .jsonPath("$.spec.minNewRows").isEqualTo(100);
    List<io.kloop.events.ModelSpecDeclared> stored = TestEvents.read(Topics.MODEL_SPEC_DECLARED.name(), CONFIGURED, io.kloop.events.ModelSpecDeclared.class);
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).getDeclaredBy()).isEqualTo("configuration");
    assertThat(stored.get(0).getWindow().getSize()).isEqualTo(3);
  }

  @Test
  void shouldRejectAnInvalidModelSpecWithEveryProblem() {
    http.put().uri("/v1/models/{name}", "bad-" + shortId()).contentType(MediaType.APPLICATION_JSON).bodyValue("""
        {"algorithms": [{"algorithm": "random-forest"}, {"algorithm": "liblinear", "grid": {"cost": [-1], "depth": [3]}}],
         "minNewRows": 0, "window": "last-weeks:2", "cooldown": "soon"}""")
        .exchange().expectStatus().isBadRequest().expectBody()
        .jsonPath("$.error").isEqualTo("invalid model spec")
        .jsonPath("$.problems[?(@ =~ /.*unknown algorithm 'random-forest'.*/)]").exists()
        .jsonPath("$.problems[?(@ =~ /.*window must be.*/)]").exists()
        .jsonPath("$.problems[?(@ =~ /.*cooldown must be.*/)]").exists()
        .jsonPath("$.problems[?(@ =~ /.*dataset is required.*/)]").exists()
        .jsonPath("$.problems[?(@ =~ /.*minNewRows must be a whole number from 1 to .*/)]").exists()
        .jsonPath("$.problems[?(@ =~ /.*cost=-1: must be a number from 0.000001 to 1000000.*/)]").exists()
        .jsonPath("$.problems[?(@ =~ /.*unknown hyperparameter 'depth'.*/)]").exists();
    http.post().uri("/v1/models/{name}/runs", "never-declared-" + shortId()).exchange().expectStatus().isNotFound()
        .expectBody().jsonPath("$.error").value(message -> assertThat(message.toString()).contains("PUT /v1/models/"));
  }

  @Test
  void shouldIgnoreARetrainingRequestForANameNoModelCanHaveOrWithAnIdATriggerCannotNameAndFailOneForAModelWithoutSpec() {
    String hostile = "Not a model\n" + "x".repeat(10_000);
    String comma = "no-spec-" + shortId();
    String unknown = "no-spec-" + shortId();
    String key = "requests-" + shortId();
    io.kloop.events.RetrainingRequested commaRequest = retrainingRequest(comma);
    commaRequest.setEventId("order-1,order-2");
    // All under one key, so in one partition: each is handled after the one before, and their runs (one at a time) in
    // the same order.
    TestEvents.publish(Topics.RETRAINING_REQUESTED.name(), key, retrainingRequest(hostile));
    TestEvents.publish(Topics.RETRAINING_REQUESTED.name(), key, commaRequest);
    TestEvents.publish(Topics.RETRAINING_REQUESTED.name(), key, retrainingRequest(unknown));

    TrainingFailed failed = TestEvents.awaitAtLeast(Topics.TRAINING_FAILED.name(), unknown, TrainingFailed.class, 1, RUN_TIMEOUT).get(0);

    assertThat(failed.getPhase()).isEqualTo("schedule");
    assertThat(failed.getReason()).isEqualTo("model " + unknown + " has no spec; declare it with PUT /v1/models/" + unknown);
    assertThat(TestEvents.read(Topics.TRAINING_FAILED.name(), hostile, TrainingFailed.class)).as("nothing announced for it").isEmpty();
    assertThat(TestEvents.read(Topics.TRAINING_FAILED.name(), comma, TrainingFailed.class)).as("an id with a comma is not taken").isEmpty();
  }

  private static io.kloop.events.RetrainingRequested retrainingRequest(String model) {
    return io.kloop.events.RetrainingRequested.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now())
        .setProducer("monitor-service").setModel(model).setReason(io.kloop.events.RetrainingReason.DRIFT).setRequestedBy("monitor-service")
        .build();
  }

  private void declareModel(String model, String dataset, String body, int status) {
    declared.add(model);
    http.put().uri("/v1/models/{name}", model).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
        .exchange().expectStatus().isEqualTo(status).expectBody().jsonPath("$.spec.dataset").isEqualTo(dataset);
  }

  private String requestRun(String model) {
    Map<?, ?> accepted = http.post().uri("/v1/models/{name}/runs", model).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"requestedBy\": \"test\"}").exchange().expectStatus().isAccepted()
        .expectBody(Map.class).returnResult().getResponseBody();
    return accepted.get("requestId").toString();
  }

  private Map<?, ?> modelView(String model) {
    return http.get().uri("/v1/models/{name}", model).exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
  }

  private Map<?, ?> status(String model) {
    return (Map<?, ?>) modelView(model).get("status");
  }

  private void declareBreastCancer(String dataset) {
    fixtures.declareBreastCancer(dataset);
  }

  private List<DatasetBatchCommitted> commitBreastCancer(String dataset, int size) {
    return fixtures.commitBreastCancer(dataset, size, "v1");
  }

  private List<DatasetBatchCommitted> commitBreastCancer(String dataset, int size, String tag) {
    return fixtures.commitBreastCancer(dataset, size, tag);
  }

  /** Approves a trained model as the registry would. */
  private static void approve(String model, int version, ModelTrained trained) {
    ModelApproved approved = ModelApproved.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now())
        .setProducer("registry-service").setModel(model).setVersion(version).setRunId(trained.getRunId())
        .setDecisionId(UUID.randomUUID().toString()).setActor("test").setReason("approved by the test")
        .setArtifact(trained.getArtifact()).setSignature(trained.getSignature()).setReferenceProfile(trained.getReferenceProfile())
        .setMetrics(trained.getMetrics()).build();
    TestEvents.publish(Topics.MODEL_APPROVED.name(), model, approved);
  }

  private double onnxAccuracyOnTestSplit(ModelTrained trained) {
    List<SourceRecord> test = fixtures.breastCancer().stream().filter(r -> io.kloop.training.run.TrainingDataAccess.isTest(r.id())).toList();
    try (OnnxClassifier onnx = OnnxClassifier.load(store.read(trained.getArtifact()), trained.getSignature())) {
      float[][] probabilities = onnx.probabilities(onnx.encoding().encodeAll(test.stream().map(SourceRecord::features).toList()));
      long correct = 0;
      for (int i = 0; i < test.size(); i++) {
        int predicted = probabilities[i][0] >= probabilities[i][1] ? 0 : 1;
        correct += trained.getSignature().getOutputClasses().get(predicted).equals(test.get(i).label()) ? 1 : 0;
      }
      return (double) correct / test.size();
    }
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
