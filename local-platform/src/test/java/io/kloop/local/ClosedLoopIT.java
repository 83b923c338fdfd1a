package io.kloop.local;

import static io.kloop.test.PrometheusText.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.DriftTest;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelTrained;
import io.kloop.events.PerformanceEvidence;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.events.PredictionLogged;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.producer.BreastCancerCsv;
import io.kloop.producer.SourceRecord;
import io.kloop.schemas.BatchFiles;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.kloop.test.DocumentedCommands;
import io.kloop.test.PrometheusText;
import io.kloop.test.TestRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The closed loop on the embedded platform (a real broker and all five services in this JVM), driven by the
 * same code as {@code ./kloop --demo}, and checked from the topics and the services' own APIs: the shipped
 * data trains and serves version 1; stationary traffic and its labels raise no retraining; drifted traffic, whose
 * world reaches training only through the labels of part of it, leads to DriftDetected, a drop of live accuracy,
 * one RetrainingRequested with that evidence, a run on batches of feedback, version 2 approved and served, and
 * live accuracy recovered; and a prediction of version 2 leads by ids to its version, its run, the batches it
 * learnt from and, through their rows, the served predictions of version 1 they came from.
 */
class ClosedLoopIT {

  @TempDir static Path home;

  private static LocalPlatform platform;
  private static ClosedLoopDemo.Outcome outcome;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JsonMapper json = JsonMapper.builder().build();

  @BeforeAll
  static void runTheLoop() throws Exception {
    LocalPlatform.useOneLogConfiguration();
    // Batches seal 2 s after their first record instead of 30 s: the loop's own speed is measured by ClosedLoopBenchmark.
    platform = new LocalPlatform(LocalPlatformSettings.parse(FreePorts.arguments(home)), LocalPlatform.demoOverrides("2s")).start();
    ClosedLoopDemo.Settings settings = ClosedLoopDemo.Settings.defaults(Path.of("..", "data", "breast_cancer.csv"))
        .withWindowSizes(platform.monitorWindowSize(), platform.monitorLabelledWindowSize()).withPace(0);
    outcome = new ClosedLoopDemo(ClosedLoopDemo.Endpoints.of(platform), settings).run();
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void shouldTrainAndServeTheFirstModelFromTheShippedData() {
    String model = LocalPlatform.DEMO_MODEL;
    assertThat(outcome.first().getVersion()).isEqualTo(1);
    ModelTrained firstRun = single(read(Topics.MODEL_TRAINED), t -> t.getRunId().equals(outcome.first().getRunId()));
    assertThat(firstRun.getTrigger()).isEqualTo("new-data");
    assertThat(firstRun.getChampionVersion()).isNull();
    List<DatasetBatchCommitted> shippedBatches = read(Topics.DATASET_BATCH_COMMITTED).stream()
        .filter(b -> firstRun.getLineage().stream().anyMatch(l -> l.getBatchId().equals(b.getBatchId()))).toList();
    assertThat(shippedBatches).extracting(DatasetBatchCommitted::getDataset).containsOnly(model);
    assertThat(shippedBatches.stream().mapToLong(DatasetBatchCommitted::getRowCount).sum()).isEqualTo(569);
    assertThat(read(Topics.TRAINING_FAILED)).isEmpty();
  }

  @Test
  void shouldRaiseNoRetrainingOnStationaryTraffic() {
    List<DriftReported> stationary = outcome.stationaryReports();
    assertThat(stationary).extracting(r -> r.getWindow().getSequence()).containsExactly(0L, 1L);
    assertThat(stationary).allSatisfy(report -> {
      assertThat(report.getVersion()).isEqualTo(1);
      assertThat(report.getWindow().getPredictions()).isEqualTo(platform.monitorWindowSize());
      assertThat(report.getDrifting()).as("stationary window %d: drifted %s, output %s", report.getWindow().getSequence(),
          report.getDriftedFeatures(), report.getOutputDrifted()).isFalse();
    });
    // Every request on the topic came after the drift onset: the stationary windows asked for nothing.
    assertThat(read(Topics.RETRAINING_REQUESTED))
        .allSatisfy(r -> assertThat(r.getEventTime()).isAfter(outcome.driftOnset()));
    // The stationary traffic's labels: live accuracy within the tolerance of the test split's, no drop.
    PerformanceReported live = outcome.stationaryPerformance();
    assertThat(live.getVersion()).isEqualTo(1);
    assertThat(live.getRealized().getLabelled()).isEqualTo(platform.monitorLabelledWindowSize());
    assertThat(live.getDropped()).isEmpty();
    assertThat(live.getRealized().getAccuracy().getUpper()).isGreaterThanOrEqualTo(live.getExpected().getAccuracy() - 0.05);
    assertThat(live.getEstimated()).as("the version's calibration gives an estimate").isNotNull();
  }

  @Test
  void shouldFindTheDropAskForRetrainingOnceWithItsEvidenceAndServeAVersionThatLearntFromFeedback() throws Exception {
    String model = LocalPlatform.DEMO_MODEL;
    // Drift on version 1, found in the drifted traffic's windows: reported, and not acted on (the demo retrains on performance).
    List<DriftDetected> detections = read(Topics.DRIFT_DETECTED).stream().filter(d -> d.getVersion() == 1).toList();
    assertThat(detections).isNotEmpty().allSatisfy(d -> {
      assertThat(d.getModel()).isEqualTo(model);
      assertThat(d.getWindow().getSequence()).as("a window of the drifted traffic").isGreaterThanOrEqualTo(2);
    });
    // Exactly one request (no storm), made on the drop of live accuracy and carrying it as evidence.
    RetrainingRequested request = single(read(Topics.RETRAINING_REQUESTED), r -> true);
    assertThat(request.getModel()).isEqualTo(model);
    assertThat(request.getReason()).isEqualTo(RetrainingReason.PERFORMANCE);
    assertThat(request.getRequestedBy()).isEqualTo("monitor-service");
    PerformanceEvidence evidence = request.getPerformanceEvidence();
    PerformanceReported drop = single(read(Topics.PERFORMANCE_REPORTED), r -> r.getReportId().equals(evidence.getReportId()));
    assertThat(drop.getKind()).isEqualTo(PerformanceWindowKind.LABELLED);
    assertThat(drop.getVersion()).isEqualTo(1);
    assertThat(drop.getDropped()).contains(evidence.getMetric());
    assertThat(evidence.getEstimated()).isFalse();
    assertThat(evidence.getExpected()).isEqualTo(evidence.getMetric().equals("accuracy") ? drop.getExpected().getAccuracy() : drop.getExpected().getMacroF1());
    assertThat(evidence.getObserved().getUpper()).isLessThan(evidence.getExpected() - evidence.getTolerance());
    assertThat(drop.getWindow().getEnd()).isAfterOrEqualTo(outcome.driftOnset());

    // The run the request started learnt from feedback only: batches of the new scanner's labelled predictions.
    ModelTrained retrained = single(read(Topics.MODEL_TRAINED), t -> t.getTrigger().contains(request.getEventId()));
    assertThat(retrained.getLineage()).isNotEmpty().allSatisfy(batch -> {
      assertThat(batch.getFeedbackRows()).as("batch %s", batch.getBatchId()).isEqualTo(batch.getRowCount());
    });
    assertThat(retrained.getLineage().stream().mapToLong(b -> b.getRowCount()).sum()).isGreaterThanOrEqualTo(LocalPlatform.DEMO_WINDOW_ROWS);
    Set<String> afterOnset = read(Topics.DATASET_BATCH_COMMITTED).stream().filter(b -> b.getEventTime().isAfter(outcome.driftOnset()))
        .map(DatasetBatchCommitted::getBatchId).collect(Collectors.toSet());
    assertThat(retrained.getLineage()).extracting(l -> l.getBatchId()).allMatch(afterOnset::contains);
    assertThat(retrained.getChampionVersion()).isEqualTo(1);
    assertThat(retrained.getMetrics().getAccuracy()).isGreaterThan(retrained.getChampionMetrics().getAccuracy());

    ModelApproved second = single(read(Topics.MODEL_APPROVED), a -> a.getVersion() == 2);
    assertThat(second.getRunId()).isEqualTo(retrained.getRunId());
    assertThat(second.getPreviousVersion()).isEqualTo(1);
    assertThat(read(Topics.MODEL_REJECTED)).isEmpty();
    assertThat(outcome.secondServing()).isAfter(outcome.driftOnset());

    // On the new scanner's traffic, version 2's live accuracy beats version 1's.
    PerformanceReported recovered = outcome.secondPerformance();
    assertThat(recovered.getVersion()).isEqualTo(2);
    assertThat(recovered.getRealized().getAccuracy().getValue()).isGreaterThan(drop.getRealized().getAccuracy().getValue());
    assertThat(recovered.getDropped()).isEmpty();

    // Version 2 is judged against its own reference: the new scanner's inputs are its normal. Its output is not
    // asserted: v2's output profile comes from a test split of about 80 rows (of feedback drawn with repeats), whose
    // class shares and probability bins are coarse, and the output test flags one of v2's windows in some runs.
    assertThat(outcome.secondReport().getVersion()).isEqualTo(2);
    assertThat(outcome.secondReport().getDriftedFeatures()).as("v2 window: drifted %s, output %s",
        outcome.secondReport().getDriftedFeatures(), outcome.secondReport().getOutputDrifted()).isEmpty();
  }

  @Test
  void shouldLeadFromAPredictionByIdsToItsVersionRunAndBatches() throws Exception {
    String model = LocalPlatform.DEMO_MODEL;
    SourceRecord scanned = ClosedLoopDemo.magnify(BreastCancerCsv.read(Path.of("..", "data", "breast_cancer.csv")).get(0));
    String requestId = "closed-loop-lineage";
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(service("inference-service", "/v1/models/" + model + "/predict"))
        .header("Content-Type", "application/json").header("X-Request-Id", requestId)
        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("instances", List.of(scanned.features())))))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(json.readTree(answer.body()).path("version").asInt()).isEqualTo(2);

    // prediction -> model version
    PredictionLogged logged = await().atMost(Duration.ofSeconds(90)).until(
        () -> read(Topics.PREDICTION_LOGGED).stream().filter(p -> p.getRequestId().equals(requestId)).findFirst().orElse(null),
        p -> p != null);
    assertThat(logged.getModel()).isEqualTo(model);
    assertThat(logged.getVersion()).isEqualTo(2);

    // model version -> training run (the registry's record of the version)
    JsonNode version = get("registry-service", "/v1/models/" + model + "/versions/" + logged.getVersion());
    String runId = version.path("runId").asText();
    assertThat(runId).isEqualTo(outcome.retrained().getRunId());
    ModelTrained run = single(read(Topics.MODEL_TRAINED), t -> t.getRunId().equals(runId));

    // training run -> batches: the ones ingest sealed from the feedback of the new scanner's labelled predictions
    List<String> lineage = new ArrayList<>();
    version.path("lineage").path("batches").forEach(batch -> lineage.add(batch.path("batchId").asText()));
    assertThat(lineage).containsExactlyInAnyOrderElementsOf(run.getLineage().stream().map(b -> b.getBatchId()).toList());
    List<DatasetBatchCommitted> batches = read(Topics.DATASET_BATCH_COMMITTED).stream()
        .filter(b -> lineage.contains(b.getBatchId())).toList();
    assertThat(batches).hasSize(lineage.size());
    assertThat(batches.stream().mapToLong(DatasetBatchCommitted::getRowCount).sum()).isGreaterThanOrEqualTo(LocalPlatform.DEMO_WINDOW_ROWS);
    assertThat(batches).allSatisfy(b -> {
      assertThat(b.getEventTime()).isAfter(outcome.driftOnset());
      assertThat(b.getFeedbackRows()).isEqualTo(b.getRowCount());
    });

    // batches -> the served predictions of version 1 each row came from, with the inputs they were served with
    Map<String, PredictionLogged> servedById = read(Topics.PREDICTION_LOGGED).stream().filter(p -> p.getModel().equals(model))
        .collect(Collectors.toMap(PredictionLogged::getPredictionId, p -> p, (a, b) -> a));
    for (DatasetBatchCommitted batch : batches) {
      List<BatchFiles.Row> rows = BatchFiles.read(Files.readAllBytes(Path.of(URI.create(batch.getArtifact().getUri()))));
      assertThat(rows).hasSize((int) batch.getRowCount()).allSatisfy(row -> {
        assertThat(row.feedback()).isNotNull();
        assertThat(row.feedback().model()).isEqualTo(model);
        assertThat(row.feedback().version()).isEqualTo(1);
        PredictionLogged source = servedById.get(row.feedback().predictionId());
        assertThat(source).as("the prediction of row %s", row.recordId()).isNotNull();
        assertThat(source.getVersion()).isEqualTo(1);
        assertThat(row.features().get("mean_radius")).isEqualTo(source.getInputs().get("mean_radius"));
      });
    }
  }

  @Test
  void shouldShowTheLoopInEveryServicesMetrics() throws Exception {
    String model = LocalPlatform.DEMO_MODEL;
    // Every join made a feedback record, and ingest took each once beside the shipped records.
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      String monitor = prometheus("monitor-service");
      double joined = value(monitor, "kloop_monitor_ground_truth_total", "outcome=\"joined\"");
      assertThat(joined).isGreaterThan(0);
      assertThat(value(monitor, "kloop_monitor_ground_truth_feedback_total", "outcome=\"published\"")).isEqualTo(joined);
      assertThat(value(prometheus("ingest-service"), "kloop_ingest_records_accepted_total", "dataset=\"" + model + "\""))
          .isEqualTo(569 + joined);
    });
    String training = prometheus("training-service");
    assertThat(value(training, "kloop_training_run_duration_seconds_count", "model=\"" + model + "\"", "outcome=\"succeeded\""))
        .isEqualTo(2);
    assertThat(value(training, "kloop_training_test_metric", "model=\"" + model + "\"", "metric=\"accuracy\""))
        .isEqualTo(outcome.retrained().getMetrics().getAccuracy(), org.assertj.core.data.Offset.offset(1e-9));
    String inference = prometheus("inference-service");
    assertThat(value(inference, "kloop_inference_model_served_version", "model=\"" + model + "\"")).isEqualTo(2);
    assertThat(value(inference, "kloop_inference_latency_seconds_count", "model=\"" + model + "\"", "version=\"2\""))
        .isGreaterThan(0);
    assertThat(value(inference, "kloop_inference_prediction_log_dropped_total")).isZero();
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(value(prometheus("monitor-service"), "kloop_monitor_drift_version", "model=\"" + model + "\"")).isEqualTo(2));
    String monitor = prometheus("monitor-service");
    // The gauge shows the last judged window's statistic: the one its DriftReported event carries.
    DriftReported last = read(Topics.DRIFT_REPORTED).stream().filter(r -> r.getModel().equals(model)).reduce((a, b) -> b).orElseThrow();
    double reported = last.getFeatures().stream()
        .filter(f -> f.getFeature().equals("mean_radius") && f.getTest() == DriftTest.KOLMOGOROV_SMIRNOV)
        .findFirst().orElseThrow().getStatistic();
    assertThat(value(monitor, "kloop_monitor_drift_statistic", "model=\"" + model + "\"", "feature=\"mean_radius\"",
        "statistic=\"kolmogorov_smirnov\"")).isEqualTo(reported, org.assertj.core.data.Offset.offset(1e-9));
    // Every prediction and label of the loop was read: the monitor's consumer has caught up on each partition it reads.
    await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
      String scrape = prometheus("monitor-service");
      List<Double> lags = PrometheusText.values(scrape, "kafka_consumer_fetch_manager_records_lag", "client_id=\"monitor-service-StreamThread-1-consumer\"",
          "topic=\"" + Topics.PREDICTION_LOGGED.name() + "\"");
      assertThat(lags).as(scrape.lines().filter(l -> l.startsWith("kafka_consumer_fetch_manager_records_lag")).collect(Collectors.joining("\n")))
          .hasSize(Topics.PREDICTION_LOGGED.partitions()).containsOnly(0.0);
    });
  }

  /**
   * The README's calls to try the demo, run with curl as written (its ports swapped for this platform's): those
   * addressed to 127.0.0.1. Its examples for your own models (Bring your own model, addressed to localhost) need
   * your files and models; BringYourOwnModelIT makes the same import over HTTP.
   */
  @Test
  void shouldAnswerEveryCallTheReadmeShows() throws Exception {
    List<DocumentedCommands.Command> calls = DocumentedCommands.all().stream()
        .filter(c -> c.file().getFileName().toString().equals("README.md") && c.file().getParent().equals(DocumentedCommands.root()))
        .filter(c -> c.text().startsWith("curl ") || c.text().startsWith("xdg-open "))
        .filter(c -> c.text().contains("127.0.0.1:")).toList();
    assertThat(calls).hasSizeGreaterThanOrEqualTo(6);
    for (DocumentedCommands.Command call : calls) {
      String command = call.text().startsWith("xdg-open ") ? "curl -s " + call.text().substring("xdg-open ".length()) : call.text();
      for (LocalPlatform.Service service : LocalPlatform.SERVICES) {
        command = command.replace("127.0.0.1:" + service.defaultPort() + "/", "127.0.0.1:" + platform.httpPort(service.name()) + "/");
      }
      Process curl = new ProcessBuilder("bash", "-c", command + " -o /dev/null -w '%{http_code}'")
          .directory(DocumentedCommands.root().toFile()).redirectErrorStream(true).start();
      assertThat(curl.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("%s answered", call).isTrue();
      String status = new String(curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
      assertThat(curl.exitValue()).as("%s: curl's exit code (printed %s)", call, status).isZero();
      assertThat(status).as("%s: HTTP status", call).isEqualTo("200");
    }
  }

  private String prometheus(String service) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(service(service, "/actuator/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private JsonNode get(String service, String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(service(service, path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s %s: %s", service, path, response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  private URI service(String service, String path) {
    return URI.create("http://127.0.0.1:" + platform.httpPort(service) + path);
  }

  private static <T> T single(List<T> events, java.util.function.Predicate<T> condition) {
    List<T> matching = events.stream().filter(condition).toList();
    assertThat(matching).as("matching events among %s", events).hasSize(1);
    return matching.get(0);
  }

  /** Every committed event of a topic, from its beginning to its current end. */
  private static <T extends SpecificRecord> List<T> read(Topic<String, T> topic) {
    EventDeserializer<T> events = new EventDeserializer<>(topic.valueType());
    return TestRecords.readToEnd(platform.broker().bootstrapServers(), topic.name(), record -> record.value() != null).stream()
        .map(record -> events.deserialize(topic.name(), record.value())).toList();
  }
}
