package io.kloop.inference;

import static io.kloop.test.OnnxGraphs.attribute;
import static io.kloop.test.OnnxGraphs.floatsAttribute;
import static io.kloop.test.OnnxGraphs.stringsAttribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.kloop.test.OnnxGraphs;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelSignature;
import io.kloop.events.PredictionLogged;
import io.kloop.events.ProbabilityFormat;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.test.OnnxFixtures;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Imported models (raw input tensors, a ZipMap output, a text input) served on a real broker, as the
 * registry approves them: answers as ONNX Runtime's own on both APIs, the model's real inputs in the OIP
 * metadata, approximate explanations, and 400s for what the model's tensors cannot take.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportedModelsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Inputs nums FLOAT [N, 2] (a, flag), count INT64 [N, 1] (c) and text STRING [N] (review: good 2, bad -2,
   * anything else 0); P(yes) = sigmoid(a + 0.5 flag + 0.3 c + review + 0.2 a c): not additive. Outputs as
   * skl2onnx names them: output_label (INT64 [N]) and output_probability (a ZipMap with the class names).
   */
  static byte[] model() {
    return new OnnxGraphs().producer("skl2onnx", "1.17.0")
        .input("nums", OnnxGraphs.FLOAT, 2).input("count", OnnxGraphs.INT64, 1).input("text", OnnxGraphs.STRING, 0)
        .floats("W", List.of(5L, 2L), 0, 1, 0, 0.5f, 0, 0.3f, 0, 1, 0, 0.2f).floats("B", List.of(2L), 0, 0)
        .longs("axes", 1).longs("zero", 0).longs("one", 1)
        .node("Cast", List.of("count"), List.of("cf"), attribute("to", (long) OnnxGraphs.FLOAT))
        .node("Slice", List.of("nums", "zero", "one", "one"), List.of("a"))
        .node("Mul", List.of("a", "cf"), List.of("ac"))
        .node("ai.onnx.ml", "LabelEncoder", List.of("text"), List.of("lf"), stringsAttribute("keys_strings", "good", "bad"),
            floatsAttribute("values_floats", 2, -2), attribute("default_float", 0f))
        .node("Unsqueeze", List.of("lf", "axes"), List.of("lf2"))
        .node("Concat", List.of("nums", "cf", "lf2", "ac"), List.of("all"), attribute("axis", 1L))
        .node("Gemm", List.of("all", "W", "B"), List.of("logits"))
        .node("Softmax", List.of("logits"), List.of("probabilities"), attribute("axis", 1L))
        .node("ArgMax", List.of("logits"), List.of("output_label"), attribute("axis", 1L), attribute("keepdims", 0L))
        .node("ai.onnx.ml", "ZipMap", List.of("probabilities"), List.of("output_probability"), stringsAttribute("classlabels_strings", "no", "yes"))
        .tensorOutput("output_label", OnnxGraphs.INT64, 0).zipMapOutput("output_probability", OnnxGraphs.STRING)
        .build();
  }

  /** The signature the importer would build for {@link #model()}: the features in the dataset's order, the model's tensors. */
  static final ModelSignature SIGNATURE = ModelSignature.newBuilder()
      .setInputs(List.of(field("a", FeatureType.NUMERIC).build(), field("flag", FeatureType.BOOLEAN).build(),
          field("c", FeatureType.NUMERIC).build(), field("review", FeatureType.TEXT).setMaxLength(20).build()))
      .setOutputClasses(List.of("no", "yes")).setInputTensor("").setProbabilityTensor("output_probability")
      .setProbabilityFormat(ProbabilityFormat.ZIPMAP)
      .setTensors(List.of(tensor("nums", TensorElementType.FLOAT, 2, "a", "flag"), tensor("count", TensorElementType.INT64, 2, "c"),
          tensor("text", TensorElementType.STRING, 1, "review")))
      .build();

  private static final List<Map<String, Object>> INSTANCES = List.of(
      Map.of("a", 0.5, "flag", true, "c", 2, "review", "good"),
      Map.of("a", -1.25, "flag", false, "c", -3, "review", "bad"),
      Map.of("a", 2.0, "flag", true, "c", 0, "review", "so-so \ud83d\ude00"));

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  private final JsonMapper json = JsonMapper.builder().build();
  private Path home;
  private LocalArtifactStore store;
  private ConfigurableApplicationContext inference;

  @BeforeAll
  void start(@TempDir Path home) {
    this.home = home;
    store = new LocalArtifactStore(home.resolve("artifacts"));
    inference = InferenceServiceApplication.builder().run("--server.port=0", "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--kloop.inference.artifact-root=" + home.resolve("artifacts"));
  }

  @AfterAll
  void stop() {
    if (inference != null) {
      inference.close();
    }
  }

  @Test
  void shouldAnswerAsOnnxRuntimeOnBothApisAndLogFeatures() throws Exception {
    byte[] onnx = model();
    String model = serve("imported-", onnx, SIGNATURE);
    float[][] direct = direct(onnx, INSTANCES);

    Map<?, ?> answer = answer(post("/v1/models/" + model + "/predict", Map.of("instances", INSTANCES)));
    List<?> predictions = (List<?>) answer.get("predictions");
    for (int i = 0; i < INSTANCES.size(); i++) {
      Map<?, ?> probabilities = (Map<?, ?>) ((Map<?, ?>) predictions.get(i)).get("probabilities");
      assertThat(((Number) probabilities.get("no")).doubleValue()).isCloseTo(direct[i][0], within(1e-5));
      assertThat(((Number) probabilities.get("yes")).doubleValue()).isCloseTo(direct[i][1], within(1e-5));
      assertThat(((Map<?, ?>) predictions.get(i)).get("class")).isEqualTo(direct[i][1] > direct[i][0] ? "yes" : "no");
    }
    // By the model's formula: sigmoid(0.5 + 0.5 + 0.6 + 2 + 0.2), sigmoid(-1.25 - 0.9 - 2 + 0.75).
    assertThat(direct[0][1]).isCloseTo((float) sigmoid(3.8), within(1e-6f));
    assertThat(direct[1][1]).isCloseTo((float) sigmoid(-3.4), within(1e-6f));

    Map<String, Object> infer = Map.of("id", "oip-" + model, "inputs", List.of(
        Map.of("name", "nums", "datatype", "FP32", "shape", List.of(3, 2), "data", List.of(0.5, 1, -1.25, 0, 2.0, 1)),
        Map.of("name", "count", "datatype", "INT64", "shape", List.of(3, 1), "data", List.of(List.of(2), List.of(-3), List.of(0))),
        Map.of("name", "text", "datatype", "BYTES", "shape", List.of(3), "data", List.of("good", "bad", "so-so \ud83d\ude00"))));
    Map<?, ?> oip = answer(post("/v2/models/" + model + "/infer", infer));
    Map<?, ?> probabilities = (Map<?, ?>) ((List<?>) oip.get("outputs")).get(0);
    assertThat(probabilities.get("name")).isEqualTo("output_probability");
    assertThat(probabilities.get("shape")).isEqualTo(List.of(3, 2));
    List<?> data = (List<?>) probabilities.get("data");
    for (int i = 0; i < INSTANCES.size(); i++) {
      assertThat(((Number) data.get(2 * i)).doubleValue()).isCloseTo(direct[i][0], within(1e-5));
      assertThat(((Number) data.get(2 * i + 1)).doubleValue()).isCloseTo(direct[i][1], within(1e-5));
    }

    // The log holds features, not tensors, whichever API the instances came in by.
    List<PredictionLogged> logged = TestEvents.awaitAtLeast(Topics.PREDICTION_LOGGED.name(), model, PredictionLogged.class, 6, TIMEOUT);
    PredictionLogged third = logged.stream().filter(e -> e.getRequestId().equals("oip-" + model) && e.getInstanceIndex() == 2).findFirst()
        .orElseThrow();
    assertThat(third.getInputs()).containsEntry("a", 2.0).containsEntry("flag", true).containsEntry("c", 0.0)
        .containsEntry("review", "so-so \ud83d\ude00");
  }

  @Test
  void shouldShowTheModelsRealInputsInItsMetadata() {
    String model = serve("metadata-", model(), SIGNATURE);

    Map<?, ?> metadata = answer(get("/v2/models/" + model));
    assertThat(metadata.get("inputs")).isEqualTo(List.of(
        Map.of("name", "nums", "datatype", "FP32", "shape", List.of(-1, 2), "parameters", Map.of("features", List.of("a", "flag"))),
        Map.of("name", "count", "datatype", "INT64", "shape", List.of(-1, 1), "parameters", Map.of("features", List.of("c"))),
        Map.of("name", "text", "datatype", "BYTES", "shape", List.of(-1), "parameters", Map.of("features", List.of("review")))));
    assertThat(object(((List<?>) metadata.get("outputs")).get(0))).containsEntry("name", "output_probability").containsEntry("datatype", "FP32");
  }

  @Test
  void shouldExplainApproximatelyWithinTheBudgetAndSumToTheProbabilityLessTheBaseline() {
    String model = serve("explained-", model(), SIGNATURE);

    Map<?, ?> answer = answer(post("/v1/models/" + model + "/predict?explain=true", Map.of("instances", INSTANCES)));
    for (Object item : (List<?>) answer.get("predictions")) {
      Map<?, ?> prediction = (Map<?, ?>) item;
      Map<String, Object> explanation = object(prediction.get("explanation"));
      assertThat(explanation).containsEntry("approximate", true).containsEntry("score", "probability").containsEntry("method", "shapley")
          .containsEntry("class", prediction.get("class"));
      // 16 background rows, the row, and the 14 proper coalitions of 4 features with each background row.
      assertThat(explanation.get("evaluations")).isEqualTo(16 + 1 + 14 * 16);
      Map<String, Object> contributions = object(explanation.get("contributions"));
      assertThat(contributions.keySet()).containsExactly("a", "flag", "c", "review");
      double value = ((Number) explanation.get("value")).doubleValue();
      double baseline = ((Number) explanation.get("baseline")).doubleValue();
      double sum = contributions.values().stream().mapToDouble(v -> ((Number) v).doubleValue()).sum();
      assertThat(value).isCloseTo(((Number) ((Map<?, ?>) prediction.get("probabilities")).get(prediction.get("class"))).doubleValue(), within(1e-6));
      assertThat(sum).isCloseTo(value - baseline, within(1e-6));
    }
    // The background's texts are empty and score 0: the first row's "good" (2 on the logit) must raise P(yes).
    Map<?, ?> first = (Map<?, ?>) ((Map<?, ?>) ((List<?>) answer.get("predictions")).get(0)).get("explanation");
    assertThat(((Number) ((Map<?, ?>) first.get("contributions")).get("review")).doubleValue()).isPositive();

    List<Map<String, Object>> many = new ArrayList<>();
    for (int i = 0; i < 17; i++) {
      many.add(INSTANCES.get(i % 3));
    }
    assertError(post("/v1/models/" + model + "/predict?explain=true", Map.of("instances", many)), 400,
        "is explained approximately (its artifact does not declare additive class scores), at most 16 instances per request, not 17");
  }

  @Test
  void shouldRefuseWhatTheModelsTensorsCannotTake() {
    String model = serve("strict-", model(), SIGNATURE);

    assertError(post("/v1/models/" + model + "/predict", Map.of("instances", List.of(Map.of("a", 1, "flag", true, "c", 1, "review", "x".repeat(21))))),
        400, "instances[0].review: a text of 21 characters; this feature takes at most 20");
    assertError(post("/v1/models/" + model + "/predict", Map.of("instances", List.of(Map.of("a", 1, "flag", true, "c", 1.5, "review", "ok")))),
        400, "instances[0].c: 1.5 is not a whole number, and the model takes this feature as an integer (INT64");
    Map<String, Object> missing = new HashMap<>(Map.of("a", 1, "flag", true, "review", "ok"));
    missing.put("c", null);
    assertError(post("/v1/models/" + model + "/predict", Map.of("instances", List.of(missing))),
        400, "instances[0].c: the model takes this feature as an integer (INT64), which cannot be missing");
    Map<String, Object> infer = Map.of("inputs", List.of(
        Map.of("name", "nums", "datatype", "FP32", "shape", List.of(1, 2), "data", List.of(0.5, 1)),
        Map.of("name", "count", "datatype", "FP64", "shape", List.of(1, 1), "data", List.of(1.5)),
        Map.of("name", "text", "datatype", "BYTES", "shape", List.of(1), "data", List.of("ok"))));
    assertError(post("/v2/models/" + model + "/infer", infer), 400, "inputs[1] 'count'.data[0] (feature 'c'): 1.5 is not a whole number");
    Map<String, Object> perFeature = Map.of("inputs", List.of(Map.of("name", "a", "datatype", "FP32", "shape", List.of(1), "data", List.of(0.5))));
    assertError(post("/v2/models/" + model + "/infer", perFeature), 400, "unknown input; the model takes [nums, count, text]");
    assertError(post("/v2/models/" + model + "/infer", Map.of("inputs", List.of())), 400, "inputs: give the model's input tensors [nums, count, text]");
  }

  /**
   * A model that answers one row whatever it is given (x FLOAT [N, 1]; p = the first row of [x, x], declared
   * [N, 2]): it passes the warm-up of one row and misbehaves on more. The slice's bounds pass through
   * Identity nodes, so shape inference keeps the declared shape, as an exporter's wrong declaration would.
   */
  static byte[] oneRowModel() {
    return new OnnxGraphs().input("x", OnnxGraphs.FLOAT, 1).longs("zero0", 0).longs("one0", 1)
        .node("Identity", List.of("zero0"), List.of("zero")).node("Identity", List.of("one0"), List.of("one"))
        .node("Concat", List.of("x", "x"), List.of("pair"), attribute("axis", 1L))
        .node("Slice", List.of("pair", "zero", "one", "zero"), List.of("p"))
        .tensorOutput("p", OnnxGraphs.FLOAT, 2).build();
  }

  @Test
  void shouldAnswerA500NamingWhatAServedModelDidWrong() {
    ModelSignature signature = ModelSignature.newBuilder().setInputs(List.of(field("x", FeatureType.NUMERIC).build()))
        .setOutputClasses(List.of("no", "yes")).setInputTensor("").setProbabilityTensor("p").setProbabilityFormat(ProbabilityFormat.TENSOR)
        .setTensors(List.of(tensor("x", TensorElementType.FLOAT, 2, "x"))).build();
    String model = serve("one-row-", oneRowModel(), signature,
        List.of(FeatureProfile.newBuilder().setName("x").setType(FeatureType.NUMERIC).setCount(3).setSample(List.of(0.1, 0.2, 0.3)).build()));

    assertThat(answer(post("/v1/models/" + model + "/predict", Map.of("instances", List.of(Map.of("x", 0.25)))))).isNotNull();
    String expected = "model " + model + " version 1 does not answer as its signature says: the model returned probabilities for 1 rows, not for the 2";
    assertError(post("/v1/models/" + model + "/predict", Map.of("instances", List.of(Map.of("x", 0.25), Map.of("x", 0.5)))), 500, expected);
    assertError(post("/v2/models/" + model + "/infer", Map.of("inputs", List.of(
        Map.of("name", "x", "datatype", "FP32", "shape", List.of(2, 1), "data", List.of(0.25, 0.5))))), 500, expected);
    // One instance scores, but its explanation asks the model about many rows at once.
    assertError(post("/v1/models/" + model + "/predict?explain=true", Map.of("instances", List.of(Map.of("x", 0.25)))), 500,
        "does not answer as its signature says: the model returned probabilities for 1 rows");
  }

  /** The five fixtures that output probabilities: skl2onnx (two shapes), onnxmltools' XGBoost, torch's MLP, skl2onnx's TF-IDF. */
  private static final List<String> FIXTURES = List.of(OnnxFixtures.WINE_SKLEARN_LOGREG, OnnxFixtures.WINE_SKLEARN_PER_FEATURE,
      OnnxFixtures.WINE_XGBOOST, OnnxFixtures.WINE_PYTORCH_MLP, OnnxFixtures.REVIEWS_SKLEARN_TFIDF);

  @Test
  void shouldServeEveryFixtureAsOnnxRuntimeAnswersOnBothApisWithItsRealInputs() throws Exception {
    for (String name : FIXTURES) {
      OnnxFixtures.Fixture fixture = OnnxFixtures.fixture(name);
      byte[] onnx = OnnxFixtures.bytes(name);
      String model = serve("fixture-", onnx, fixtureSignature(fixture), fixtureProfile(fixture));
      List<Map<String, Object>> rows = fixture.expected().stream().map(OnnxFixtures.Expected::features).toList();
      float[][] direct = directFixture(onnx, fixture, rows);
      List<String> classes = fixture.classOrder();

      Map<?, ?> answer = answer(post("/v1/models/" + model + "/predict", Map.of("instances", rows)));
      List<?> predictions = (List<?>) answer.get("predictions");
      for (int i = 0; i < rows.size(); i++) {
        Map<?, ?> probabilities = (Map<?, ?>) ((Map<?, ?>) predictions.get(i)).get("probabilities");
        for (int c = 0; c < classes.size(); c++) {
          assertThat(((Number) probabilities.get(classes.get(c))).doubleValue()).as("%s row %d class %s", name, i, classes.get(c))
              .isCloseTo(direct[i][c], within(1e-5))
              // And the exporter's own library's figure, as the manifest keeps it.
              .isCloseTo(fixture.expected().get(i).probabilities().get(c), within(1e-4));
        }
      }

      List<Map<String, Object>> tensors = new ArrayList<>();
      List<Map<String, Object>> declared = new ArrayList<>();
      for (OnnxFixtures.Port input : fixture.inputs()) {
        List<Object> data = new ArrayList<>();
        rows.forEach(row -> input.features().forEach(feature -> data.add(row.get(feature))));
        String datatype = switch (input.type()) {
          case "FLOAT" -> "FP32";
          case "DOUBLE" -> "FP64";
          case "INT64" -> "INT64";
          default -> "BYTES";
        };
        boolean rank1 = input.shape().size() == 1;
        tensors.add(Map.of("name", input.name(), "datatype", datatype, "data", data,
            "shape", rank1 ? List.of(rows.size()) : List.of(rows.size(), input.features().size())));
        declared.add(Map.of("name", input.name(), "datatype", datatype, "shape", rank1 ? List.of(-1) : List.of(-1, input.features().size()),
            "parameters", Map.of("features", input.features())));
      }
      Map<?, ?> oip = answer(post("/v2/models/" + model + "/infer", Map.of("inputs", tensors)));
      List<?> data = (List<?>) ((Map<?, ?>) ((List<?>) oip.get("outputs")).get(0)).get("data");
      for (int i = 0; i < rows.size(); i++) {
        for (int c = 0; c < classes.size(); c++) {
          assertThat(((Number) data.get(i * classes.size() + c)).doubleValue()).as("%s OIP row %d class %d", name, i, c)
              .isCloseTo(direct[i][c], within(1e-5));
        }
      }
      assertThat(answer(get("/v2/models/" + model)).get("inputs")).as(name).isEqualTo(declared);
    }
  }

  @Test
  void shouldExplainATreeEnsembleAndATextModelApproximatelyWithinTheBudget() {
    Map<String, String> methods = Map.of(OnnxFixtures.WINE_XGBOOST, "kernel-shap", OnnxFixtures.REVIEWS_SKLEARN_TFIDF, "shapley");
    for (Map.Entry<String, String> method : methods.entrySet()) {
      OnnxFixtures.Fixture fixture = OnnxFixtures.fixture(method.getKey());
      String model = serve("fixture-explained-", OnnxFixtures.bytes(method.getKey()), fixtureSignature(fixture), fixtureProfile(fixture));
      List<Map<String, Object>> rows = fixture.expected().stream().map(OnnxFixtures.Expected::features).toList();

      Map<?, ?> answer = answer(post("/v1/models/" + model + "/predict?explain=true", Map.of("instances", rows)));
      for (Object item : (List<?>) answer.get("predictions")) {
        Map<String, Object> explanation = object(((Map<?, ?>) item).get("explanation"));
        assertThat(explanation).as(method.getKey()).containsEntry("approximate", true).containsEntry("method", method.getValue());
        // The default budget: 2,048 evaluations per explained row.
        assertThat(((Number) explanation.get("evaluations")).intValue()).isLessThanOrEqualTo(2048);
        double sum = object(explanation.get("contributions")).values().stream().mapToDouble(v -> ((Number) v).doubleValue()).sum();
        assertThat(sum).isCloseTo(((Number) explanation.get("value")).doubleValue() - ((Number) explanation.get("baseline")).doubleValue(),
            within(1e-6));
      }
    }
  }

  @Test
  void shouldRefuseAFixturesIntegerFeatureThatIsNotWholeAndATextTooLong() {
    OnnxFixtures.Fixture perFeature = OnnxFixtures.fixture(OnnxFixtures.WINE_SKLEARN_PER_FEATURE);
    String wine = serve("fixture-strict-", OnnxFixtures.bytes(perFeature.file()), fixtureSignature(perFeature), fixtureProfile(perFeature));
    Map<String, Object> row = new HashMap<>(perFeature.expected().get(0).features());
    row.put("magnesium", 127.5);
    assertError(post("/v1/models/" + wine + "/predict", Map.of("instances", List.of(row))), 400,
        "instances[0].magnesium: 127.5 is not a whole number, and the model takes this feature as an integer (INT64");
    row.put("magnesium", null);
    assertError(post("/v1/models/" + wine + "/predict", Map.of("instances", List.of(row))), 400,
        "instances[0].magnesium: the model takes this feature as an integer (INT64), which cannot be missing");

    OnnxFixtures.Fixture tfidf = OnnxFixtures.fixture(OnnxFixtures.REVIEWS_SKLEARN_TFIDF);
    String reviews = serve("fixture-text-", OnnxFixtures.bytes(tfidf.file()), fixtureSignature(tfidf), fixtureProfile(tfidf));
    assertError(post("/v1/models/" + reviews + "/predict", Map.of("instances", List.of(Map.of("review", "a".repeat(501))))), 400,
        "instances[0].review: a text of 501 characters; this feature takes at most 500");
    assertError(post("/v2/models/" + reviews + "/infer", Map.of("inputs", List.of(
        Map.of("name", "input", "datatype", "BYTES", "shape", List.of(1, 1), "data", List.of(7))))), 400,
        "inputs[0] 'input'.data[0] (feature 'review'): datatype BYTES holds strings, not 7");
  }

  /**
   * The signature the importer builds from a fixture's manifest entry: the dataset's features (wine: 13
   * numeric; reviews: review, text of at most 500 characters, as data/reviews.spec.json says), one tensor per
   * model input with its features, the class order and the probability output.
   */
  static ModelSignature fixtureSignature(OnnxFixtures.Fixture fixture) {
    List<SignatureField> inputs = new ArrayList<>();
    List<SignatureTensor> tensors = new ArrayList<>();
    for (OnnxFixtures.Port port : fixture.inputs()) {
      for (String feature : port.features()) {
        inputs.add("STRING".equals(port.type()) ? field(feature, FeatureType.TEXT).setMaxLength(500).build()
            : field(feature, FeatureType.NUMERIC).build());
      }
      tensors.add(tensor(port.name(), TensorElementType.valueOf(port.type()), port.shape().size(), port.features().toArray(String[]::new)));
    }
    return ModelSignature.newBuilder().setInputs(inputs).setOutputClasses(fixture.classOrder()).setInputTensor("")
        .setProbabilityTensor(fixture.probabilityOutput()).setProbabilityFormat(ProbabilityFormat.valueOf(fixture.probabilityFormat()))
        .setTensors(tensors).build();
  }

  /** A reference profile whose samples are the manifest's rows (numbers), with texts' lengths. */
  static List<FeatureProfile> fixtureProfile(OnnxFixtures.Fixture fixture) {
    List<FeatureProfile> profiles = new ArrayList<>();
    for (SignatureField input : fixtureSignature(fixture).getInputs()) {
      List<Double> sample = fixture.expected().stream().map(e -> e.features().get(input.getName()))
          .map(v -> v instanceof Number n ? n.doubleValue() : (double) String.valueOf(v).length()).toList();
      profiles.add(FeatureProfile.newBuilder().setName(input.getName()).setType(input.getType()).setCount(sample.size()).setSample(sample).build());
    }
    return profiles;
  }

  /** ONNX Runtime's probabilities for a fixture, in its class order, with tensors made here from the manifest's ports. */
  static float[][] directFixture(byte[] onnx, OnnxFixtures.Fixture fixture, List<Map<String, Object>> rows) throws Exception {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    int n = rows.size();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try (OrtSession session = environment.createSession(onnx, new OrtSession.SessionOptions())) {
      for (OnnxFixtures.Port port : fixture.inputs()) {
        int width = port.features().size();
        long[] shape = port.shape().size() == 1 ? new long[] {n} : new long[] {n, width};
        switch (port.type()) {
          case "FLOAT" -> {
            float[] values = new float[n * width];
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < width; j++) {
                values[i * width + j] = ((Number) rows.get(i).get(port.features().get(j))).floatValue();
              }
            }
            inputs.put(port.name(), OnnxTensor.createTensor(environment, java.nio.FloatBuffer.wrap(values), shape));
          }
          case "DOUBLE" -> {
            double[] values = new double[n * width];
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < width; j++) {
                values[i * width + j] = ((Number) rows.get(i).get(port.features().get(j))).doubleValue();
              }
            }
            inputs.put(port.name(), OnnxTensor.createTensor(environment, java.nio.DoubleBuffer.wrap(values), shape));
          }
          case "INT64" -> {
            long[] values = new long[n * width];
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < width; j++) {
                values[i * width + j] = ((Number) rows.get(i).get(port.features().get(j))).longValue();
              }
            }
            inputs.put(port.name(), OnnxTensor.createTensor(environment, java.nio.LongBuffer.wrap(values), shape));
          }
          default -> {
            String[] values = new String[n * width];
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < width; j++) {
                values[i * width + j] = (String) rows.get(i).get(port.features().get(j));
              }
            }
            inputs.put(port.name(), OnnxTensor.createTensor(environment, values, shape));
          }
        }
      }
      try (OrtSession.Result result = session.run(inputs)) {
        OnnxValue output = result.get(fixture.probabilityOutput()).orElseThrow();
        float[][] probabilities = new float[n][fixture.classOrder().size()];
        if (output instanceof OnnxSequence sequence) {
          List<? extends OnnxValue> maps = sequence.getValue();
          for (int i = 0; i < n; i++) {
            try (OnnxMap map = (OnnxMap) maps.get(i)) {
              Map<?, ?> values = map.getValue();
              for (int c = 0; c < fixture.classOrder().size(); c++) {
                Object key = fixture.classKeys().get(c);
                probabilities[i][c] = (Float) values.get(key instanceof Number number ? (Object) number.longValue() : key);
              }
            }
          }
        } else {
          float[][] tensor = (float[][]) output.getValue();
          for (int i = 0; i < n; i++) {
            probabilities[i] = tensor[i].clone();
          }
        }
        return probabilities;
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /** The probabilities ONNX Runtime gives for the instances, with tensors made here (not by the service's code). */
  static float[][] direct(byte[] onnx, List<Map<String, Object>> instances) throws Exception {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    int n = instances.size();
    float[][] nums = new float[n][2];
    long[][] count = new long[n][1];
    String[] text = new String[n];
    for (int i = 0; i < n; i++) {
      Map<String, Object> instance = instances.get(i);
      nums[i][0] = ((Number) instance.get("a")).floatValue();
      nums[i][1] = Boolean.TRUE.equals(instance.get("flag")) ? 1 : 0;
      count[i][0] = ((Number) instance.get("c")).longValue();
      text[i] = (String) instance.get("review");
    }
    try (OrtSession session = environment.createSession(onnx, new OrtSession.SessionOptions());
         OnnxTensor a = OnnxTensor.createTensor(environment, nums);
         OnnxTensor c = OnnxTensor.createTensor(environment, count);
         OnnxTensor t = OnnxTensor.createTensor(environment, text, new long[] {n});
         OrtSession.Result result = session.run(Map.of("nums", a, "count", c, "text", t))) {
      List<? extends OnnxValue> maps = ((OnnxSequence) result.get("output_probability").orElseThrow()).getValue();
      float[][] probabilities = new float[n][2];
      for (int i = 0; i < n; i++) {
        try (OnnxMap map = (OnnxMap) maps.get(i)) {
          Map<?, ?> values = map.getValue();
          probabilities[i][0] = (Float) values.get("no");
          probabilities[i][1] = (Float) values.get("yes");
        }
      }
      return probabilities;
    }
  }

  /** Approves the model as the registry would, with a reference profile of its features, and waits until it serves. */
  private String serve(String prefix, byte[] onnx, ModelSignature signature) {
    return serve(prefix, onnx, signature, List.of(
        FeatureProfile.newBuilder().setName("a").setType(FeatureType.NUMERIC).setCount(3).setSample(List.of(-1.0, 0.0, 1.5)).build(),
        FeatureProfile.newBuilder().setName("flag").setType(FeatureType.BOOLEAN).setCount(3).setCategoryFrequencies(Map.of("true", 0.5, "false", 0.5))
            .build(),
        FeatureProfile.newBuilder().setName("c").setType(FeatureType.NUMERIC).setCount(3).setSample(List.of(0.0, 1.0, 4.0)).build(),
        FeatureProfile.newBuilder().setName("review").setType(FeatureType.TEXT).setCount(3).setSample(List.of(4.0)).build()));
  }

  private String serve(String prefix, byte[] onnx, ModelSignature signature, List<FeatureProfile> features) {
    String model = prefix + UUID.randomUUID().toString().substring(0, 8);
    ModelApproved approval = TestModels.approval(model, 1, TestModels.store(store, onnx), signature);
    approval.setReferenceProfile(ReferenceProfile.newBuilder(approval.getReferenceProfile()).setFeatures(features).build());
    TestEvents.publish(Topics.MODEL_APPROVED.name(), model, approval);
    await().atMost(TIMEOUT).until(() -> get("/v2/models/" + model + "/versions/1/ready").statusCode() == 200);
    return model;
  }

  private HttpResponse<String> post(String path, Map<String, Object> body) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
  }

  private HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return client.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + inference.getEnvironment().getProperty("local.server.port") + path);
  }

  private Map<?, ?> answer(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readValue(response.body(), Map.class);
  }

  private static void assertError(HttpResponse<String> response, int status, String message) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.body()).startsWith("{\"error\":").contains(message);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object json) {
    return (Map<String, Object>) json;
  }

  private static SignatureField.Builder field(String name, FeatureType type) {
    return SignatureField.newBuilder().setName(name).setType(type);
  }

  private static SignatureTensor tensor(String name, TensorElementType type, int rank, String... features) {
    return SignatureTensor.newBuilder().setName(name).setElementType(type).setRank(rank).setFeatures(List.of(features)).build();
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
