package io.kloop.platform;

import static io.kloop.test.PrometheusText.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.DriftReported;
import io.kloop.events.DriftStatistic;
import io.kloop.events.DriftTest;
import io.kloop.events.ModelTrained;
import io.kloop.events.TrainingFailed;
import io.kloop.inference.InferenceServiceApplication;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.producer.BreastCancerCsv;
import io.kloop.producer.SourceRecord;
import io.kloop.registry.RegistryServiceApplication;
import io.kloop.schemas.Topics;
import io.kloop.test.PrometheusText;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import io.kloop.training.TrainingServiceApplication;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.assertj.core.data.Offset;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * All five services side by side in this JVM, each with its own OpenTelemetry SDK reporting under its own
 * {@code service.name} into one in-memory exporter, on the in-JVM broker: data declared and sent to ingest
 * over HTTP is sealed into batches, trained, approved by the registry's policy and served; predictions are
 * logged and judged by the monitor. The tests follow the traces across services (one prediction as one trace,
 * one model's life as linked traces) and read each service's Prometheus endpoint.
 *
 * <p>The applications are started together and closed together at the end: closing one WebFlux application
 * while others still serve breaks Reactor Netty's shared resources for them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingAndMetricsIT {

  private static final String MODEL = "tumours";
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final Path DATA = Path.of("..", "data");
  /** Bound of a wait on a round trip through Kafka and the services (a busy CI machine is slow). */
  private static final Duration ROUND_TRIP = Duration.ofSeconds(90);

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final Map<String, ConfigurableApplicationContext> services = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private List<SourceRecord> records;

  @BeforeAll
  void startPlatformAndServeAModel() throws Exception {
    // Five applications share this JVM's Logback: configured once from test-support's logback-test.xml.
    System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
    Path home = Files.createTempDirectory("kloop-platform-tests-");
    String artifacts = home.resolve("artifacts").toString();
    Map<String, CompletableFuture<ConfigurableApplicationContext>> starting = new LinkedHashMap<>();
    starting.put(IngestServiceApplication.NAME, start(IngestServiceApplication::builder, home, IngestServiceApplication.NAME,
        "--kloop.ingest.artifact-root=" + artifacts, "--kloop.ingest.batch-max-records=200", "--kloop.ingest.batch-max-age=2s"));
    starting.put(TrainingServiceApplication.NAME, start(TrainingServiceApplication::builder, home, TrainingServiceApplication.NAME,
        "--kloop.training.artifact-root=" + artifacts, "--kloop.training.models." + MODEL + ".dataset=" + MODEL,
        "--kloop.training.models." + MODEL + ".algorithms=logistic-regression", "--kloop.training.models." + MODEL + ".min-new-rows=400"));
    starting.put(RegistryServiceApplication.NAME, start(RegistryServiceApplication::builder, home, RegistryServiceApplication.NAME,
        "--kloop.registry.artifact-root=" + artifacts));
    starting.put(InferenceServiceApplication.NAME, start(InferenceServiceApplication::builder, home, InferenceServiceApplication.NAME,
        "--kloop.inference.artifact-root=" + artifacts));
    starting.put(MonitorServiceApplication.NAME, start(MonitorServiceApplication::builder, home, MonitorServiceApplication.NAME,
        "--kloop.monitor.window.size=20", "--kloop.monitor.window.min-predictions=10"));
    for (Map.Entry<String, CompletableFuture<ConfigurableApplicationContext>> entry : starting.entrySet()) {
      services.put(entry.getKey(), entry.getValue().get(5, TimeUnit.MINUTES));
    }

    records = BreastCancerCsv.read(DATA.resolve("breast_cancer.csv"));
    HttpResponse<String> declared = send(IngestServiceApplication.NAME, "PUT", "/v1/datasets/" + MODEL, "application/json",
        Files.readString(DATA.resolve("breast_cancer.spec.json")));
    assertThat(declared.statusCode()).as(declared.body()).isEqualTo(201);
    HttpResponse<String> accepted = send(IngestServiceApplication.NAME, "POST", "/v1/datasets/" + MODEL + "/records",
        "application/x-ndjson", records.stream().map(TracingAndMetricsIT::json).collect(Collectors.joining("\n")));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

    // Sealed, trained, approved by the policy, loaded: ingest → training → registry → inference.
    await().atMost(Duration.ofSeconds(180)).untilAsserted(() ->
        assertThat(send(InferenceServiceApplication.NAME, "GET", "/v2/models/" + MODEL + "/ready", null, null).statusCode()).isEqualTo(200));
  }

  private CompletableFuture<ConfigurableApplicationContext> start(Supplier<SpringApplicationBuilder> application, Path home, String name,
      String... settings) {
    List<String> args = new ArrayList<>(List.of(
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--server.port=0",
        "--spring.kafka.streams.state-dir=" + home.resolve("state").resolve(name),
        // Traced, with no exporter but this test's in-memory one.
        "--kloop.tracing.enabled=true"));
    args.addAll(List.of(settings));
    SpanProcessor processor = SimpleSpanProcessor.create(spans);
    return CompletableFuture.supplyAsync(() -> application.get()
        .bannerMode(Banner.Mode.OFF)
        .registerShutdownHook(false)
        .initializers(context -> ((GenericApplicationContext) context).registerBean("inMemorySpans", SpanProcessor.class, () -> processor))
        .run(args.toArray(String[]::new)));
  }

  @AfterAll
  void stopPlatform() {
    services.values().parallelStream().forEach(ConfigurableApplicationContext::close);
  }

  @Test
  void shouldFollowAModelsLifeFromItsBatchesToServingAsLinkedTraces() {
    SpanData load = await().atMost(ROUND_TRIP).until(() -> one("load model", InferenceServiceApplication.NAME), Optional::isPresent).get();
    assertThat(load.getAttributes().get(AttributeKey.stringKey("kloop.model"))).isEqualTo(MODEL);

    // Inference loaded the version the registry decided on: the approval's record carried the decision's context.
    assertThat(load.getLinks()).hasSize(1);
    SpanData decision = byId(load.getLinks().get(0));
    assertThat(decision.getName()).isEqualTo("registry decision");
    assertThat(service(decision)).isEqualTo(RegistryServiceApplication.NAME);
    assertThat(decision.getAttributes().get(AttributeKey.stringKey("kloop.decision"))).isEqualTo("APPROVED");

    // The registry decided on a training run: its ModelTrained carried the run's trace.
    assertThat(decision.getLinks()).hasSize(1);
    String runTrace = decision.getLinks().get(0).getSpanContext().getTraceId();
    SpanData run = all().stream().filter(s -> s.getName().equals("training run") && s.getTraceId().equals(runTrace)).findFirst().orElseThrow();
    assertThat(service(run)).isEqualTo(TrainingServiceApplication.NAME);
    List<String> phases = all().stream().filter(s -> s.getParentSpanId().equals(run.getSpanId()) && s.getName().startsWith("phase "))
        .map(SpanData::getName).toList();
    // A first version has no champion to score, so no "phase champion".
    assertThat(phases).containsExactly("phase read", "phase split", "phase train", "phase evaluate", "phase profile", "phase export",
        "phase verify");

    // The run learnt from batches sealed by ingest: one link per batch, each into the trace of a sealed batch.
    List<String> sealedTraces = all().stream().filter(s -> s.getName().equals("seal batch")).peek(s ->
        assertThat(service(s)).isEqualTo(IngestServiceApplication.NAME)).map(SpanData::getTraceId).toList();
    assertThat(run.getLinks()).isNotEmpty();
    assertThat(run.getLinks()).allSatisfy(link -> assertThat(sealedTraces).contains(link.getSpanContext().getTraceId()));
  }

  @Test
  void shouldFollowOnePredictionFromTheRequestToTheMonitorAsOneTrace() throws Exception {
    HttpResponse<String> answer = predict(1);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    String requestId = requestId(answer.body());

    SpanData processed = await().atMost(ROUND_TRIP).until(() -> all().stream()
        .filter(s -> s.getName().equals("process " + Topics.PREDICTION_LOGGED.name()))
        .filter(s -> parentOf(s).flatMap(this::parentOf).map(score -> requestId.equals(
            score.getAttributes().get(AttributeKey.stringKey("kloop.request.id")))).orElse(false))
        .findFirst(), Optional::isPresent).get();
    assertThat(service(processed)).isEqualTo(MonitorServiceApplication.NAME);
    assertThat(processed.getKind()).isEqualTo(SpanKind.CONSUMER);

    SpanData send = parentOf(processed).orElseThrow();
    assertThat(send.getName()).isEqualTo("send " + Topics.PREDICTION_LOGGED.name());
    assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(service(send)).isEqualTo(InferenceServiceApplication.NAME);
    SpanData score = parentOf(send).orElseThrow();
    assertThat(score.getName()).isEqualTo("score");
    assertThat(service(score)).isEqualTo(InferenceServiceApplication.NAME);
    SpanData request = parentOf(score).orElseThrow();
    assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(service(request)).isEqualTo(InferenceServiceApplication.NAME);
    assertThat(request.getParentSpanContext().isValid()).as("the request starts the trace").isFalse();
    assertThat(List.of(processed, send, score)).allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(request.getTraceId()));
  }

  @Test
  void shouldExposeInferenceLatencyAndCountsPerModelVersionAndTheServedVersion() throws Exception {
    // The version that answers, from the answer itself: the other tests' predictions may have made the monitor
    // ask for a retraining, and a new version may be approved and swapped in at any moment (then try again).
    await().atMost(ROUND_TRIP).untilAsserted(() -> {
      HttpResponse<String> answer = predict(3);
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      Matcher answered = Pattern.compile("\"version\":(\\d+)").matcher(answer.body());
      assertThat(answered.find()).as(answer.body()).isTrue();
      String version = answered.group(1);
      String metrics = prometheus(InferenceServiceApplication.NAME);
      assertThat(value(metrics, "kloop_inference_model_served_version", "model=\"" + MODEL + "\"")).isEqualTo(Double.parseDouble(version));
      String tags = "version=\"" + version + "\"";
      assertThat(value(metrics, "kloop_inference_latency_seconds_count", "model=\"" + MODEL + "\"", tags)).isGreaterThanOrEqualTo(1);
      assertThat(value(metrics, "kloop_inference_latency_seconds_bucket", "model=\"" + MODEL + "\"", tags, "le=\"+Inf\""))
          .isGreaterThanOrEqualTo(1);
      assertThat(value(metrics, "kloop_inference_predictions_total", "model=\"" + MODEL + "\"", tags)).isGreaterThanOrEqualTo(3);
    });
    String metrics = prometheus(InferenceServiceApplication.NAME);
    assertThat(value(metrics, "kloop_inference_prediction_log_dropped_total")).isEqualTo(0.0);
    // The prediction log's own producer, bound to Micrometer.
    assertThat(value(metrics, "kafka_producer_record_send_total", "client_id=\"inference-service-prediction-log\"")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void shouldExposeIngestAcceptedAndDeadLetteredCounts() throws Exception {
    // The same record again, in a later request: the pipeline finds the duplicate and dead-letters it.
    HttpResponse<String> again = send(IngestServiceApplication.NAME, "POST", "/v1/datasets/" + MODEL + "/records", "application/x-ndjson",
        json(records.get(0)));
    assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
    await().atMost(ROUND_TRIP).untilAsserted(() -> {
      String metrics = prometheus(IngestServiceApplication.NAME);
      assertThat(value(metrics, "kloop_ingest_records_accepted_total", "dataset=\"" + MODEL + "\"")).isEqualTo(records.size());
      assertThat(value(metrics, "kloop_ingest_records_dead_lettered_total", "reason=\"duplicate\"")).isEqualTo(1.0);
      assertThat(value(metrics, "kloop_ingest_batch_rows_total", "dataset=\"" + MODEL + "\"")).isEqualTo(records.size());
    });
  }

  @Test
  void shouldExposeTrainingDurationsAndTheLastRunsTestMetrics() {
    // As many runs as the topic holds ModelTrained events of the model (the other tests' predictions may have led
    // to a retraining), and the gauge shows the last one's test accuracy; once a run in progress has been announced.
    await().atMost(ROUND_TRIP).untilAsserted(() -> {
      String metrics = prometheus(TrainingServiceApplication.NAME);
      List<ModelTrained> runs = TestEvents.read(Topics.MODEL_TRAINED.name(), MODEL, ModelTrained.class);
      assertThat(runs).isNotEmpty();
      assertThat(TestEvents.read(Topics.TRAINING_FAILED.name(), MODEL, TrainingFailed.class)).as("failed runs").isEmpty();
      assertThat(value(metrics, "kloop_training_run_duration_seconds_count", "model=\"" + MODEL + "\"", "outcome=\"succeeded\""))
          .isEqualTo(runs.size());
      assertThat(value(metrics, "kloop_training_test_metric", "model=\"" + MODEL + "\"", "metric=\"accuracy\""))
          .isEqualTo(runs.get(runs.size() - 1).getMetrics().getAccuracy(), Offset.offset(1e-9));
      assertThat(value(metrics, "kloop_training_phase_seconds_count", "model=\"" + MODEL + "\"", "phase=\"train\"")).isEqualTo(runs.size());
    });
  }

  @Test
  void shouldExposeDriftStatisticsPerModelFeatureAndStatistic() throws Exception {
    // A window of 20 predictions is judged against the version's reference profile.
    for (int i = 0; i < 3; i++) {
      assertThat(predict(10).statusCode()).isEqualTo(200);
    }
    // The gauges show the last judged window: the one the model's last DriftReported event is about.
    await().atMost(ROUND_TRIP).untilAsserted(() -> {
      String metrics = prometheus(MonitorServiceApplication.NAME);
      List<DriftReported> reports = TestEvents.read(Topics.DRIFT_REPORTED.name(), MODEL, DriftReported.class);
      assertThat(reports).isNotEmpty();
      DriftReported last = reports.get(reports.size() - 1);
      DriftStatistic meanRadius = last.getFeatures().stream()
          .filter(f -> f.getFeature().equals("mean_radius") && f.getTest() == DriftTest.KOLMOGOROV_SMIRNOV).findFirst().orElseThrow();
      assertThat(value(metrics, "kloop_monitor_drift_statistic", "model=\"" + MODEL + "\"", "feature=\"mean_radius\"",
          "statistic=\"kolmogorov_smirnov\"")).isEqualTo(meanRadius.getStatistic(), Offset.offset(1e-9));
      assertThat(value(metrics, "kloop_monitor_drift_p_value", "model=\"" + MODEL + "\"", "feature=\"mean_radius\"",
          "statistic=\"kolmogorov_smirnov\"")).isEqualTo(meanRadius.getPValue(), Offset.offset(1e-12));
      assertThat(value(metrics, "kloop_monitor_drift_version", "model=\"" + MODEL + "\"")).isEqualTo(last.getVersion());
      assertThat(value(metrics, "kloop_monitor_windows_judged_total")).isGreaterThanOrEqualTo(reports.size());
    });
  }

  @Test
  void shouldExposeKafkaClientMetricsIncludingConsumerLag() throws Exception {
    // Spring Kafka's listener consumers (training), Kafka Streams' clients (monitor) and producers, bound to Micrometer.
    // Once nothing new arrives, each consumer catches up: the most records it lagged behind in the metric's window is 0.
    await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
      String training = prometheus(TrainingServiceApplication.NAME);
      assertThat(value(training, "kafka_consumer_fetch_manager_records_lag_max", "client_id=\"training-service-0\""))
          .as(samples(training, "kafka_consumer_fetch_manager_records_lag_max")).isZero();
      String monitor = prometheus(MonitorServiceApplication.NAME);
      // The monitor's stream thread reads two topics: its lag on each partition of the prediction log.
      assertThat(PrometheusText.values(monitor, "kafka_consumer_fetch_manager_records_lag", "client_id=\"monitor-service-StreamThread-1-consumer\"",
          "topic=\"" + Topics.PREDICTION_LOGGED.name() + "\""))
          .as(samples(monitor, "kafka_consumer_fetch_manager_records_lag")).hasSize(Topics.PREDICTION_LOGGED.partitions()).containsOnly(0.0);
    });
    String monitor = prometheus(MonitorServiceApplication.NAME);
    assertThat(value(monitor, "kafka_stream_thread_process_total", "thread_id=\"monitor-service-StreamThread-1\"")).isGreaterThan(0);
    String inference = prometheus(InferenceServiceApplication.NAME);
    assertThat(value(inference, "kafka_producer_record_error_total", "client_id=\"inference-service-prediction-log\"")).isEqualTo(0.0);
  }

  // --- helpers

  private HttpResponse<String> predict(int instances) throws IOException, InterruptedException {
    String body = records.subList(0, instances).stream()
        .map(r -> r.features().entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue()).collect(Collectors.joining(", ", "{", "}")))
        .collect(Collectors.joining(", ", "{\"instances\": [", "]}"));
    return send(InferenceServiceApplication.NAME, "POST", "/v1/models/" + MODEL + "/predict", "application/json", body);
  }

  /** The lines of a metric's samples, to show in a failed assertion. */
  private static String samples(String metrics, String name) {
    return metrics.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " ")).collect(Collectors.joining("\n"));
  }

  private static String requestId(String body) {
    Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(body);
    assertThat(id.find()).as(body).isTrue();
    return id.group(1);
  }

  private static String json(SourceRecord record) {
    StringBuilder json = new StringBuilder("{\"id\": \"").append(record.id()).append("\", \"diagnosis\": \"").append(record.label()).append('"');
    record.features().forEach((name, value) -> json.append(", \"").append(name).append("\": ").append(value));
    return json.append('}').toString();
  }

  private List<SpanData> all() {
    return spans.getFinishedSpanItems();
  }

  private Optional<SpanData> one(String name, String service) {
    return all().stream().filter(s -> s.getName().equals(name) && service.equals(service(s))).findFirst();
  }

  private SpanData byId(LinkData link) {
    return all().stream().filter(s -> s.getSpanId().equals(link.getSpanContext().getSpanId())
        && s.getTraceId().equals(link.getSpanContext().getTraceId())).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + link.getSpanContext() + " among " + all().size()));
  }

  private Optional<SpanData> parentOf(SpanData span) {
    return all().stream().filter(s -> s.getTraceId().equals(span.getTraceId()) && s.getSpanId().equals(span.getParentSpanId())).findFirst();
  }

  private static String service(SpanData span) {
    return span.getResource().getAttribute(SERVICE_NAME);
  }

  private String prometheus(String service) throws IOException, InterruptedException {
    HttpResponse<String> response = send(service, "GET", "/actuator/prometheus", null, null);
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The value of the one sample of a metric whose labels include all those given. */
  private HttpResponse<String> send(String service, String method, String path, String contentType, String body)
      throws IOException, InterruptedException {
    int port = services.get(service).getEnvironment().getProperty("local.server.port", Integer.class);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
