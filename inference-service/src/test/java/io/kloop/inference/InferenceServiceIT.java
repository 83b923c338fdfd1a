package io.kloop.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ArtifactRef;
import io.kloop.events.PredictionLogged;
import io.kloop.model.OnnxClassifier;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The inference service on a real broker, with real ONNX models approved as the registry approves them. One
 * instance serves the class's tests; each test approves models of its own (unique names) and stands alone, in
 * any order: a test that stops the instance starts it again, and each test finds it running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceServiceIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final List<Map<String, Object>> INSTANCES = List.of(
      Map.of("radius", 1.5, "smooth", true, "shape", "round"),
      Map.of("radius", -2, "smooth", false, "shape", "oval"),
      Map.of("radius", 0.25, "smooth", true, "shape", "oval"));

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  private Path home;
  private LocalArtifactStore store;
  private ConfigurableApplicationContext inference;
  private WebTestClient http;
  private final JsonMapper json = JsonMapper.builder().build();

  @BeforeAll
  void start(@TempDir Path home) {
    this.home = home;
    store = new LocalArtifactStore(home.resolve("artifacts"));
  }

  /** The instance runs for every test, whatever the test before it did. */
  @BeforeEach
  void running() {
    if (inference == null) {
      inference = startInference();
      http = client();
    }
  }

  @AfterAll
  void stop() {
    if (inference != null) {
      inference.close();
    }
  }

  @Test
  void shouldAnswerAsOnnxRuntimeCalledDirectlyOnBothApis() {
    String model = "tumours-" + shortId();
    byte[] onnx = TestModels.onnx(1f);
    approve(model, 1, TestModels.store(store, onnx));
    awaitServing(model, 1);

    Map<String, Object> answer = http.post().uri("/v1/models/{m}/predict", model).header("X-Request-Id", "req-1")
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("instances", INSTANCES)).exchange()
        .expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() {}).returnResult().getResponseBody();

    float[][] direct;
    try (OnnxClassifier classifier = OnnxClassifier.load(onnx, TestModels.SIGNATURE)) {
      direct = classifier.probabilities(classifier.encoding().encodeAll(INSTANCES));
    }
    assertThat(answer).containsEntry("id", "req-1").containsEntry("version", 1);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> predictions = (List<Map<String, Object>>) answer.get("predictions");
    assertThat(predictions).hasSize(3);
    for (int i = 0; i < 3; i++) {
      @SuppressWarnings("unchecked")
      Map<String, Number> probabilities = (Map<String, Number>) predictions.get(i).get("probabilities");
      assertThat(probabilities.get("benign").doubleValue()).isEqualTo((double) direct[i][0]);
      assertThat(probabilities.get("malignant").doubleValue()).isEqualTo((double) direct[i][1]);
      assertThat(predictions.get(i)).containsEntry("class", direct[i][0] >= direct[i][1] ? "benign" : "malignant").containsEntry("version", 1)
          .containsEntry("predictionId", "req-1/" + i);
    }

    // Operators see the request timed under its route's pattern, not under each model's path or as UNKNOWN. The
    // server records the request once its answer is complete, which may be after the client has the last byte.
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(prometheus())
        .containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"200\"[^}]*uri=\"/v1/models/\\{name}/predict\"[^}]*} [1-9]"));

    // The same instances as Open Inference Protocol tensors, with the version in the path.
    Map<String, Object> infer = Map.of("id", "oip-7", "inputs", List.of(
        Map.of("name", "radius", "datatype", "FP64", "shape", List.of(3), "data", List.of(1.5, -2, 0.25)),
        Map.of("name", "smooth", "datatype", "BOOL", "shape", List.of(3, 1), "data", List.of(List.of(true), List.of(false), List.of(true))),
        Map.of("name", "shape", "datatype", "BYTES", "shape", List.of(3), "data", List.of("round", "oval", "oval"))));
    http.post().uri("/v2/models/{m}/versions/1/infer", model).contentType(MediaType.APPLICATION_JSON).bodyValue(infer).exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.id").isEqualTo("oip-7")
        .jsonPath("$.model_name").isEqualTo(model)
        .jsonPath("$.model_version").isEqualTo("1")
        .jsonPath("$.outputs[0].name").isEqualTo("probabilities")
        .jsonPath("$.outputs[0].shape").isEqualTo(List.of(3, 2))
        .jsonPath("$.outputs[0].data[2]").isEqualTo((double) direct[1][0])
        .jsonPath("$.outputs[1].name").isEqualTo("label")
        .jsonPath("$.outputs[1].data.length()").isEqualTo(3)
        .jsonPath("$.outputs[2].name").isEqualTo("prediction_id")
        .jsonPath("$.outputs[2].datatype").isEqualTo("BYTES")
        .jsonPath("$.outputs[2].shape").isEqualTo(List.of(3))
        .jsonPath("$.outputs[2].data").isEqualTo(List.of("oip-7/0", "oip-7/1", "oip-7/2"));
    // The metadata: the features are the inputs; the prediction ids an optional input beside them, and an output.
    http.get().uri("/v2/models/{m}", model).exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.platform").isEqualTo("onnxruntime_onnx")
        .jsonPath("$.inputs.length()").isEqualTo(3)
        .jsonPath("$.inputs[0].name").isEqualTo("radius")
        .jsonPath("$.inputs[2].datatype").isEqualTo("BYTES")
        .jsonPath("$.outputs[0].shape").isEqualTo(List.of(-1, 2))
        .jsonPath("$.outputs[2]").isEqualTo(Map.of("name", "prediction_id", "datatype", "BYTES", "shape", List.of(-1)))
        .jsonPath("$.parameters.optional_inputs").isEqualTo(List.of(Map.of("name", "prediction_id", "datatype", "BYTES", "shape", List.of(-1))));
    http.get().uri("/v2/models/{m}/ready", model).exchange().expectStatus().isOk().expectBody().jsonPath("$.ready").isEqualTo(true);
    http.get().uri("/v2/health/ready").exchange().expectStatus().isOk().expectBody().jsonPath("$.ready").isEqualTo(true);
    http.get().uri("/v2/health/live").exchange().expectStatus().isOk();
    http.get().uri("/v2").exchange().expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("kloop-inference");
  }

  @Test
  void shouldAnswerEveryClientMistakeWith4xxNamingTheField() {
    String model = servingVersionOne("strict-");

    assertError(predict("no-such-model", Map.of("instances", INSTANCES)), 404, "no model named no-such-model");
    assertError(predict(model, Map.of("instances", List.of(Map.of("radius", 1, "smooth", true)))), 400, "instances[0]: missing feature 'shape'");
    assertError(predict(model, Map.of("instances", List.of(Map.of("radius", 1, "smooth", true, "shape", "oval", "colour", "red")))), 400,
        "instances[0]: unknown feature 'colour'");
    assertError(predict(model, Map.of("instances", List.of(INSTANCES.get(0), Map.of("radius", "big", "smooth", true, "shape", "oval")))), 400,
        "instances[1].radius: expected a number");
    assertError(predict(model, Map.of("instances", List.of(Map.of("radius", 1, "smooth", "yes", "shape", "oval")))), 400,
        "instances[0].smooth: expected true or false");
    assertError(predict(model, Map.of("instances", List.of(Map.of("radius", 1, "smooth", true, "shape", "square")))), 400,
        "instances[0].shape: 'square' is not one of [round, oval]");
    assertError(predict(model, Map.of("instances", List.of())), 400, "no instances");
    // A model without an imputation layer (the platform's own models have one) cannot score a missing value.
    String unimputed = "unimputed-" + shortId();
    approve(unimputed, 1, TestModels.store(store, TestModels.onnx(1f, true, false)));
    awaitServing(unimputed, 1);
    Map<String, Object> missing = new java.util.HashMap<>(Map.of("smooth", true, "shape", "oval"));
    missing.put("radius", null);
    assertError(predict(unimputed, Map.of("instances", List.of(INSTANCES.get(0), missing))), 400,
        "instances[1]: the model gives no probabilities for this instance");
    assertError(rawPost("/v1/models/" + model + "/predict", "{\"instances\": [{\"radius\": NaN, \"smooth\": true, \"shape\": \"oval\"}]}"), 400,
        "unreadable request");
    assertError(rawPost("/v1/models/" + model + "/predict", "{\"instances\": [{\"radius\": 1e999, \"smooth\": true, \"shape\": \"oval\"}]}"), 400,
        "is not a finite number");
    assertError(rawPost("/v1/models/" + model + "/predict", "{\"instances\": [" + "{\"radius\": 1, \"smooth\": true, \"shape\": \"oval\"},"
        .repeat(20_000) + "{}]}"), 413, "request body too large");
    assertError(rawPost("/v2/models/" + model + "/infer", "{\"inputs\": [{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [2], "
        + "\"data\": [1]}]}"), 400, "inputs[0] 'radius': shape [2] needs 2 value(s), got 1");
    assertError(rawPost("/v2/models/" + model + "/infer", "{\"inputs\": [{\"name\": \"smooth\", \"datatype\": \"FP32\", \"shape\": [1], "
        + "\"data\": [1]}]}"), 400, "datatype 'FP32' does not fit a BOOLEAN feature; use BOOL");
    assertError(rawPost("/v2/models/" + model + "/versions/9/infer", "{\"inputs\": []}"), 404, "version 9 is not served");
    assertError(rawPost("/v2/models/" + model + "/versions/latest/infer", "{\"inputs\": []}"), 404, "has no version 'latest'");
    assertError(rawPost("/v2/models/no-such-model/infer", "{\"inputs\": []}"), 404, "no model named no-such-model");
    assertError(rawPost("/v2/models/" + model + "/infer", "{\"inputs\": [{\"name\": \"radius\""), 400, "unreadable request");
    assertError(rawPost("/v2/models/" + model + "/infer", ""), 400, "the body must be");
    assertError(rawPost("/v2/models/" + model + "/infer", "null"), 400, "the body must be");
    assertError(rawPost("/v1/models/" + model + "/predict", "null"), 400, "the body must be");
    assertError(rawPost("/v2/models/" + model + "/infer", "{\"inputs\": [" + "{\"name\": \"radius\", \"datatype\": \"FP64\"},"
        .repeat(10_000) + "{}]}"), 413, "request body too large");
    // The scoring endpoints take JSON (a body without a Content-Type is read as JSON) and only POST.
    assertError(rawPost("/v1/models/" + model + "/predict", json.writeValueAsString(Map.of("instances", INSTANCES)), "text/csv"), 415,
        "text/csv");
    assertError(rawPost("/v1/models/" + model + "/predict", json.writeValueAsString(Map.of("instances", INSTANCES)), "not a media type"), 415,
        "Content-Type");
    assertThat(rawPost("/v1/models/" + model + "/predict", json.writeValueAsString(Map.of("instances", INSTANCES)), null).statusCode())
        .isEqualTo(200);
    http.get().uri("/v2/models/{m}/infer", model).exchange().expectStatus().isEqualTo(405).expectHeader().valueEquals("Allow", "POST")
        .expectBody().jsonPath("$.error").exists();
  }

  @Test
  void shouldIdentifyEveryPredictionByTheClientsIdOrItsRequestAndIndexInTheAnswerAndTheLog() {
    String model = servingVersionOne("identified-");
    String radius = "{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [2], \"data\": [1.5, -2]}, "
        + "{\"name\": \"smooth\", \"datatype\": \"BOOL\", \"shape\": [2], \"data\": [true, false]}, "
        + "{\"name\": \"shape\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"round\", \"oval\"]}";
    String infer = "/v2/models/" + model + "/infer";
    String predict = "/v1/models/" + model + "/predict";
    // Mistakes first: refused before scoring, they log nothing (checked below, once the later predictions are logged).
    String bad = "bad-" + shortId();
    assertError(post(predict, bad, Map.of("instances", INSTANCES, "ids", List.of("a", "b"))), 400,
        "ids: 2 id(s) for 3 instance(s); give one id per instance, in the instances' order");
    assertError(post(predict, bad, Map.of("instances", INSTANCES, "ids", List.of("a", "b", "a"))), 400,
        "ids[2]: 'a' is given twice (also ids[0]); the ids of a request must differ");
    assertError(post(predict, bad, Map.of("instances", INSTANCES, "ids", List.of("a", "x".repeat(129), "c"))), 400,
        "ids[1]: an id has at most 128 characters, got 129");
    assertError(post(predict, bad, Map.of("instances", INSTANCES, "ids", List.of("a", "b", 17))), 400, "ids[2]: an id is a string, not the number 17");
    assertError(post(predict, bad, Map.of("instances", INSTANCES, "ids", List.of("a", " ", "c"))), 400, "ids[1]: an id must not be empty or blank");
    assertError(post(predict, bad, Map.of("instances", INSTANCES, "ids", List.of("a\u200bb", "b", "c"))), 400,
        "ids[0]: character 2 is U+200B; an id has no control or invisible characters");
    assertError(rawPost(infer, "{\"id\": \"" + bad + "\", \"inputs\": [" + radius + ", {\"name\": \"prediction_id\", \"datatype\": \"BYTES\", "
        + "\"shape\": [2], \"data\": [\"a\", \"a\"]}]}"), 400,
        "inputs[3] 'prediction_id'.data[1]: 'a' is given twice (also inputs[3] 'prediction_id'.data[0])");
    assertError(rawPost(infer, "{\"id\": \"" + bad + "\", \"inputs\": [{\"name\": \"prediction_id\", \"datatype\": \"FP64\", \"shape\": [2], "
        + "\"data\": [1, 2]}, " + radius + "]}"), 400, "inputs[0] 'prediction_id': datatype 'FP64'; the prediction ids are BYTES, one string per row");

    // The named-feature API: the client's ids (beside the instances, so a feature may be called "id"), then the default ones.
    List<String> orders = List.of("order-17", "Bestellung Nr. 18 \u00fc", "19");
    Map<?, ?> given = answer(post(predict, "with-ids-" + model, Map.of("instances", INSTANCES, "ids", orders)));
    Map<?, ?> byRequest = answer(post(predict, "req-" + model, Map.of("instances", INSTANCES)));
    Map<?, ?> madeUp = answer(post(predict, null, Map.of("instances", INSTANCES)));
    String madeUpId = (String) madeUp.get("id");
    assertThat(predictionIds(given)).containsExactlyElementsOf(orders);
    assertThat(predictionIds(byRequest)).containsExactly("req-" + model + "/0", "req-" + model + "/1", "req-" + model + "/2");
    assertThat(madeUpId).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(predictionIds(madeUp)).containsExactly(madeUpId + "/0", madeUpId + "/1", madeUpId + "/2");

    // The Open Inference Protocol: the ids in a tensor of their own; the answer's prediction_id output unless other outputs are asked for.
    String ids = "{\"name\": \"prediction_id\", \"datatype\": \"BYTES\", \"shape\": [2, 1], \"data\": [[\"claim-1\"], [\"claim-2\"]]}";
    Map<?, ?> tensorIds = answer(rawPost(infer, "{\"id\": \"oip-ids-" + model + "\", \"inputs\": [" + ids + ", " + radius + "], "
        + "\"outputs\": [{\"name\": \"prediction_id\"}, {\"name\": \"label\"}]}"));
    assertThat(tensorIds.get("outputs")).asList().hasSize(2);
    assertThat(output(tensorIds, "prediction_id")).isEqualTo(Map.of("name", "prediction_id", "datatype", "BYTES", "shape", List.of(2),
        "data", List.of("claim-1", "claim-2")));
    Map<?, ?> defaultIds = answer(rawPost(infer, "{\"id\": \"oip-" + model + "\", \"inputs\": [" + radius + "]}"));
    assertThat(output(defaultIds, "prediction_id").get("data")).isEqualTo(List.of("oip-" + model + "/0", "oip-" + model + "/1"));
    Map<?, ?> probabilitiesOnly = answer(rawPost(infer, "{\"id\": \"oip-only-" + model + "\", \"inputs\": [" + ids + ", " + radius + "], "
        + "\"outputs\": [{\"name\": \"probabilities\"}]}"));
    assertThat(probabilitiesOnly.get("outputs")).asList().hasSize(1);
    assertThat(output(probabilitiesOnly, "probabilities")).isNotNull();

    // Each logged prediction carries the id its answer gave, whether the answer showed it or not; the refused requests logged nothing.
    List<PredictionLogged> logged = TestEvents.awaitAtLeast(Topics.PREDICTION_LOGGED.name(), model, PredictionLogged.class, 3 * 3 + 3 * 2,
        TIMEOUT);
    assertThat(logged).hasSize(15).noneMatch(event -> event.getRequestId().equals(bad));
    Map<String, String> byInstance = new java.util.HashMap<>();
    logged.forEach(event -> byInstance.put(event.getRequestId() + " #" + event.getInstanceIndex(), event.getPredictionId()));
    assertThat(byInstance).containsOnly(
        Map.entry("with-ids-" + model + " #0", "order-17"), Map.entry("with-ids-" + model + " #1", "Bestellung Nr. 18 \u00fc"),
        Map.entry("with-ids-" + model + " #2", "19"),
        Map.entry("req-" + model + " #0", "req-" + model + "/0"), Map.entry("req-" + model + " #1", "req-" + model + "/1"),
        Map.entry("req-" + model + " #2", "req-" + model + "/2"),
        Map.entry(madeUpId + " #0", madeUpId + "/0"), Map.entry(madeUpId + " #1", madeUpId + "/1"), Map.entry(madeUpId + " #2", madeUpId + "/2"),
        Map.entry("oip-ids-" + model + " #0", "claim-1"), Map.entry("oip-ids-" + model + " #1", "claim-2"),
        Map.entry("oip-" + model + " #0", "oip-" + model + "/0"), Map.entry("oip-" + model + " #1", "oip-" + model + "/1"),
        Map.entry("oip-only-" + model + " #0", "claim-1"), Map.entry("oip-only-" + model + " #1", "claim-2"));
  }

  /** A predict request with the X-Request-Id header, or none when null. */
  private HttpResponse<String> post(String path, String requestId, Map<String, Object> body) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
      if (requestId != null) {
        request.header("X-Request-Id", requestId);
      }
      return client.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Map<?, ?> answer(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readValue(response.body(), Map.class);
  }

  private static List<Object> predictionIds(Map<?, ?> answer) {
    return ((List<?>) answer.get("predictions")).stream().<Object>map(prediction -> ((Map<?, ?>) prediction).get("predictionId")).toList();
  }

  private static Map<?, ?> output(Map<?, ?> answer, String name) {
    return ((List<?>) answer.get("outputs")).stream().map(output -> (Map<?, ?>) output).filter(output -> name.equals(output.get("name")))
        .findFirst().orElse(null);
  }

  @Test
  void shouldExplainALinearModelsPredictionsByFeatureContributions() {
    String model = servingVersionOne("explained-");
    Map<String, Object> missing = new java.util.HashMap<>(Map.of("smooth", false, "shape", "round"));
    missing.put("radius", null);
    List<Map<String, Object>> instances = List.of(INSTANCES.get(0), INSTANCES.get(1), missing);

    Map<String, Object> answer = http.post().uri("/v1/models/{m}/predict?explain=true", model)
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("instances", instances)).exchange()
        .expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() {}).returnResult().getResponseBody();

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> predictions = (List<Map<String, Object>>) answer.get("predictions");
    float[][] encoded;
    try (OnnxClassifier classifier = OnnxClassifier.load(TestModels.onnx(1f), TestModels.SIGNATURE)) {
      encoded = classifier.encoding().encodeAll(instances);
    }
    for (int i = 0; i < instances.size(); i++) {
      Map<String, Object> prediction = predictions.get(i);
      @SuppressWarnings("unchecked")
      Map<String, Object> explanation = (Map<String, Object>) prediction.get("explanation");
      @SuppressWarnings("unchecked")
      Map<String, Number> probabilities = (Map<String, Number>) prediction.get("probabilities");
      @SuppressWarnings("unchecked")
      Map<String, Number> contributions = (Map<String, Number>) explanation.get("contributions");
      String predicted = (String) prediction.get("class");
      // The model's first class has weights w and the second -w: a column moves the first class's log-odds by 2w.
      double sign = predicted.equals("benign") ? 1 : -1;
      double[] column = new double[4];
      for (int c = 0; c < 4; c++) {
        column[c] = sign * 2 * TestModels.weight(c, 1f) * ((Float.isNaN(encoded[i][c]) ? TestModels.MEANS[c] : encoded[i][c]) - TestModels.MEANS[c]);
      }
      assertThat(explanation).containsEntry("class", predicted).containsEntry("score", "log-odds");
      assertThat(contributions.keySet()).containsExactly("radius", "smooth", "shape");
      assertThat(contributions.get("radius").doubleValue()).isCloseTo(column[0], within(1e-4));
      assertThat(contributions.get("smooth").doubleValue()).isCloseTo(column[1], within(1e-4));
      assertThat(contributions.get("shape").doubleValue()).isCloseTo(column[2] + column[3], within(1e-4));
      double logOdds = Math.log(probabilities.get(predicted).doubleValue() / (1 - probabilities.get(predicted).doubleValue()));
      double sum = ((Number) explanation.get("baseline")).doubleValue() + contributions.values().stream().mapToDouble(Number::doubleValue).sum();
      assertThat(((Number) explanation.get("value")).doubleValue()).isCloseTo(logOdds, within(1e-4)).isCloseTo(sum, within(1e-9));
    }
    assertThat(predictions.get(2).get("explanation")).extracting("contributions").extracting("radius").isEqualTo(0.0);

    assertThat(predictions.get(0).get("explanation")).extracting("approximate").isEqualTo(false);
    // Without the flag there is no explanation; a model that does not declare additive scores is explained approximately.
    assertThat(predict(model, Map.of("instances", instances)).body()).doesNotContain("explanation");
    String opaque = "opaque-" + shortId();
    approve(opaque, 1, TestModels.store(store, TestModels.onnx(1f, false, true)));
    awaitServing(opaque, 1);
    Map<?, ?> approximate = answer(rawPost("/v1/models/" + opaque + "/predict?explain=true", json.writeValueAsString(Map.of("instances", instances))));
    assertThat(((List<?>) approximate.get("predictions")).get(0)).extracting("explanation")
        .extracting("approximate", "method", "score").containsExactly(true, "shapley", "probability");
    assertError(rawPost("/v1/models/" + model + "/predict?explain=maybe", json.writeValueAsString(Map.of("instances", instances))), 400,
        "unreadable request (explain): Invalid boolean value 'maybe'");
    // As Spring reads a boolean parameter: yes is true, an empty value is false.
    assertThat(rawPost("/v1/models/" + model + "/predict?explain=yes", json.writeValueAsString(Map.of("instances", instances))).body())
        .contains("\"explanation\"");
    assertThat(rawPost("/v1/models/" + model + "/predict?explain=", json.writeValueAsString(Map.of("instances", instances))).body())
        .startsWith("{\"id\"").doesNotContain("\"explanation\"");
  }

  @Test
  void shouldSwapModelsUnderContinuousLoadWithoutAFailedRequestEachAnswerFromTheVersionItNames() throws Exception {
    String model = servingVersionOne("swapped-");
    List<Map<String, Object>> instances = INSTANCES.subList(0, 2);
    // Each version's probabilities, from the test model's formula (not from the service, nor from ONNX Runtime).
    Map<Integer, double[][]> expected = Map.of(1, TestModels.expectedProbabilities(instances, 1f), 2, TestModels.expectedProbabilities(instances, 2f),
        3, TestModels.expectedProbabilities(instances, 3f));
    double tolerance = 1e-6;
    for (int a = 1; a <= 3; a++) {
      for (int b = a + 1; b <= 3; b++) {
        for (int i = 0; i < instances.size(); i++) {
          assertThat(Math.abs(expected.get(a)[i][0] - expected.get(b)[i][0])).as("versions %d and %d tell apart", a, b)
              .isGreaterThan(100 * tolerance);
        }
      }
    }

    AtomicBoolean running = new AtomicBoolean(true);
    Set<Integer> versionsSeen = ConcurrentHashMap.newKeySet();
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicInteger served = new AtomicInteger();
    String body = json.writeValueAsString(Map.of("instances", instances));
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      Thread thread = new Thread(() -> {
        while (running.get()) {
          try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/models/" + model + "/predict"))
                .header("Content-Type", "application/json").timeout(REQUEST_TIMEOUT).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
              failures.add(response.statusCode() + " " + response.body());
              continue;
            }
            Map<?, ?> answer = json.readValue(response.body(), Map.class);
            int version = ((Number) answer.get("version")).intValue();
            List<?> predictions = (List<?>) answer.get("predictions");
            double[][] probabilities = expected.get(version);
            if (probabilities == null || predictions.size() != instances.size()) {
              failures.add("an answer of version " + version + ": " + response.body());
              continue;
            }
            for (int i = 0; i < predictions.size(); i++) {
              Map<?, ?> prediction = (Map<?, ?>) predictions.get(i);
              Map<?, ?> byClass = (Map<?, ?>) prediction.get("probabilities");
              double benign = ((Number) byClass.get("benign")).doubleValue();
              double malignant = ((Number) byClass.get("malignant")).doubleValue();
              if (((Number) prediction.get("version")).intValue() != version || Math.abs(benign - probabilities[i][0]) > tolerance
                  || Math.abs(malignant - probabilities[i][1]) > tolerance) {
                failures.add("instance " + i + " answered as version " + version + " with " + byClass + ", but version " + version + " gives "
                    + Arrays.toString(probabilities[i]));
              }
            }
            versionsSeen.add(version);
            served.incrementAndGet();
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      });
      thread.start();
      clients.add(thread);
    }
    try {
      await().atMost(TIMEOUT).until(() -> served.get() > 100 || !failures.isEmpty());
      approve(model, 2, TestModels.store(store, TestModels.onnx(2f)));
      await().atMost(TIMEOUT).until(() -> versionsSeen.contains(2) || !failures.isEmpty());
      int atSwap = served.get();
      await().atMost(TIMEOUT).until(() -> served.get() > atSwap + 100 || !failures.isEmpty());
      approve(model, 3, TestModels.store(store, TestModels.onnx(3f)));
      await().atMost(TIMEOUT).until(() -> versionsSeen.contains(3) || !failures.isEmpty());
    } finally {
      running.set(false);
      for (Thread thread : clients) {
        // A client's request times out after REQUEST_TIMEOUT: a thread alive after twice that hangs.
        thread.join(2 * REQUEST_TIMEOUT.toMillis());
        assertThat(thread.isAlive()).as("a client thread still running").isFalse();
      }
    }
    assertThat(failures).isEmpty();
    assertThat(versionsSeen).containsExactlyInAnyOrder(1, 2, 3);
  }

  @Test
  void shouldKeepServingTheOldModelWhenTheNewArtifactIsCorrupt() throws Exception {
    String model = servingVersionOne("guarded-");

    approveCorruptVersionsTwoAndThree(model);

    await().atMost(TIMEOUT).untilAsserted(() -> http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.components.models.details['" + model + "'].failedVersion").isEqualTo(3)
        .jsonPath("$.components.models.details['" + model + "'].servedVersion").isEqualTo(1)
        .jsonPath("$.components.models.details['" + model + "'].failure").value(f -> assertThat((String) f).contains("cannot load")));
    assertAnswersAsVersionOne(predict(model, Map.of("instances", INSTANCES)));
    assertThat(prometheus()).containsPattern("kloop_inference_model_load_failures_total\\{.*model=\"" + model + "\".*} 2\\.0");
  }

  @Test
  void shouldLogEveryPredictionServedAndFlushTheLogOnShutdown() throws Exception {
    String model = servingVersionOne("drained-");
    // A model whose latest approvals cannot load: after the restart, the newest one before them that can serves.
    String guarded = servingVersionOne("restarted-guarded-");
    approveCorruptVersionsTwoAndThree(guarded);
    await().atMost(TIMEOUT).untilAsserted(() -> http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.components.models.details['" + guarded + "'].failedVersion").isEqualTo(3));

    int predictions = 0;
    for (int i = 0; i < 200; i++) {
      assertThat(predict(model, Map.of("instances", INSTANCES)).statusCode()).isEqualTo(200);
      predictions += INSTANCES.size();
    }
    inference.close();
    inference = null;

    List<PredictionLogged> logged = TestEvents.read(Topics.PREDICTION_LOGGED.name(), model, PredictionLogged.class);
    assertThat(logged).hasSize(predictions);
    assertThat(logged).extracting(PredictionLogged::getVersion).containsOnly(1);
    assertThat(logged.get(2).getInputs()).containsEntry("radius", 0.25).containsEntry("smooth", true).containsEntry("shape", "oval");
    assertThat(logged.get(0).getProbabilities()).containsKeys("benign", "malignant");

    // A new instance loads every current champion before it reports ready: it answers at once. Where the
    // latest approval cannot load (the corrupt versions above), the newest one before it that can serves.
    inference = startInference();
    http = client();
    assertThat(predict(model, Map.of("instances", INSTANCES)).statusCode()).isEqualTo(200);
    assertAnswersAsVersionOne(predict(guarded, Map.of("instances", INSTANCES)));
  }

  /**
   * Approves version 2, whose stored file is then damaged (its bytes no longer match the approval's hash), and
   * version 3, whose file is no ONNX model.
   */
  private void approveCorruptVersionsTwoAndThree(String model) throws IOException {
    ArtifactRef good = TestModels.store(store, TestModels.onnx(5f));
    Files.write(store.verifiedPath(good.getSha256()), "not an onnx model".getBytes(StandardCharsets.UTF_8));
    approve(model, 2, good);
    approve(model, 3, TestModels.store(store, "plain text, correctly hashed".getBytes(StandardCharsets.UTF_8)));
  }

  private ConfigurableApplicationContext startInference() {
    return InferenceServiceApplication.builder().run(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--kloop.inference.artifact-root=" + home.resolve("artifacts"));
  }

  private String baseUrl() {
    return "http://127.0.0.1:" + inference.getEnvironment().getProperty("local.server.port");
  }

  private String prometheus() {
    return http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
  }

  private WebTestClient client() {
    return WebTestClient.bindToServer().responseTimeout(REQUEST_TIMEOUT).baseUrl(baseUrl()).build();
  }

  /** A new model (its name starts with the prefix) whose version 1, the scale-1 test model, serves. */
  private String servingVersionOne(String prefix) {
    String model = prefix + shortId();
    approve(model, 1, TestModels.store(store, TestModels.onnx(1f)));
    awaitServing(model, 1);
    return model;
  }

  private static void approve(String model, int version, ArtifactRef artifact) {
    TestEvents.publish(Topics.MODEL_APPROVED.name(), model, TestModels.approval(model, version, artifact));
  }

  private void awaitServing(String model, int version) {
    await().atMost(TIMEOUT).until(() -> http.get().uri("/v2/models/{m}/versions/{v}/ready", model, version).exchange()
        .returnResult(String.class).getStatus().value() == 200);
  }

  private HttpResponse<String> predict(String model, Map<String, Object> body) {
    return rawPost("/v1/models/" + model + "/predict", json.writeValueAsString(body));
  }

  private HttpResponse<String> rawPost(String path, String body) {
    return rawPost(path, body, "application/json");
  }

  /** A POST with the given Content-Type, or none when null. */
  private HttpResponse<String> rawPost(String path, String body, String contentType) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
      if (contentType != null) {
        request.header("Content-Type", contentType);
      }
      return client.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The answer is version 1's, the scale-1 test model's, in its label and in its figures: each probability as
   * the model's formula gives it (not as the service or ONNX Runtime computes it).
   */
  private void assertAnswersAsVersionOne(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Map<?, ?> answer = json.readValue(response.body(), Map.class);
    assertThat(answer.get("version")).as(response.body()).isEqualTo(1);
    double[][] expected = TestModels.expectedProbabilities(INSTANCES, 1f);
    List<?> predictions = (List<?>) answer.get("predictions");
    assertThat(predictions).as(response.body()).hasSize(INSTANCES.size());
    for (int i = 0; i < INSTANCES.size(); i++) {
      Map<?, ?> prediction = (Map<?, ?>) predictions.get(i);
      Map<?, ?> probabilities = (Map<?, ?>) prediction.get("probabilities");
      assertThat(prediction.get("version")).isEqualTo(1);
      assertThat(((Number) probabilities.get("benign")).doubleValue()).as("instance %d, benign", i).isCloseTo(expected[i][0], within(1e-6));
      assertThat(((Number) probabilities.get("malignant")).doubleValue()).as("instance %d, malignant", i).isCloseTo(expected[i][1], within(1e-6));
    }
  }

  private static void assertError(HttpResponse<String> response, int status, String message) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.body()).startsWith("{\"error\":").contains(message);
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
