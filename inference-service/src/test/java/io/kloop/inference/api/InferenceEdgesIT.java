package io.kloop.inference.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.PredictionLogged;
import io.kloop.inference.InferenceServiceApplication;
import io.kloop.inference.TestModels;
import io.kloop.inference.serving.PredictionIds;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.test.TestEvents;
import io.kloop.test.TestRecords;
import io.kloop.test.WithKafkaBroker;
import io.kloop.test.hostile.EdgeContract;
import io.kloop.test.hostile.EdgeContract.Request;
import io.kloop.test.hostile.HostileJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every HTTP endpoint of the inference service against generated hostile requests (property-based, see
 * {@link EdgeContract}): malformed and extreme bodies, tensors of every wrong shape, instances with
 * missing, extra, null, wrong-typed and huge features, too many instances, hostile path segments, versions
 * and query values. Whatever is sent, the answer is within the time bound, never a 5xx, a 4xx is a JSON
 * error, and no answer is much larger than its request. On the real broker, with a real ONNX model. Then the
 * limits one by one: identifiers, the answer's size, what the prediction log writes per request.
 */
@SpringBootTest(classes = InferenceServiceApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.config.name=" + InferenceServiceApplication.NAME)
@WithKafkaBroker
// Closed after the class: closing another WebFlux application while this one lived would dispose Reactor Netty's shared
// resources under it (see RegistryDownloadIT).
@DirtiesContext
class InferenceEdgesIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final EventDeserializer<PredictionLogged> EVENTS = new EventDeserializer<>(PredictionLogged.class);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(EdgeContract.TIME_BOUND).build();
  private static final Path ARTIFACTS = temporaryDirectory();
  /** The model every request names (unless the path is the hostile part): unique to this class. */
  private static final String MODEL = "edges-" + UUID.randomUUID().toString().substring(0, 8);

  private static final String INFER = """
      {"id": "1", "inputs": [
        {"name": "radius", "datatype": "FP64", "shape": [2], "data": [1.5, 3.0]},
        {"name": "smooth", "datatype": "BOOL", "shape": [2, 1], "data": [[true], [false]]},
        {"name": "shape", "datatype": "BYTES", "shape": [2], "data": ["round", "oval"]}]}""";
  private static final String INFER_WITH_PARAMETERS = """
      {"id": "request-2", "parameters": {"content_type": "pd", "priority": 1, "nested": {"a": [1, 2]}},
       "inputs": [
        {"name": "radius", "datatype": "INT32", "shape": [1, 1], "data": [2], "parameters": {"content_type": "np"}},
        {"name": "smooth", "datatype": "BOOL", "shape": [1], "data": [true], "parameters": {}},
        {"name": "shape", "datatype": "BYTES", "shape": [1], "data": ["oval"]}],
       "outputs": [{"name": "label", "parameters": {"binary_data": false}}, {"name": "probabilities"}]}""";
  private static final String PREDICT = """
      {"instances": [{"radius": 1.5, "smooth": true, "shape": "round"}, {"radius": null, "smooth": false, "shape": "oval"}]}""";
  private static final String PREDICT_WITH_IDS = """
      {"instances": [{"radius": 1.5, "smooth": true, "shape": "round"}, {"radius": null, "smooth": false, "shape": "oval"}],
       "ids": ["order-1", "order-2"]}""";
  private static final String INFER_WITH_IDS = """
      {"id": "3", "inputs": [
        {"name": "prediction_id", "datatype": "BYTES", "shape": [2], "data": ["claim-1", "claim-2"]},
        {"name": "radius", "datatype": "FP64", "shape": [2], "data": [1.5, 3.0]},
        {"name": "smooth", "datatype": "BOOL", "shape": [2, 1], "data": [[true], [false]]},
        {"name": "shape", "datatype": "BYTES", "shape": [2], "data": ["round", "oval"]}],
       "outputs": [{"name": "prediction_id"}, {"name": "label"}]}""";

  @Autowired Environment environment;
  private EdgeContract edge;

  @DynamicPropertySource
  static void artifacts(DynamicPropertyRegistry properties) {
    properties.add("kloop.inference.artifact-root", ARTIFACTS::toString);
  }

  /** Approved once the service (which creates the platform's topics) runs; each test waits until it serves. */
  private static boolean approved;

  @BeforeEach
  void connect() {
    if (!approved) {
      LocalArtifactStore store = new LocalArtifactStore(ARTIFACTS);
      TestEvents.publish(Topics.MODEL_APPROVED.name(), MODEL, TestModels.approval(MODEL, 1, TestModels.store(store, TestModels.onnx(1f))));
      approved = true;
    }
    edge = new EdgeContract(baseUrl());
    await().atMost(TIMEOUT).until(() -> edge.send(new Request("GET", "/v2/models/" + MODEL + "/ready", null, new byte[0])).status() == 200);
  }

  @AfterAll
  static void removeArtifacts() throws IOException {
    try (Stream<Path> files = Files.walk(ARTIFACTS)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Test
  void shouldAnswerTheValidExamples() {
    assertThat(edge.check(Request.json("POST", "/v2/models/" + MODEL + "/infer", INFER)).status()).isEqualTo(200);
    assertThat(edge.check(Request.json("POST", "/v2/models/" + MODEL + "/versions/1/infer", INFER_WITH_PARAMETERS)).status()).isEqualTo(200);
    assertThat(edge.check(Request.json("POST", "/v1/models/" + MODEL + "/predict?explain=true", PREDICT)).status()).isEqualTo(200);
    assertThat(edge.check(Request.json("POST", "/v1/models/" + MODEL + "/predict", PREDICT_WITH_IDS)).status()).isEqualTo(200);
    assertThat(edge.check(Request.json("POST", "/v2/models/" + MODEL + "/infer", INFER_WITH_IDS)).status()).isEqualTo(200);
  }

  @Test
  void inferBodies() {
    edge.forAll("inference POST /v2/models/{name}/infer", HostileJson.bodies(INFER, INFER_WITH_PARAMETERS, INFER_WITH_IDS).mix(tensors(), 40)
        .map((String body) -> Request.json("POST", "/v2/models/" + MODEL + "/infer", body)));
  }

  @Test
  void inferBodiesWithTheVersion() {
    edge.forAll("inference POST /v2/models/{name}/versions/{version}/infer", HostileJson.bodies(INFER, INFER_WITH_PARAMETERS, INFER_WITH_IDS)
        .mix(tensors(), 40).map((String body) -> Request.json("POST", "/v2/models/" + MODEL + "/versions/1/infer", body)));
  }

  @Test
  void predictBodies() {
    edge.forAll("inference POST /v1/models/{name}/predict", HostileJson.bodies(PREDICT, PREDICT_WITH_IDS).mix(instances(), 50)
        .map((String body) -> Request.json("POST", "/v1/models/" + MODEL + "/predict", body)));
  }

  @Test
  void predictBodiesExplained() {
    edge.forAll("inference POST /v1/models/{name}/predict?explain=true", HostileJson.bodies(PREDICT, PREDICT_WITH_IDS).mix(instances(), 50)
        .map((String body) -> Request.json("POST", "/v1/models/" + MODEL + "/predict?explain=true", body)));
  }

  @Test
  void explainValues() {
    edge.forAll("inference POST /v1/models/{name}/predict?explain=...", HostileJson.urlParts()
        .map((String value) -> Request.json("POST", "/v1/models/" + MODEL + "/predict?explain=" + value, PREDICT)));
  }

  @Test
  void modelNamesAndVersions() {
    Gen<String> names = HostileJson.urlParts().mix(Generate.pick(List.of(MODEL, MODEL.toUpperCase(), MODEL + "%2F..", "..", ".", "%2e%2e")), 20);
    Gen<String> versions = HostileJson.urlParts().mix(Generate.pick(List.of("1", "01", "+1", "-1", "0", "2147483648", "1.0", "1e0",
        "%201", "99999999999999999999")), 40);
    Gen<Request> requests = in -> {
      String name = names.generate(in);
      String version = versions.generate(in);
      int kind = Generate.range(0, 7).generate(in);
      return switch (kind) {
        case 0 -> Request.json("GET", "/v2/models/" + name, "");
        case 1 -> Request.json("GET", "/v2/models/" + name + "/ready", "");
        case 2 -> Request.json("GET", "/v2/models/" + MODEL + "/versions/" + version, "");
        case 3 -> Request.json("GET", "/v2/models/" + MODEL + "/versions/" + version + "/ready", "");
        case 4 -> Request.json("POST", "/v2/models/" + name + "/infer", INFER);
        case 5 -> Request.json("POST", "/v2/models/" + MODEL + "/versions/" + version + "/infer", INFER);
        case 6 -> Request.json("POST", "/v2/models/" + name + "/versions/" + version + "/infer", INFER);
        default -> Request.json("POST", "/v1/models/" + name + "/predict", PREDICT);
      };
    };
    edge.forAll("inference model names and versions in paths", requests);
  }

  @Test
  void probeAndMetricsQueries() {
    Gen<String> paths = Generate.pick(List.of("/actuator/prometheus?includedNames=", "/actuator/health?", "/actuator/health/readiness?x=",
        "/v2/health/ready?", "/v2/models/" + MODEL + "?", "/v1/models/" + MODEL + "/predict?explain=true&"));
    edge.forAll("inference probe and metrics queries", paths.zip(HostileJson.urlParts(), (path, value) -> path.endsWith("=") ? path + value
        : path + value + "=" + value).map((String path) -> path.startsWith("/v1") ? Request.json("POST", path, PREDICT) : Request.json("GET", path, "")));
  }

  @Test
  void methodsAndContentTypes() {
    Gen<String> paths = Generate.pick(List.of("/v2", "/v2/health/live", "/v2/health/ready", "/v2/models/" + MODEL, "/v2/models/" + MODEL + "/ready",
        "/v2/models/" + MODEL + "/versions/1", "/v2/models/" + MODEL + "/versions/1/ready", "/v2/models/" + MODEL + "/infer",
        "/v2/models/" + MODEL + "/versions/1/infer", "/v1/models/" + MODEL + "/predict", "/v2/models", "/v2/models/", "/v1/models/x",
        "/actuator/health", "/actuator/health/readiness", "/actuator/health/liveness", "/actuator", "/actuator/nothing"));
    Gen<String> methods = Generate.pick(List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"));
    Gen<String> types = Generate.pick(List.of("application/json", "text/plain", "application/x-www-form-urlencoded", "application/problem+json",
        "application/json; charset=latin1", "application/json; charset=utf-16", "not a type", "*/*", "application/*", ""));
    Gen<String> bodies = Generate.pick(List.of(INFER, PREDICT, "", "{}", "a=b"));
    Gen<Request> requests = in -> {
      String type = types.generate(in);
      return Request.of(methods.generate(in), paths.generate(in), type.isEmpty() ? null : type, bodies.generate(in));
    };
    edge.forAll("inference methods and content types", requests);
  }

  @Test
  void shouldAnswerEveryRequestOfAKeepAliveClientWhateverItsMethodPathAndBody() {
    // One client, so one keep-alive connection: with Reactor Netty 1.3.7 about 1 request in 100 of this mix never got an
    // answer (see the pom), when the one before it had been answered without its body being read.
    String[] methods = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    String[] paths = {"/v2", "/v2/health/live", "/v2/health/ready", "/v2/models/" + MODEL, "/v2/models/" + MODEL + "/ready",
        "/v2/models/" + MODEL + "/versions/1", "/v2/models/x/infer", "/v2/models/" + MODEL + "/infer", "/v1/models/x/predict",
        "/v1/models/" + MODEL + "/predict", "/v2/models", "/nowhere"};
    String[] types = {"application/json", "text/plain", null};
    String[] bodies = {PREDICT, INFER, "", "{}"};
    Random random = new Random(22);
    for (int i = 0; i < 600; i++) {
      String method = methods[random.nextInt(methods.length)];
      String body = bodies[random.nextInt(bodies.length)];
      edge.check(new Request(method, paths[random.nextInt(paths.length)], types[random.nextInt(types.length)], HostileJson.utf8(body)));
    }
  }

  @Test
  void shouldRefuseIdentifiersOverTheirLimitsOrWithControlCharacters() {
    String name = "m".repeat(Identifiers.MAX_MODEL_NAME + 1);
    for (Request request : List.of(Request.json("GET", "/v2/models/" + name, ""), Request.json("GET", "/v2/models/" + name + "/ready", ""),
        Request.json("POST", "/v2/models/" + name + "/infer", INFER), Request.json("POST", "/v1/models/" + name + "/predict", PREDICT))) {
      assertError(edge.check(request), 400, "model name: at most 128 characters, got 129");
    }
    assertError(edge.check(Request.json("GET", "/v2/models/a%0Ab", "")), 400, "model name: character 2 is U+000A");
    assertError(edge.check(Request.json("GET", "/v2/models/" + MODEL + "/versions/12345678901", "")), 400, "version: at most 10 characters, got 11");
    assertError(edge.check(Request.json("POST", "/v2/models/" + MODEL + "/versions/1%09/infer", INFER)), 400, "version: character 2 is U+0009");
    assertError(edge.check(Request.json("GET", "/v2/models/" + MODEL + "/versions/latest", "")), 404, "model " + MODEL + " has no version 'latest'");

    String longId = "i".repeat(Identifiers.MAX_REQUEST_ID + 1);
    assertError(edge.check(Request.json("POST", "/v2/models/" + MODEL + "/infer", INFER.replace("\"id\": \"1\"", "\"id\": \"" + longId + "\""))), 400,
        "id: at most 128 characters, got 129");
    assertError(edge.check(Request.json("POST", "/v2/models/" + MODEL + "/infer", INFER.replace("\"id\": \"1\"", "\"id\": \"a\\u2028b\""))), 400,
        "id: character 2 is U+2028");
    assertError(predict("/v1/models/" + MODEL + "/predict", longId, PREDICT), 400, "X-Request-Id: at most 128 characters, got 129");
  }

  @Test
  void shouldRefuseARequestWhoseAnswerCouldOutgrowItNamingHowManyInstancesFit() {
    // The smallest instances the model takes, nothing but nulls: the answer to each is larger than twice the instance.
    String instance = "{\"radius\":null,\"smooth\":null,\"shape\":null}";
    for (String explain : List.of("?explain=true", "")) {
      String path = "/v1/models/" + MODEL + "/predict" + explain;
      String body = instances(instance, 1_000);

      EdgeContract.Answer refused = edge.check(Request.json("POST", path, body));

      assertThat(refused.status()).as(refused.text()).isEqualTo(400);
      String error = error(refused);
      assertThat(error).startsWith("instances: the answer to 1000 instance(s) of this model" + (explain.isEmpty() ? "" : ", explained,") + " could take ")
          .contains("more than a request of " + body.length() + " bytes may get (65536 bytes, or twice the request's size): send at most ");
      int most = Integer.parseInt(error.replaceAll(".*send at most (\\d+) of these instances per request", "$1"));
      assertThat(most).isBetween(1, 999);
      EdgeContract.Answer answered = edge.check(Request.json("POST", path, instances(instance, most)));
      assertThat(answered.status()).as(answered.text()).isEqualTo(200);
      assertThat(answered.body().length).isLessThanOrEqualTo(EdgeContract.MAX_ANSWER_BYTES);
      assertThat(error(edge.check(Request.json("POST", path, instances(instance, most + 50))))).contains("send at most " + most + " ");
    }
  }

  @Test
  void shouldRefuseARequestWhosePredictionLogEventsCouldOutgrowItNamingHowManyInstancesFit() {
    // The most compact request there is: tensors of one-character values, a few bytes per instance, asking for the labels
    // only (so that its answer stays small); each instance's log event carries its ids, names, values and probabilities.
    int rows = 900;
    EdgeContract.Answer refused = edge.check(Request.json("POST", "/v2/models/" + MODEL + "/infer", compactTensors(rows)));

    assertThat(refused.status()).as(refused.text()).isEqualTo(400);
    String error = error(refused);
    assertThat(error).startsWith("inputs: logging " + rows + " predictions of this model could take ")
        .contains("bytes may make the service write to the prediction log (262144 bytes, or 16 times the request's size): send at most ");
    int most = Integer.parseInt(error.replaceAll(".*send at most (\\d+) instances per request", "$1"));
    assertThat(most).isBetween(1, rows - 1);
    String id = UUID.randomUUID().toString();
    String fits = compactTensors(most).replace("{\"inputs\"", "{\"id\": \"" + id + "\", \"inputs\"");
    EdgeContract.Answer answered = edge.check(Request.json("POST", "/v2/models/" + MODEL + "/infer", fits));
    assertThat(answered.status()).as(answered.text()).isEqualTo(200);
    List<ConsumerRecord<byte[], byte[]>> events = TestRecords.awaitAtLeast(Topics.PREDICTION_LOGGED.name(),
        record -> requestId(record, MODEL).equals(id), most);
    assertThat(events.stream().mapToLong(record -> record.value().length + record.key().length).sum()).isLessThanOrEqualTo(262_144);
  }

  @Test
  void shouldCountThePredictionIdsInTheAnswersBound() {
    String instance = "{\"radius\":null,\"smooth\":null,\"shape\":null}";
    String path = "/v1/models/" + MODEL + "/predict";
    // Default ids of a long request id: the request carries it once, the answer once per instance, so fewer instances fit.
    String requestId = "r".repeat(Identifiers.MAX_REQUEST_ID);
    int mostMadeUp = most(edge.check(Request.json("POST", path, instances(instance, 1_000))));
    int most = most(edge.check(Request.json("POST", path, instances(instance, 1_000)).withHeader("X-Request-Id", requestId)));
    assertThat(most).isBetween(1, mostMadeUp - 1);

    EdgeContract.Answer answered = edge.check(Request.json("POST", path, instances(instance, most)).withHeader("X-Request-Id", requestId));

    assertThat(answered.status()).as(answered.text()).isEqualTo(200);
    assertThat(answered.body().length).isLessThanOrEqualTo(EdgeContract.MAX_ANSWER_BYTES);
    JsonNode predictions = HostileJson.parse(answered.text()).path("predictions");
    assertThat(predictions.get(most - 1).path("predictionId").asString()).isEqualTo(requestId + "/" + (most - 1));

    // A client's ids of 128 characters: the request carries each, so a thousand instances fit; the contract checks the answer's size.
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      ids.add(String.format("%05d", i) + "x".repeat(PredictionIds.MAX_LENGTH - 5));
    }
    String body = "{\"instances\":[" + String.join(",", Collections.nCopies(1_000, instance)) + "],\"ids\":[\"" + String.join("\",\"", ids) + "\"]}";
    EdgeContract.Answer given = edge.check(Request.json("POST", path, body));
    assertThat(given.status()).as(given.text()).isEqualTo(200);
    JsonNode answers = HostileJson.parse(given.text()).path("predictions");
    assertThat(answers.size()).isEqualTo(1_000);
    assertThat(answers.get(999).path("predictionId").asString()).isEqualTo(ids.get(999));
    System.out.printf("Prediction ids: a request of %d bytes with 1000 ids of 128 characters got an answer of %d bytes%n", body.length(),
        given.body().length);
  }

  /** The number of instances a 400 about the answer's size advises. */
  private static int most(EdgeContract.Answer refused) {
    assertThat(refused.status()).as(refused.text()).isEqualTo(400);
    return Integer.parseInt(error(refused).replaceAll(".*send at most (\\d+) of these instances per request", "$1"));
  }

  private static String compactTensors(int rows) {
    return "{\"inputs\": [{\"name\": \"radius\", \"datatype\": \"INT8\", \"shape\": [" + rows + "], \"data\": ["
        + String.join(",", Collections.nCopies(rows, "1")) + "]}, {\"name\": \"smooth\", \"datatype\": \"BOOL\", \"shape\": [" + rows
        + "], \"data\": [" + String.join(",", Collections.nCopies(rows, "null")) + "]}, {\"name\": \"shape\", \"datatype\": \"BYTES\", "
        + "\"shape\": [" + rows + "], \"data\": [" + String.join(",", Collections.nCopies(rows, "null")) + "]}], \"outputs\": [{\"name\": \"label\"}]}";
  }

  private static String instances(String instance, int count) {
    return "{\"instances\":[" + String.join(",", Collections.nCopies(count, instance)) + "]}";
  }

  @Test
  void shouldLogEachPredictionOnceInAnEventBoundedByTheModelAndTheIdLimit() {
    String topic = Topics.PREDICTION_LOGGED.name();
    String refusedId = "refused-" + UUID.randomUUID() + "-" + "r".repeat(Identifiers.MAX_REQUEST_ID);
    String loggedId = UUID.randomUUID() + "-" + "x".repeat(Identifiers.MAX_REQUEST_ID - 37);
    int instances = 200;
    String body = "{\"instances\":[" + String.join(",", Collections.nCopies(instances,
        "{\"radius\":-0.000123456789,\"smooth\":null,\"shape\":\"round\"}")) + "]}";

    assertError(predict("/v1/models/" + MODEL + "/predict", refusedId, body), 400, "X-Request-Id: at most 128 characters");
    assertThat(predict("/v1/models/" + MODEL + "/predict", loggedId, body).status()).isEqualTo(200);

    List<ConsumerRecord<byte[], byte[]>> records = TestRecords.awaitAtLeast(topic, record -> requestId(record, MODEL).equals(loggedId), instances);
    assertThat(records).hasSize(instances);
    // The event of every instance: at most 256 bytes besides the request id, the model's name, its inputs as sent and its
    // classes' names with their probabilities (8 bytes each), with a byte of length or branch before each of them.
    // And the prediction's id: the request id, a slash and the index (up to 3 digits), after its branch and length (3 bytes).
    long bound = 256 + loggedId.length() + MODEL.length() + ("radius".length() + 10) + ("smooth".length() + 2) + ("shape".length() + "round".length() + 3)
        + ("benign".length() + 10) + ("malignant".length() + 10) + "malignant".length() + 1 + (loggedId.length() + 4 + 3);
    long logged = 0;
    for (ConsumerRecord<byte[], byte[]> record : records) {
      assertThat((long) record.value().length).isLessThanOrEqualTo(bound);
      PredictionLogged event = EVENTS.deserialize(record.topic(), record.value());
      assertThat(event.getPredictionId()).isEqualTo(loggedId + "/" + event.getInstanceIndex());
      logged += record.value().length + record.key().length;
    }
    System.out.printf("Prediction log: a request of %d bytes with %d instances wrote %d bytes of events (%.1f times)%n", body.length(), instances,
        logged, (double) logged / body.length());
    // The refused request, sent first on the same model (so the same partition), logged nothing.
    assertThat(TestRecords.readToEnd(topic, TestRecords.keyed(MODEL))).noneMatch(record -> requestId(record, MODEL).equals(refusedId));
  }

  private static String requestId(ConsumerRecord<byte[], byte[]> record, String model) {
    if (record.key() == null || !model.equals(new String(record.key(), StandardCharsets.UTF_8))) {
      return "";
    }
    return EVENTS.deserialize(record.topic(), record.value()).getRequestId();
  }

  /** A predict request with an X-Request-Id header, under the same contract. */
  private EdgeContract.Answer predict(String path, String requestId, String body) {
    try {
      HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(EdgeContract.TIME_BOUND)
          .header("Content-Type", "application/json").header("X-Request-Id", requestId).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      return new EdgeContract.Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String baseUrl() {
    return "http://127.0.0.1:" + environment.getProperty("local.server.port");
  }

  private static void assertError(EdgeContract.Answer answer, int status, String message) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(status);
    assertThat(error(answer)).contains(message);
  }

  private static String error(EdgeContract.Answer answer) {
    return HostileJson.parse(answer.text()).path("error").asString();
  }

  /** Infer bodies whose tensors are wrong in one or more ways: shape, datatype, data, name, parameters. */
  private static Gen<String> tensors() {
    Gen<JsonNode> dims = Generate.frequency(
        Pair.of(4, Generate.pick(List.of("null", "-1", "0", "1", "2", "3", "30", "2147483648", "9223372036854775807", "99999999999999999999",
            "1.5", "2.0", "\"2\"", "true", "[2]", "{}")).map((String text) -> HostileJson.parse(text))),
        Pair.of(1, HostileJson.numbers()));
    Gen<JsonNode> shapes = in -> {
      int rank = Generate.frequency(Pair.of(1, Generate.constant(0)), Pair.of(4, Generate.constant(1)), Pair.of(4, Generate.constant(2)),
          Pair.of(1, Generate.range(3, 6))).generate(in);
      if (Generate.range(0, 20).generate(in) == 0) {
        return HostileJson.values().generate(in);
      }
      ArrayNode shape = NODES.arrayNode();
      for (int i = 0; i < rank; i++) {
        shape.add(dims.generate(in));
      }
      return shape;
    };
    Gen<JsonNode> scalars = Generate.frequency(
        Pair.of(3, Generate.pick(List.of("1.5", "-2", "0", "true", "false", "\"round\"", "\"oval\"", "null", "1e400", "\"\"",
            "123456789012345678901234567890")).map((String text) -> HostileJson.parse(text))),
        Pair.of(1, HostileJson.values()));
    Gen<JsonNode> data = in -> {
      int rows = Generate.pick(List.of(0, 1, 2, 3, 5, 1000)).generate(in);
      int form = Generate.range(0, 5).generate(in);
      ArrayNode array = NODES.arrayNode();
      for (int i = 0; i < rows; i++) {
        JsonNode value = scalars.generate(in);
        switch (form) {
          case 0, 1 -> array.add(value);
          case 2 -> array.add(NODES.arrayNode().add(value));
          case 3 -> array.add(NODES.arrayNode().add(value).add(scalars.generate(in)));
          case 4 -> array.add(i % 2 == 0 ? value : NODES.arrayNode().add(value));
          default -> array.add(NODES.arrayNode().add(NODES.arrayNode().add(value)));
        }
      }
      return Generate.range(0, 15).generate(in) == 0 ? HostileJson.values().generate(in) : array;
    };
    Gen<String> datatypes = Generate.pick(List.of("FP64", "FP32", "FP16", "INT64", "UINT8", "BOOL", "BYTES", "", "fp64", "STRING", "INT128"));
    Gen<String> names = Generate.pick(List.of("radius", "smooth", "shape", "prediction_id")).mix(HostileJson.strings(), 10);
    Gen<ObjectNode> tensor = in -> {
      ObjectNode input = NODES.objectNode();
      input.put("name", names.generate(in));
      input.put("datatype", datatypes.generate(in));
      input.set("shape", shapes.generate(in));
      input.set("data", data.generate(in));
      if (Generate.range(0, 4).generate(in) == 0) {
        input.set("parameters", HostileJson.values().generate(in));
      }
      return input;
    };
    return in -> {
      ObjectNode body = NODES.objectNode();
      if (Generate.range(0, 3).generate(in) == 0) {
        body.set("id", HostileJson.values().generate(in));
      }
      if (Generate.range(0, 3).generate(in) == 0) {
        body.set("parameters", HostileJson.values().generate(in));
      }
      ArrayNode inputs = body.putArray("inputs");
      int count = Generate.range(0, 5).generate(in);
      for (int i = 0; i < count; i++) {
        inputs.add(tensor.generate(in));
      }
      if (Generate.range(0, 3).generate(in) == 0) {
        ArrayNode outputs = body.putArray("outputs");
        outputs.add(NODES.objectNode().put("name", Generate.pick(List.of("label", "probabilities", "prediction_id", "other", "")).generate(in)));
        if (Generate.range(0, 1).generate(in) == 0) {
          ((ObjectNode) outputs.get(0)).set("parameters", HostileJson.values().generate(in));
        }
      }
      return HostileJson.write(body);
    };
  }

  /** Predict bodies whose instances are wrong in some way, or too many. */
  private static Gen<String> instances() {
    Gen<JsonNode> radius = Generate.frequency(Pair.of(3, Generate.pick(List.of("1.5", "-2", "null", "0")).map((String t) -> HostileJson.parse(t))),
        Pair.of(1, HostileJson.numbers()), Pair.of(1, HostileJson.values()));
    Gen<JsonNode> smooth = Generate.frequency(Pair.of(3, Generate.pick(List.of("true", "false", "null")).map((String t) -> HostileJson.parse(t))),
        Pair.of(1, HostileJson.values()));
    Gen<JsonNode> shape = Generate.frequency(Pair.of(3, Generate.pick(List.of("\"round\"", "\"oval\"", "null")).map((String t) -> HostileJson.parse(t))),
        Pair.of(1, HostileJson.values()));
    Gen<JsonNode> instance = in -> {
      ObjectNode values = NODES.objectNode();
      int mistake = Generate.range(0, 9).generate(in);
      if (mistake != 1) {
        values.set("radius", radius.generate(in));
      }
      if (mistake != 2) {
        values.set("smooth", smooth.generate(in));
      }
      if (mistake != 3) {
        values.set("shape", shape.generate(in));
      }
      if (mistake == 4) {
        values.set(HostileJson.strings().generate(in), HostileJson.values().generate(in));
      }
      if (mistake == 5) {
        for (int k = 0; k < 2_000; k++) {
          values.put("extra" + k, k);
        }
      }
      if (mistake == 6) {
        return HostileJson.values().generate(in);
      }
      return values;
    };
    return in -> {
      int count = Generate.pick(List.of(0, 1, 2, 3, 10, 999, 1000, 1001, 4000)).generate(in);
      boolean allValid = Generate.range(0, 2).generate(in) == 0;
      List<JsonNode> list = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        list.add(allValid && i > 0 ? list.get(0) : instance.generate(in));
      }
      ObjectNode body = NODES.objectNode();
      body.putArray("instances").addAll(list);
      int ids = Generate.range(0, 5).generate(in);
      if (ids > 0) {
        // As many ids as instances (unique or not), or one fewer or more; of hostile text, or of any JSON value now and then.
        ArrayNode array = body.putArray("ids");
        int size = Math.max(0, count + (ids == 1 ? -1 : ids == 2 ? 1 : 0));
        for (int i = 0; i < size; i++) {
          array.add(ids == 3 ? NODES.textNode("id-" + i) : Generate.range(0, 10).generate(in) == 0 ? HostileJson.values().generate(in)
              : NODES.textNode(HostileJson.strings().generate(in)));
        }
      }
      return HostileJson.write(body);
    };
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("inference-edges-");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
