package io.kloop.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.kloop.events.DriftReported;
import io.kloop.events.DriftTest;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelTrained;
import io.kloop.events.SignatureField;
import io.kloop.events.TrainingFailed;
import io.kloop.model.OnnxClassifier;
import io.kloop.producer.ProduceRecords;
import io.kloop.producer.ReviewsCsv;
import io.kloop.producer.SourceRecord;
import io.kloop.producer.SyntheticReviews;
import io.kloop.producer.WineCsv;
import io.kloop.registry.RegistryServiceApplication;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.kloop.test.OnnxFixtures;
import io.kloop.test.TestRecords;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bring your own model, end to end on the embedded platform (a real broker and all five services in this JVM): ONNX
 * files written as scikit-learn (skl2onnx), XGBoost (onnxmltools) and PyTorch ({@code torch.onnx.export}) write them are
 * imported over HTTP, judged against the champion the platform's own trainer made, gated by the registry, served on
 * both APIs with the answers ONNX Runtime gives on the same file here, and their traffic judged for drift; a text
 * classifier's vocabulary drift is found; and files that do not load, do not fit the dataset or give no probabilities
 * are refused with a 400 saying why.
 */
class BringYourOwnModelIT {

  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final String WINE = "wine";
  private static final String REVIEWS = "reviews";
  /** Models that only ever receive refused imports: they never train (their minNewRows is never reached). */
  private static final String WINE_REFUSED = "wine-refused";
  private static final String REVIEWS_REFUSED = "reviews-refused";
  private static final List<String> SENTIMENTS = List.of(SyntheticReviews.NEGATIVE, SyntheticReviews.POSITIVE);
  /** Instances per prediction request of the wine traffic: many per request, well within the body and answer limits. */
  private static final int WINE_BATCH = 250;
  /**
   * Instances per prediction request of the reviews' traffic: inference budgets a text's log event at the feature's
   * maxLength (500 characters), which allows about 109 short reviews per request.
   */
  private static final int REVIEWS_BATCH = 100;
  private static final String IMPORTER = "byom-it";

  @TempDir static Path home;

  private static LocalPlatform platform;
  private static List<SourceRecord> wines;
  private static List<SourceRecord> reviews;

  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
  private static final JsonMapper json = JsonMapper.builder().build();

  /** Predictions sent per model and version, so that traffic fills the monitor's count windows exactly. */
  private final Map<String, Integer> sent = new HashMap<>();

  @BeforeAll
  static void startThePlatformWithTheShippedData() throws Exception {
    LocalPlatform.useOneLogConfiguration();
    // Batches seal 2 s after their first record; the monitor asks for retraining on performance only (no labels here), so
    // the drifted traffic makes no version of its own. The reviews' policy waits for an operator, as a team may choose.
    Map<String, Map<String, Object>> overrides = new HashMap<>(LocalPlatform.demoOverrides("2s"));
    overrides.put(RegistryServiceApplication.NAME, Map.of("kloop.registry.promotion.models." + REVIEWS + ".mode", "manual"));
    platform = new LocalPlatform(LocalPlatformSettings.parse(FreePorts.arguments(home)), overrides).start();
    wines = WineCsv.read(Path.of("..", "data", "wine.csv"));
    reviews = ReviewsCsv.read(Path.of("..", "data", "reviews.csv"));
    assertThat(wines).hasSize(178);
    assertThat(reviews).hasSize(1000);

    String ingest = service("ingest-service", "").toString();
    ProduceRecords.declare(ingest, WINE, Files.readString(Path.of("..", "data", "wine.spec.json")));
    ProduceRecords.declare(ingest, REVIEWS, Files.readString(Path.of("..", "data", "reviews.spec.json")));
    // Each trains version 1 once all of its shipped rows are in.
    declareModel(WINE, WINE, wines.size());
    declareModel(REVIEWS, REVIEWS, reviews.size());
    declareModel(WINE_REFUSED, WINE, 1_000_000_000);
    declareModel(REVIEWS_REFUSED, REVIEWS, 1_000_000_000);
    ProduceRecords.publish(platform.broker().bootstrapServers(), WINE, wines);
    ProduceRecords.publish(platform.broker().bootstrapServers(), REVIEWS, reviews);
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void shouldImportEachWineFixtureJudgeItAgainstTheChampionServeItAsOnnxRuntimeDoesAndJudgeItsTraffic() throws Exception {
    ModelTrained trained = awaitEvent(Topics.MODEL_TRAINED, t -> t.getModel().equals(WINE) && t.getTrigger().equals("new-data"));
    assertThat(trained.getOrigin()).isNull();
    assertThat(trained.getAlgorithm()).isNotEqualTo("imported");
    assertThat(trained.getLineage().stream().mapToLong(b -> b.getRowCount()).sum()).isEqualTo(wines.size());
    int champion = awaitChampion(WINE, trained.getRunId());
    assertThat(champion).isEqualTo(1);
    ModelTrained championRun = trained;

    int expectedVersion = 2;
    for (String name : List.of(OnnxFixtures.WINE_SKLEARN_LOGREG, OnnxFixtures.WINE_SKLEARN_PER_FEATURE, OnnxFixtures.WINE_XGBOOST,
        OnnxFixtures.WINE_PYTORCH_MLP)) {
      OnnxFixtures.Fixture fixture = OnnxFixtures.fixture(name);
      byte[] onnx = OnnxFixtures.bytes(name);
      String framework = name.contains("xgboost") ? "xgboost" : name.contains("pytorch") ? "pytorch" : "scikit-learn";
      // The per-feature model's ZipMap is keyed 0, 1, 2: the classes say which is which.
      HttpResponse<String> accepted = importFile(WINE, onnx, Map.of("dataset", WINE, "framework", framework,
          "classes", fixture.classOrder(), "importedBy", IMPORTER));
      assertThat(accepted.statusCode()).as("%s: %s", name, accepted.body()).isEqualTo(202);
      String runId = json.readTree(accepted.body()).path("runId").asText();

      // Judged against the champion of the moment, on the same rows by the same code.
      ModelTrained imported = awaitEvent(Topics.MODEL_TRAINED, t -> t.getModel().equals(WINE) && t.getRunId().equals(runId));
      assertThat(imported.getAlgorithm()).isEqualTo("imported");
      assertThat(imported.getOrigin().getFileSha256()).as(name).isEqualTo(fixture.sha256()).isEqualTo(OnnxFixtures.sha256(onnx));
      assertThat(imported.getOrigin().getFramework()).isEqualTo(framework);
      assertThat(imported.getOrigin().getImportedBy()).isEqualTo(IMPORTER);
      assertThat(imported.getChampionVersion()).as(name).isEqualTo(champion);
      assertThat(imported.getChampionMetrics()).as(name).isNotNull();
      assertThat(imported.getChampionMetrics().getRows()).isEqualTo(imported.getMetrics().getRows());
      assertThat(imported.getChampionMetrics().getAccuracy()).as("%s: the champion v%d scored on the same test split", name, champion)
          .isCloseTo(championRun.getMetrics().getAccuracy(), within(1e-9));

      // Gated by the registry, then served.
      int version = awaitChampion(WINE, runId);
      assertThat(version).as(name).isEqualTo(expectedVersion);
      ModelApproved approved = awaitEvent(Topics.MODEL_APPROVED, a -> a.getModel().equals(WINE) && a.getRunId().equals(runId));
      assertThat(approved.getPreviousVersion()).isEqualTo(champion);
      assertThat(registry("/v1/models/" + WINE + "/versions/" + version).path("origin").path("fileSha256").asText()).isEqualTo(fixture.sha256());
      awaitServing(WINE, version);

      List<SourceRecord> rows = List.of(wines.get(0), wines.get(70), wines.get(130), wines.get(177));
      double[][] direct = onnxRuntime(fixture, onnx, rows, WineCsv.CLASSES);
      assertJsonAnswers(WINE, version, rows, WineCsv.CLASSES, direct);
      assertOipAnswers(WINE, version, fixture, rows, WineCsv.CLASSES, direct);
      if (name.equals(OnnxFixtures.WINE_XGBOOST)) {
        assertApproximateExplanation(WINE, version, rows.get(0));
      }

      // A monitor window of its traffic is judged for drift, with a statistic for each of its inputs.
      Random draw = new Random(version);
      fillWindow(WINE, version, WINE_BATCH, () -> wines.get(draw.nextInt(wines.size())));
      DriftReported report = awaitEvent(Topics.DRIFT_REPORTED, r -> r.getModel().equals(WINE) && r.getVersion() == version);
      assertThat(report.getWindow().getPredictions()).isEqualTo(platform.monitorWindowSize());
      for (String feature : WineCsv.FEATURES) {
        assertThat(report.getFeatures()).as("%s v%d: %s", name, version, feature)
            .anyMatch(s -> s.getFeature().equals(feature) && s.getTest() == DriftTest.KOLMOGOROV_SMIRNOV);
      }

      champion = version;
      championRun = imported;
      expectedVersion++;
    }
  }

  @Test
  void shouldImportATextClassifierServeItOnStringsAndFindItsVocabularyDrift() throws Exception {
    ModelTrained trained = awaitEvent(Topics.MODEL_TRAINED, t -> t.getModel().equals(REVIEWS) && t.getTrigger().equals("new-data"));
    // The platform's own trainer learnt from the text through hashed tokens.
    SignatureField text = trained.getSignature().getInputs().get(0);
    assertThat(trained.getSignature().getInputs()).hasSize(1);
    assertThat(text.getName()).isEqualTo(SyntheticReviews.FEATURE);
    assertThat(text.getType()).isEqualTo(FeatureType.TEXT);
    assertThat(text.getMaxLength()).isEqualTo(SyntheticReviews.MAX_LENGTH);
    assertThat(text.getHashBuckets()).isEqualTo(256);
    assertThat(trained.getOrigin()).isNull();
    assertThat(awaitChampion(REVIEWS, trained.getRunId())).isEqualTo(1);

    OnnxFixtures.Fixture fixture = OnnxFixtures.fixture(OnnxFixtures.REVIEWS_SKLEARN_TFIDF);
    byte[] onnx = OnnxFixtures.bytes(OnnxFixtures.REVIEWS_SKLEARN_TFIDF);
    HttpResponse<String> accepted = importFile(REVIEWS, onnx, Map.of("dataset", REVIEWS, "framework", "scikit-learn",
        "inputs", Map.of("input", SyntheticReviews.FEATURE), "importedBy", IMPORTER));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String runId = json.readTree(accepted.body()).path("runId").asText();
    ModelTrained imported = awaitEvent(Topics.MODEL_TRAINED, t -> t.getModel().equals(REVIEWS) && t.getRunId().equals(runId));
    assertThat(imported.getChampionVersion()).isEqualTo(1);
    assertThat(imported.getChampionMetrics().getAccuracy()).isCloseTo(trained.getMetrics().getAccuracy(), within(1e-9));
    assertThat(imported.getReferenceProfile().getFeatures()).singleElement()
        .satisfies(profile -> assertThat(profile.getVocabulary()).isNotEmpty());

    int version = awaitChampion(REVIEWS, runId);
    assertThat(version).isEqualTo(2);
    assertThat(awaitEvent(Topics.MODEL_APPROVED, a -> a.getModel().equals(REVIEWS) && a.getVersion() == 2).getActor())
        .as("the reviews' policy holds versions for an operator").isEqualTo(LocalPlatform.OPERATOR);
    awaitServing(REVIEWS, version);

    List<SourceRecord> rows = List.of(reviews.get(0), reviews.get(1), reviews.get(500), reviews.get(999));
    double[][] direct = onnxRuntime(fixture, onnx, rows, SENTIMENTS);
    assertJsonAnswers(REVIEWS, version, rows, SENTIMENTS, direct);
    assertOipAnswers(REVIEWS, version, fixture, rows, SENTIMENTS, direct);

    // Reviews like the reference (the generator of the shipped ones, another seed): no vocabulary drift.
    SyntheticReviews like = new SyntheticReviews(2, SyntheticReviews.Drift.NONE, "like-");
    fillWindow(REVIEWS, version, REVIEWS_BATCH, like::next);
    DriftReported stationary = awaitEvent(Topics.DRIFT_REPORTED,
        r -> r.getModel().equals(REVIEWS) && r.getVersion() == version && r.getWindow().getSequence() == 0);
    assertThat(stationary.getFeatures()).anyMatch(s -> s.getFeature().equals("review:unseen-tokens"));
    assertThat(stationary.getDriftedFeatures()).as("window like the reference: %s", statistics(stationary, "review:unseen-tokens"))
        .doesNotContain("review:unseen-tokens");

    // A window where 30 % of the words are new slang and product names: the vocabulary drifted.
    SyntheticReviews unseen = new SyntheticReviews(3, new SyntheticReviews.Drift(0.3, 1), "unseen-");
    fillWindow(REVIEWS, version, REVIEWS_BATCH, unseen::next);
    DriftReported drifted = awaitEvent(Topics.DRIFT_REPORTED,
        r -> r.getModel().equals(REVIEWS) && r.getVersion() == version && r.getWindow().getSequence() == 1);
    assertThat(drifted.getWindow().getPredictions()).isEqualTo(platform.monitorWindowSize());
    assertThat(drifted.getDriftedFeatures()).as("window of unseen words: %s", statistics(drifted, "review:unseen-tokens"))
        .contains("review:unseen-tokens");
    assertThat(drifted.getDrifting()).isTrue();
  }

  @Test
  void shouldRefuseAFileThatIsNotOnnxAModelThatDoesNotFitItsDatasetAndOneWithoutProbabilities() throws Exception {
    // The refusals need the datasets' batches (the trial runs on the newest one).
    awaitNewRows(WINE_REFUSED, wines.size());
    awaitNewRows(REVIEWS_REFUSED, reviews.size());

    assertRefused(WINE_REFUSED, "not an ONNX file, just text".getBytes(StandardCharsets.UTF_8), WINE,
        "ONNX Runtime cannot load the file: ", "protobuf parsing failed");
    assertRefused(REVIEWS_REFUSED, OnnxFixtures.bytes(OnnxFixtures.WINE_SKLEARN_LOGREG), REVIEWS,
        "the model's one input 'float_input' names no feature of dataset reviews, so it must be a FLOAT, DOUBLE or INT64 tensor [N, 0]",
        "it is a FLOAT tensor [N, 13] and the dataset has no numeric or boolean features");
    assertRefused(WINE_REFUSED, OnnxFixtures.bytes(OnnxFixtures.WINE_SKLEARN_REGRESSOR), WINE,
        "the model outputs no class probabilities: it needs a FLOAT or DOUBLE tensor [N, 3] or a ZipMap",
        "its outputs are variable FLOAT [N, 1]");
  }

  // --- steps

  private void assertRefused(String model, byte[] file, String dataset, String... reasons) throws Exception {
    HttpResponse<String> answer = importFile(model, file, Map.of("dataset", dataset, "importedBy", IMPORTER));
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
    JsonNode body = json.readTree(answer.body());
    assertThat(body.path("error").asText()).contains(reasons);
    String runId = body.path("runId").asText();
    TrainingFailed failed = awaitEvent(Topics.TRAINING_FAILED, f -> f.getModel().equals(model) && f.getRunId().equals(runId));
    assertThat(failed.getReason()).isEqualTo(body.path("error").asText());
    assertThat(failed.getPhase()).isEqualTo("import");
  }

  /** The named-feature API answers each row as ONNX Runtime does on the file. */
  private void assertJsonAnswers(String model, int version, List<SourceRecord> rows, List<String> classes, double[][] direct) throws Exception {
    JsonNode answer = predict(model, version, "", rows);
    for (int i = 0; i < rows.size(); i++) {
      JsonNode probabilities = answer.path("predictions").get(i).path("probabilities");
      for (int c = 0; c < classes.size(); c++) {
        assertThat(probabilities.path(classes.get(c)).asDouble()).as("%s v%d JSON row %d %s", model, version, i, classes.get(c))
            .isCloseTo(direct[i][c], within(1e-5));
      }
    }
  }

  /** The OIP metadata lists the file's real inputs; a request of those tensors is answered as ONNX Runtime does. */
  private void assertOipAnswers(String model, int version, OnnxFixtures.Fixture fixture, List<SourceRecord> rows, List<String> classes,
      double[][] direct) throws Exception {
    JsonNode metadata = get("inference-service", "/v2/models/" + model);
    assertThat(metadata.path("versions").get(0).asText()).isEqualTo(String.valueOf(version));
    List<Map<String, Object>> tensors = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (JsonNode input : metadata.path("inputs")) {
      String datatype = input.path("datatype").asText();
      List<String> features = new ArrayList<>();
      input.path("parameters").path("features").forEach(f -> features.add(f.asText()));
      OnnxFixtures.Port port = fixture.inputs().stream().filter(p -> p.name().equals(input.path("name").asText())).findFirst()
          .orElseThrow(() -> new AssertionError("the metadata lists " + input + ", not an input of the file"));
      assertThat(datatype).as("%s: %s", model, port.name()).isEqualTo(switch (port.type()) {
        case "FLOAT" -> "FP32";
        case "DOUBLE" -> "FP64";
        case "INT64" -> "INT64";
        default -> "BYTES";
      });
      assertThat(features).isEqualTo(port.features());
      names.add(port.name());
      List<Object> data = new ArrayList<>();
      for (SourceRecord row : rows) {
        for (String feature : features) {
          Object value = row.features().get(feature);
          data.add(datatype.equals("INT64") ? Math.round(((Number) value).doubleValue()) : value);
        }
      }
      boolean rank1 = input.path("shape").size() == 1;
      tensors.add(Map.of("name", port.name(), "datatype", datatype, "data", data,
          "shape", rank1 ? List.of(rows.size()) : List.of(rows.size(), features.size())));
    }
    assertThat(names).as("%s: the file's inputs", model).containsExactlyInAnyOrderElementsOf(fixture.inputs().stream().map(OnnxFixtures.Port::name).toList());
    List<String> outputClasses = new ArrayList<>();
    metadata.path("parameters").path("output_classes").forEach(c -> outputClasses.add(c.asText()));
    assertThat(outputClasses).containsExactlyInAnyOrderElementsOf(classes);

    JsonNode answer = post("inference-service", "/v2/models/" + model + "/infer", Map.of("inputs", tensors), 200);
    assertThat(answer.path("model_version").asText()).isEqualTo(String.valueOf(version));
    count(model, version, rows.size());
    JsonNode probabilities = answer.path("outputs").get(0);
    assertThat(probabilities.path("datatype").asText()).isEqualTo("FP32");
    for (int i = 0; i < rows.size(); i++) {
      for (int c = 0; c < outputClasses.size(); c++) {
        assertThat(probabilities.path("data").get(i * outputClasses.size() + c).asDouble())
            .as("%s v%d OIP row %d %s", model, version, i, outputClasses.get(c))
            .isCloseTo(direct[i][classes.indexOf(outputClasses.get(c))], within(1e-5));
      }
    }
  }

  /** A model that is not linear is explained by Shapley values, marked approximate, that add up to its probability. */
  private void assertApproximateExplanation(String model, int version, SourceRecord row) throws Exception {
    JsonNode explanation = predict(model, version, "?explain=true", List.of(row)).path("predictions").get(0).path("explanation");
    assertThat(explanation.path("approximate").asBoolean()).as(explanation.toString()).isTrue();
    double sum = 0;
    for (JsonNode contribution : explanation.path("contributions")) {
      sum += contribution.asDouble();
    }
    assertThat(explanation.path("baseline").asDouble() + sum).isCloseTo(explanation.path("value").asDouble(), within(1e-6));
  }

  /** Sends the rest of a monitor window of predictions to a version, {@code batch} instances a request. */
  private void fillWindow(String model, int version, int batch, java.util.function.Supplier<SourceRecord> next) throws Exception {
    int window = platform.monitorWindowSize();
    int missing = window - sent.getOrDefault(model + "@" + version, 0) % window;
    for (int done = 0; done < missing; done += batch) {
      List<SourceRecord> instances = new ArrayList<>();
      for (int i = 0; i < Math.min(batch, missing - done); i++) {
        instances.add(next.get());
      }
      predict(model, version, "", instances);
    }
    assertThat(sent.get(model + "@" + version) % window).isZero();
  }

  private JsonNode predict(String model, int version, String query, List<SourceRecord> rows) throws Exception {
    JsonNode answer = post("inference-service", "/v1/models/" + model + "/predict" + query,
        Map.of("instances", rows.stream().map(SourceRecord::features).toList()), 200);
    assertThat(answer.path("version").asInt()).as("%s answered by", model).isEqualTo(version);
    assertThat(answer.path("predictions")).hasSize(rows.size());
    count(model, version, rows.size());
    return answer;
  }

  private void count(String model, int version, int predictions) {
    sent.merge(model + "@" + version, predictions, Integer::sum);
  }

  /**
   * The version the registry made of a run, once it is the champion: a version the policy holds for an operator is
   * approved with the local operator's token, as an operator would.
   */
  private int awaitChampion(String model, String runId) throws Exception {
    JsonNode registered = await().atMost(WAIT).ignoreExceptions().until(() -> {
      for (JsonNode version : registry("/v1/models/" + model + "/versions")) {
        if (version.path("runId").asText().equals(runId)) {
          return version;
        }
      }
      return null;
    }, v -> v != null);
    int version = registered.path("version").asInt();
    assertThat(registered.path("status").asText()).as("%s v%d: %s", model, version, registered.path("reason").asText())
        .isIn("PENDING", "CHAMPION", "RETIRED");
    if (registered.path("status").asText().equals("PENDING")) {
      HttpResponse<String> approved = http.send(HttpRequest.newBuilder(service("registry-service",
              "/v1/models/" + model + "/versions/" + version + "/approve")).timeout(Duration.ofSeconds(60))
          .header("Authorization", "Bearer " + platform.operatorToken()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"checked by hand\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(approved.statusCode()).as(approved.body()).isIn(200, 202);
    }
    ModelApproved approval = awaitEvent(Topics.MODEL_APPROVED, a -> a.getModel().equals(model) && a.getRunId().equals(runId));
    assertThat(approval.getVersion()).isEqualTo(version);
    return version;
  }

  private void awaitServing(String model, int version) {
    // A poll that times out (a model loading, a pause of the JVM) is polled again, not a failure.
    await().atMost(WAIT).ignoreExceptions().until(() -> {
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(service("inference-service", "/v2/models/" + model + "/ready"))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      return ready.statusCode() == 200 && json.readTree(ready.body()).path("version").asText().equals(String.valueOf(version));
    });
  }

  private static void awaitNewRows(String model, long rows) {
    await().atMost(WAIT).ignoreExceptions().until(() -> {
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(service("training-service", "/v1/models/" + model))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      return answer.statusCode() == 200 && json.readTree(answer.body()).path("newRows").asLong() >= rows;
    });
  }

  private static String statistics(DriftReported report, String feature) {
    return report.getFeatures().stream().filter(s -> s.getFeature().equals(feature))
        .map(s -> s.getTest() + " " + s.getStatistic() + " (p " + s.getPValue() + ", drifted " + s.getDrifted() + ")").toList().toString();
  }

  // --- ONNX Runtime on the file, from the manifest's description of it (not from the platform's signature)

  /**
   * Each row's probabilities in {@code classes}' order: every input of the file filled with its features' values in its
   * type, the file run by ONNX Runtime directly, the probability output read by the manifest's class order and keys.
   */
  private static double[][] onnxRuntime(OnnxFixtures.Fixture fixture, byte[] onnx, List<SourceRecord> rows, List<String> classes)
      throws Exception {
    Class.forName(OnnxClassifier.class.getName()); // the native library, prepared as the services do
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    try (OrtSession session = environment.createSession(onnx, new OrtSession.SessionOptions())) {
      for (OnnxFixtures.Port port : fixture.inputs()) {
        int width = port.features().size();
        Object values = switch (port.type()) {
          case "STRING" -> rows.stream().map(r -> port.features().stream().map(f -> (String) r.features().get(f)).toArray(String[]::new))
              .toArray(String[][]::new);
          case "INT64" -> rows.stream().map(r -> port.features().stream().mapToLong(f -> Math.round(((Number) r.features().get(f)).doubleValue()))
              .toArray()).toArray(long[][]::new);
          case "DOUBLE" -> rows.stream().map(r -> port.features().stream().mapToDouble(f -> ((Number) r.features().get(f)).doubleValue()).toArray())
              .toArray(double[][]::new);
          default -> {
            float[][] floats = new float[rows.size()][width];
            for (int i = 0; i < rows.size(); i++) {
              for (int f = 0; f < width; f++) {
                floats[i][f] = ((Number) rows.get(i).features().get(port.features().get(f))).floatValue();
              }
            }
            yield floats;
          }
        };
        inputs.put(port.name(), OnnxTensor.createTensor(environment, values));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(fixture.probabilityOutput()))) {
        OnnxValue output = result.get(0);
        double[][] probabilities = new double[rows.size()][classes.size()];
        for (int i = 0; i < rows.size(); i++) {
          for (int k = 0; k < fixture.classOrder().size(); k++) {
            double p;
            if (output instanceof OnnxSequence sequence) {
              Map<?, ?> map = ((OnnxMap) sequence.getValue().get(i)).getValue();
              Object key = fixture.classKeys().get(k);
              p = ((Number) map.get(key instanceof Number number ? (Object) number.longValue() : key)).doubleValue();
            } else {
              p = ((float[][]) output.getValue())[i][k];
            }
            probabilities[i][classes.indexOf(fixture.classOrder().get(k))] = p;
          }
        }
        return probabilities;
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  // --- HTTP and topics

  private static void declareModel(String model, String dataset, long minNewRows) throws Exception {
    String spec = json.writeValueAsString(Map.of("dataset", dataset, "algorithms", List.of(Map.of("algorithm", "logistic-regression")),
        "minNewRows", minNewRows));
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(service("training-service", "/v1/models/" + model))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(spec)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
  }

  /** {@code POST /v1/models/{name}/imports}, multipart: the file as part {@code model}, the metadata as JSON. */
  private static HttpResponse<String> importFile(String model, byte[] file, Map<String, Object> metadata) throws Exception {
    String boundary = "kloop-byom-" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\"model.onnx\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(file);
    body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n"
        + json.writeValueAsString(metadata) + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return http.send(HttpRequest.newBuilder(service("training-service", "/v1/models/" + model + "/imports")).timeout(Duration.ofSeconds(120))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode registry(String path) throws Exception {
    return get("registry-service", path);
  }

  private static JsonNode get(String service, String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(service(service, path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s %s: %s", service, path, response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  private static JsonNode post(String service, String path, Object body, int status) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(service(service, path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s %s: %s", service, path, response.body()).isEqualTo(status);
    return json.readTree(response.body());
  }

  private static URI service(String service, String path) {
    return URI.create("http://127.0.0.1:" + platform.httpPort(service) + path);
  }

  /** The first event of a topic that matches, once it is there. */
  private static <T extends SpecificRecord> T awaitEvent(Topic<String, T> topic, Predicate<T> condition) {
    return await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
        .until(() -> read(topic).stream().filter(condition).findFirst(), Optional::isPresent).orElseThrow();
  }

  /** Every committed event of a topic, from its beginning to its current end. */
  private static <T extends SpecificRecord> List<T> read(Topic<String, T> topic) {
    EventDeserializer<T> events = new EventDeserializer<>(topic.valueType());
    return TestRecords.readToEnd(platform.broker().bootstrapServers(), topic.name(), record -> record.value() != null).stream()
        .map(record -> events.deserialize(topic.name(), record.value())).toList();
  }
}
