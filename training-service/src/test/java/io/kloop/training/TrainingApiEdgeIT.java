package io.kloop.training;

import static io.kloop.training.TrainingFixtures.shortId;
import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.schemas.Topics;
import io.kloop.service.web.ApiErrors;
import io.kloop.test.hostile.EdgeContract;
import io.kloop.test.hostile.EdgeContract.Request;
import io.kloop.test.hostile.HostileJson;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every HTTP endpoint of training, fed malformed and extreme requests (property-based: {@link EdgeContract},
 * {@link HostileJson}), answers within the time bound, never with a 5xx, a 4xx always a JSON error, and never
 * much more than it was sent; and the refusals that matter are named: unknown keys, unknown hyperparameters,
 * values out of range, too many candidates, durations that overflow, texts too long or with control characters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TrainingApiEdgeIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final String dataset = "edge-" + shortId();
  /** A model whose runs fail at once (its dataset has no spec): run requests are accepted, and cheap. */
  private final String model = "edge-model-" + shortId();
  private final AtomicInteger names = new AtomicInteger();

  private final String validSpec = """
      {"dataset": "%s",
       "algorithms": [{"algorithm": "logistic-regression", "grid": {"epochs": [10, 30], "learningRate": [0.1]}},
                      {"algorithm": "liblinear", "grid": {"cost": ["0.5", 2], "maxIterations": [500]}}],
       "minNewRows": 100, "window": "last-rows:5000", "cooldown": "10m"}""".formatted(dataset);
  private final String minimalSpec = """
      {"name": "%s", "dataset": "%s", "algorithms": [{"algorithm": "factorization-machine", "grid": {"factors": [2, 8]}}],
       "window": "last-batches:3", "cooldown": "PT1H", "schedule": "0 0 3 29 2 *", "feedback": false}""";

  private ConfigurableApplicationContext service;
  private EdgeContract edge;

  @BeforeAll
  void start(@TempDir Path home) {
    service = new TrainingFixtures(home).start();
    edge = new EdgeContract(TrainingFixtures.baseUrl(service));
    assertThat(edge.check(Request.json("PUT", "/v1/models/" + model, validSpec)).status()).isEqualTo(201);
  }

  @AfterAll
  void stop() {
    try {
      // The run requests accepted here must be handled by this service: left on the topic, they would be read by
      // the next test class's service (the same consumer group) and take its one run slot.
      TrainingFixtures.awaitNoLag(TrainingFixtures.RETRAINING_GROUP, Topics.RETRAINING_REQUESTED.name(), Duration.ofSeconds(120));
    } finally {
      service.close();
    }
  }

  @Test
  void shouldKeepTheContractForEverySpecBody() {
    Gen<Request> requests = in -> {
      String name = "edge-spec-" + names.incrementAndGet() + "-" + shortId();
      String body = HostileJson.bodies(validSpec, minimalSpec.formatted(name, dataset)).generate(in);
      return Request.json("PUT", "/v1/models/" + name, body);
    };
    edge.forAll("training PUT /v1/models/{name}", requests, answer -> assertThat(answer.status()).as(answer.text()).isIn(200, 201, 400, 413));
  }

  @Test
  void shouldKeepTheContractForEveryRunRequestBody() {
    Gen<Request> requests = HostileJson.bodies("{\"requestedBy\": \"alice\", \"comment\": \"new labels\"}", "{}", "{\"requestedBy\": \"ops\"}")
        .map((String body) -> Request.json("POST", "/v1/models/" + model + "/runs", body));
    edge.forAll("training POST /v1/models/{name}/runs", requests, answer -> assertThat(answer.status()).as(answer.text()).isIn(202, 400, 413));
  }

  @Test
  void shouldKeepTheContractForEveryCancellationAndRetirementBody() {
    String retired = "edge-retired-" + shortId();
    assertThat(edge.check(Request.json("PUT", "/v1/models/" + retired, validSpec)).status()).isEqualTo(201);
    Gen<String> bodies = HostileJson.bodies("{\"requestedBy\": \"alice\", \"reason\": \"wrong window\"}", "{}");
    Gen<Request> requests = Generate.booleans().zip(bodies, (Boolean cancel, String body) -> cancel
        ? Request.json("POST", "/v1/runs/" + model + "-no-such-run/cancel", body)
        : Request.json("POST", "/v1/models/" + retired + "/retire", body));
    edge.forAll("training POST /v1/runs/{runId}/cancel and /v1/models/{name}/retire", requests,
        answer -> assertThat(answer.status()).as(answer.text()).isIn(200, 400, 404, 413));
  }

  @Test
  void shouldKeepTheContractForEveryHostileNameInAPath() {
    List<String> templates = List.of("GET /v1/models/%s", "GET /v1/models/%s/runs", "PUT /v1/models/%s", "POST /v1/models/%s/runs",
        "POST /v1/models/%s/retire", "POST /v1/runs/%s/cancel", "GET /v1/runs?limit=%s", "GET /v1/models/%s/runs?limit=%s",
        "POST /v1/models/%s/imports");
    Gen<Request> requests = Generate.pick(templates).zip(HostileJson.urlParts(), (String template, String part) -> {
      String[] methodAndPath = template.split(" ", 2);
      String path = methodAndPath[1].replace("%s", part);
      return methodAndPath[0].equals("PUT") ? Request.json("PUT", path, validSpec)
          : methodAndPath[0].equals("POST") ? Request.json("POST", path, "{}") : new Request("GET", path, null, new byte[0]);
    });
    edge.forAll("training hostile path segments", requests);
  }

  @Test
  void shouldKeepTheContractOnTheActuator() {
    edge.forAll("training actuator", HostileJson.actuatorPaths().map((String path) -> new Request("GET", path, null, new byte[0])));
  }

  @Test
  void shouldKeepTheContractForBodiesThatAreNotJson() {
    Gen<String> types = Generate.pick(List.of("text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data",
        "application/octet-stream", "application/yaml"));
    Gen<Request> requests = types.zip(Generate.pick(List.of("PUT /v1/models/edge-type", "POST /v1/models/" + model + "/runs",
        "POST /v1/runs/x/cancel", "POST /v1/models/x/retire", "POST /v1/models/" + model + "/imports")), (String type, String target) -> {
          String[] methodAndPath = target.split(" ", 2);
          return Request.of(methodAndPath[0], methodAndPath[1], type, validSpec);
        }).mix(HostileJson.invalidUtf8().map((byte[] bytes) -> new Request("PUT", "/v1/models/edge-utf8", "application/json", bytes)), 30);
    edge.forAll("training bodies that are not JSON", requests, answer -> assertThat(answer.status()).as(answer.text()).isBetween(400, 499));
  }

  @Test
  void shouldNameEveryUnknownKeyOfASpecItsAlgorithmsAndItsHyperparameters() {
    String body = """
        {"dataset": "%s", "requried": true, "minimum": 1,
         "algorithms": [{"algorithm": "liblinear", "gird": 1}, {"algorithm": "logistic-regression", "grid": {"learningrate": [0.1]}}]}
        """.formatted(dataset);

    String error = error(edge.check(Request.json("PUT", "/v1/models/edge-" + shortId(), body)), 400);

    assertThat(error).startsWith("unreadable request: unknown keys ")
        .contains("'requried' (known there: algorithms, cooldown, dataset, feedback, minNewRows, name, schedule, window)")
        .contains("'minimum'")
        .contains("'gird' (known there: algorithm, grid)");
    // Hyperparameters are the keys of a map: an unknown one is a problem of the spec, named with the known ones.
    JsonNode answer = json(edge.check(Request.json("PUT", "/v1/models/edge-" + shortId(), body.replace(", \"requried\": true, \"minimum\": 1", "")
        .replace("\"gird\": 1", "\"grid\": {\"cost\": [1]}"))), 400);
    assertThat(answer.path("error").asString()).isEqualTo("invalid model spec");
    assertThat(answer.path("problems").toString())
        .contains("logistic-regression: unknown hyperparameter 'learningrate' (known: epochs, learningRate, minibatchSize)");
  }

  @Test
  void shouldNameEveryUnknownKeyOfARunRequestACancellationAndARetirement() {
    assertThat(error(edge.check(Request.json("POST", "/v1/models/" + model + "/runs", "{\"requestedBy\": \"a\", \"reason\": \"x\"}")), 400))
        .isEqualTo("unreadable request: unknown key 'reason' (known there: comment, requestedBy)");
    assertThat(error(edge.check(Request.json("POST", "/v1/runs/x/cancel", "{\"by\": \"a\"}")), 400))
        .isEqualTo("unreadable request: unknown key 'by' (known there: reason, requestedBy)");
    assertThat(error(edge.check(Request.json("POST", "/v1/models/" + model + "/retire", "{\"comment\": \"x\"}")), 400))
        .isEqualTo("unreadable request: unknown key 'comment' (known there: reason, requestedBy)");
  }

  @Test
  void shouldRefuseHyperparametersOutOfRangeTooManyCandidatesAndOverflowingDurationsNamingThem() {
    String body = """
        {"dataset": "%s", "minNewRows": 0, "window": "last-rows:99999999999999", "cooldown": "P99999999999999D",
         "algorithms": [{"algorithm": "logistic-regression", "grid": {"epochs": [2000000000], "learningRate": [1e300, -1]}},
                        {"algorithm": "liblinear", "grid": {"cost": [1, 2, 3, 4, 5, 6, 7], "epsilon": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]}},
                        null]}""".formatted(dataset);

    JsonNode answer = json(edge.check(Request.json("PUT", "/v1/models/edge-" + shortId(), body)), 400);

    assertThat(answer.path("error").asString()).isEqualTo("invalid model spec");
    assertThat(answer.path("problems").values().stream().map(JsonNode::asString).toList()).containsExactlyInAnyOrder(
        "every algorithm needs a name (logistic-regression, factorization-machine, liblinear)",
        "logistic-regression: epochs=2000000000: must be a whole number from 1 to 1000, not 2000000000",
        "logistic-regression: learningRate=1.0E300: must be a number from 0.000001 to 10, not 1.0E300",
        "logistic-regression: learningRate=-1: must be a number from 0.000001 to 10, not -1",
        "the grids make 58 candidates (logistic-regression 2, liblinear 56); a run trains at most 50",
        "minNewRows must be a whole number from 1 to 1000000000, not 0",
        "window last-rows:N needs N from 1 to 10000000, not 99999999999999",
        "cooldown must be from 0s to 365d, not PT2399999999999976H");
  }

  @Test
  void shouldRefuseLongTextsAndControlCharactersInWhoAndWhy() {
    String tooLong = "{\"requestedBy\": \"" + "a".repeat(101) + "\", \"comment\": \"" + "b".repeat(1001) + "\"}";
    JsonNode answer = json(edge.check(Request.json("POST", "/v1/models/" + model + "/runs", tooLong)), 400);
    assertThat(answer.path("problems").values().stream().map(JsonNode::asString).toList()).containsExactly(
        "requestedBy must be at most 100 characters (it has 101)", "comment must be at most 1000 characters (it has 1001)");

    answer = json(edge.check(Request.json("POST", "/v1/runs/x/cancel", "{\"requestedBy\": \"alice\\n[ERROR] forged\"}")), 400);
    assertThat(answer.path("problems").get(0).asString()).isEqualTo("requestedBy must not hold control characters (found U+000A at position 5)");
  }

  @Test
  void shouldListAtMostAHundredRunsAndTwentyWhenNotAsked() {
    assertThat(error(edge.check(new Request("GET", "/v1/runs?limit=101", null, new byte[0])), 400))
        .isEqualTo("limit must be from 1 to 100, not 101");
    assertThat(error(edge.check(new Request("GET", "/v1/models/" + model + "/runs?limit=0", null, new byte[0])), 400))
        .isEqualTo("limit must be from 1 to 100, not 0");
    JsonNode runs = JSON.readTree(edge.check(new Request("GET", "/v1/runs", null, new byte[0])).body());
    assertThat(runs.isArray()).isTrue();
    assertThat(runs.size()).isLessThanOrEqualTo(20);
  }

  @Test
  void shouldBoundTheAnswerToASpecWithThousandsOfProblems() {
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      values.append(i == 0 ? "" : ", ").append("\"not a number ").append(i).append('"');
    }
    String body = "{\"dataset\": \"" + dataset + "\", \"algorithms\": [{\"algorithm\": \"liblinear\", \"grid\": {\"cost\": [" + values + "]}}]}";

    EdgeContract.Answer answer = edge.check(Request.json("PUT", "/v1/models/edge-" + shortId(), body));
    JsonNode error = json(answer, 400);

    assertThat(error.path("problems").size()).isEqualTo(ApiErrors.MAX_LISTED);
    assertThat(error.path("moreProblems").asInt()).isEqualTo(5_001 - ApiErrors.MAX_LISTED);
    assertThat(answer.body().length).isLessThan(EdgeContract.MAX_ANSWER_BYTES);
  }

  private static String error(EdgeContract.Answer answer, int status) {
    return json(answer, status).path("error").asString();
  }

  private static JsonNode json(EdgeContract.Answer answer, int status) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(status);
    return JSON.readTree(answer.body());
  }
}
