package io.kloop.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ArtifactRef;
import io.kloop.events.BatchRef;
import io.kloop.events.ConfusionMatrix;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelTrained;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.OnnxClassifier;
import io.kloop.registry.RegistryServiceApplication;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Inference without a shared artifact store: it downloads each champion's ONNX file from the real
 * registry-service (started in this JVM, with an artifact store of its own) into its own cache. Both
 * applications run side by side and are closed together: closing one WebFlux application disposes
 * Reactor Netty's shared resources under the other. Each test stands alone: it closes what an earlier test
 * left running and starts what it needs, with a model and an inference cache of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryDownloadIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final List<Map<String, Object>> INSTANCES = List.of(
      Map.of("radius", 1.5, "smooth", true, "shape", "round"),
      Map.of("radius", -2, "smooth", false, "shape", "oval"));

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JsonMapper json = JsonMapper.builder().build();
  private Path home;
  private int registryPort;
  private String registryApplicationId;
  private LocalArtifactStore registryStore;
  /** Inference's cache of downloaded artifacts: one per test, so that no test finds what another downloaded. */
  private Path inferenceCacheRoot;
  private LocalArtifactStore inferenceCache;
  private ConfigurableApplicationContext registry;
  private ConfigurableApplicationContext inference;

  @BeforeAll
  void setUp(@TempDir Path home) throws IOException {
    this.home = home;
    registryStore = new LocalArtifactStore(home.resolve("registry-artifacts"));
    registryApplicationId = "registry-download-it-" + UUID.randomUUID().toString().substring(0, 8);
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      registryPort = socket.getLocalPort();
    }
  }

  @AfterAll
  void tearDown() {
    closeAll();
  }

  @Test
  void shouldTryAgainWhileTheRegistryIsDownAndServeTheChampionOnceItAnswers() throws Exception {
    String model = newModel();
    closeAll();
    byte[] v1 = TestModels.onnx(1f);
    registry = startRegistry();
    TestEvents.publish(Topics.MODEL_TRAINED.name(), model, trained(model, "run-1", registryStore.put(v1, "application/onnx"), null));
    List<ModelApproved> approvals = TestEvents.awaitAtLeast(Topics.MODEL_APPROVED.name(), model, ModelApproved.class, 1, TIMEOUT);
    assertThat(approvals.get(0).getVersion()).isEqualTo(1);
    registry.close();
    registry = null;

    // The registry is down when inference starts: nothing to serve, and it says why.
    inference = startInference();
    HttpResponse<String> unavailable = predict(model);
    assertThat(unavailable.statusCode()).as(unavailable.body()).isEqualTo(503);
    assertThat(unavailable.body()).contains("version 1 failed to load")
        .contains("download from " + registryUrl() + "/v1/models/" + model + "/versions/1/artifact failed: the registry is not reachable");
    JsonNode status = modelStatus(model);
    assertThat(status.path("failedVersion").asInt()).isEqualTo(1);
    assertThat(absent(status.path("servedVersion"))).isTrue();
    assertThat(absent(status.path("retryAt"))).as("a retry is due").isFalse();
    assertThat(loadFailures(model)).isGreaterThanOrEqualTo(1);
    assertThat(inferenceCache.pathOf(LocalArtifactStore.sha256(v1))).doesNotExist();

    // Back: a retry downloads it, without a new approval.
    registry = startRegistry();
    awaitServing(model, 1);
    assertThat(inferenceCache.pathOf(LocalArtifactStore.sha256(v1))).hasBinaryContent(v1);
    assertAnswersAs(model, v1, 1);
    assertThat(absent(modelStatus(model).path("failedVersion"))).isTrue();
  }

  @Test
  void shouldDownloadEachNewChampionRefuseOtherBytesThanApprovedAndServeFromTheCacheAfterARestart() throws Exception {
    String model = newModel();
    closeAll();
    registry = startRegistry();
    inference = startInference();
    byte[] v1 = TestModels.onnx(1f);
    TestEvents.publish(Topics.MODEL_TRAINED.name(), model, trained(model, "run-1", registryStore.put(v1, "application/onnx"), null));
    awaitServing(model, 1);
    assertAnswersAs(model, v1, 1);

    // Each new champion is downloaded and served.
    byte[] v2 = TestModels.onnx(2f);
    TestEvents.publish(Topics.MODEL_TRAINED.name(), model, trained(model, "run-2", registryStore.put(v2, "application/onnx"), 1));
    awaitServing(model, 2);
    assertThat(inferenceCache.pathOf(LocalArtifactStore.sha256(v2))).hasBinaryContent(v2);
    assertAnswersAs(model, v2, 2);

    // An approval of version 1 naming other bytes than the registry recorded for version 1 is refused; 2 keeps serving.
    byte[] notVersionOne = TestModels.onnx(3f);
    String expected = LocalArtifactStore.sha256(notVersionOne);
    ArtifactRef wrong = ArtifactRef.newBuilder().setUri("file:///elsewhere/" + expected).setSha256(expected)
        .setSizeBytes(notVersionOne.length).setMediaType("application/onnx").build();
    double failuresBefore = loadFailures(model);
    TestEvents.publish(Topics.MODEL_APPROVED.name(), model, TestModels.approval(model, 1, wrong));
    await().atMost(TIMEOUT).untilAsserted(() -> {
      JsonNode status = modelStatus(model);
      assertThat(status.path("failedVersion").asInt()).isEqualTo(1);
      assertThat(status.path("servedVersion").asInt()).isEqualTo(2);
      assertThat(status.path("failure").asString()).contains("the registry serves SHA-256 " + LocalArtifactStore.sha256(v1)
          + " for this version, the approval names " + expected);
    });
    assertThat(loadFailures(model)).isGreaterThan(failuresBefore);
    assertThat(inferenceCache.pathOf(expected)).doesNotExist();
    assertAnswersAs(model, v2, 2);

    // Restarted while the registry stays down: the latest approval (the wrong bytes) cannot be had; the one before
    // it, version 2, is in the cache and serves.
    closeAll();
    inference = startInference();
    assertAnswersAs(model, v2, 2);
    JsonNode status = modelStatus(model);
    assertThat(status.path("servedVersion").asInt()).isEqualTo(2);
    assertThat(status.path("failedVersion").asInt()).isEqualTo(1);
    assertThat(status.path("failure").asString()).contains("the registry is not reachable");
  }

  /** A model of the test's own, and a cache of its own for the inference instances it starts. */
  private String newModel() {
    String model = "downloaded-" + UUID.randomUUID().toString().substring(0, 8);
    inferenceCacheRoot = home.resolve("inference-cache-" + model);
    inferenceCache = new LocalArtifactStore(inferenceCacheRoot);
    return model;
  }

  private ConfigurableApplicationContext startRegistry() {
    return RegistryServiceApplication.builder().run(
        "--server.port=" + registryPort,
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--spring.kafka.streams.application-id=" + registryApplicationId,
        "--spring.kafka.streams.state-dir=" + home.resolve("registry-state"),
        "--kloop.registry.artifact-root=" + home.resolve("registry-artifacts"));
  }

  private ConfigurableApplicationContext startInference() {
    return InferenceServiceApplication.builder().run(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--kloop.inference.artifact-root=" + inferenceCacheRoot,
        "--kloop.inference.registry-url=" + registryUrl(),
        "--kloop.inference.registry-timeout=10s",
        "--kloop.inference.registry-retry-max-delay=3s");
  }

  private void closeAll() {
    // Side by side, closed together (see the class comment).
    if (inference != null) {
      inference.close();
      inference = null;
    }
    if (registry != null) {
      registry.close();
      registry = null;
    }
  }

  private String registryUrl() {
    return "http://127.0.0.1:" + registryPort;
  }

  private String inferenceUrl() {
    return "http://127.0.0.1:" + inference.getEnvironment().getProperty("local.server.port");
  }

  /** A run's announcement as training makes it: good test metrics, so the default policy approves it. */
  private ModelTrained trained(String model, String runId, ArtifactRef artifact, Integer championVersion) {
    EvaluationMetrics metrics = EvaluationMetrics.newBuilder().setSplit("test").setRows(200).setAccuracy(0.95).setMacroPrecision(0.95)
        .setMacroRecall(0.95).setMacroF1(0.95).setRocAuc(0.98).setLogLoss(0.2)
        .setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(List.of("benign", "malignant"))
            .setCounts(List.of(List.of(95L, 5L), List.of(5L, 95L))).build())
        .build();
    FeatureProfile output = FeatureProfile.newBuilder().setName("prediction").setType(FeatureType.CATEGORICAL).setCount(200)
        .setCategoryFrequencies(Map.of("benign", 0.5, "malignant", 0.5)).build();
    return ModelTrained.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("training-service")
        .setModel(model).setRunId(runId).setDataset("cells")
        .setLineage(List.of(BatchRef.newBuilder().setDataset("cells").setBatchId("batch-" + runId).setSha256("ab".repeat(32))
            .setRowCount(200).setStorageUri("file:///batches/" + runId).build()))
        .setTrigger("new-data").setAlgorithm("logistic-regression").setHyperparameters(Map.of())
        .setMetrics(metrics)
        .setChampionVersion(championVersion).setChampionMetrics(championVersion == null ? null : metrics)
        .setReferenceProfile(ReferenceProfile.newBuilder().setFeatures(List.of()).setOutput(output).setSampleSeed(1).build())
        .setArtifact(artifact).setSignature(TestModels.SIGNATURE)
        .setCodeVersion("test").setStartedAt(Instant.now().minusSeconds(1)).setDurationMillis(1000)
        .build();
  }

  private void awaitServing(String model, int version) {
    await().atMost(TIMEOUT).until(() -> get("/v2/models/" + model + "/versions/" + version + "/ready").statusCode() == 200);
  }

  /** The service answers with this version, exactly as ONNX Runtime scores these bytes. */
  private void assertAnswersAs(String model, byte[] onnx, int version) throws Exception {
    HttpResponse<String> response = predict(model);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode answer = json.readTree(response.body());
    assertThat(answer.path("version").asInt()).isEqualTo(version);
    float[][] direct;
    try (OnnxClassifier classifier = OnnxClassifier.load(onnx, TestModels.SIGNATURE)) {
      direct = classifier.probabilities(classifier.encoding().encodeAll(INSTANCES));
    }
    for (int i = 0; i < INSTANCES.size(); i++) {
      assertThat(answer.path("predictions").path(i).path("probabilities").path("benign").asDouble()).isEqualTo((double) direct[i][0]);
    }
  }

  private static boolean absent(JsonNode value) {
    return value.isNull() || value.isMissingNode();
  }

  private JsonNode modelStatus(String model) throws Exception {
    HttpResponse<String> readiness = get("/actuator/health/readiness");
    return json.readTree(readiness.body()).path("components").path("models").path("details").path(model);
  }

  private double loadFailures(String model) throws Exception {
    String metrics = get("/actuator/prometheus").body();
    Matcher failures = Pattern.compile("kloop_inference_model_load_failures_total\\{[^}]*model=\"" + Pattern.quote(model) + "\"[^}]*} (\\S+)")
        .matcher(metrics);
    return failures.find() ? Double.parseDouble(failures.group(1)) : 0;
  }

  private HttpResponse<String> predict(String model) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(inferenceUrl() + "/v1/models/" + model + "/predict"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("instances", INSTANCES)))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(inferenceUrl() + path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
