package io.kloop.monitor.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ArtifactRef;
import io.kloop.events.ConfusionMatrix;
import io.kloop.events.DriftReported;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelApproved;
import io.kloop.events.PredictionLogged;
import io.kloop.monitor.ModelNames;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.monitor.drift.SyntheticModel;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every HTTP endpoint of the monitor against what a careless or hostile client sends, on a real broker and real
 * HTTP: hostile model names in the path of the JSON and the HTML endpoint, query strings they do not take, other
 * methods, the actuator's endpoints with hostile names, tags and query values. Whatever comes, the answer is on
 * time, never a 5xx, a 4xx is a JSON error (the page's too), and no answer is much larger than the request
 * ({@link EdgeContract}).
 */
@SpringBootTest(classes = MonitorServiceApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.name=monitor-service", "kloop.monitor.window.size=" + MonitorEdgesIT.WINDOW})
@WithKafkaBroker
// Closed after the class: left running, it would process the shared topics under its own application id next to
// the other ITs' instances and announce their models' decisions a second time.
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitorEdgesIT {

  static final int WINDOW = 100;
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
  /** Approved, with two judged windows: the page and the JSON have features, tests and windows to show. */
  private static final String MODEL = "edge-drift-" + SUFFIX;
  private static final Path STATE = temporaryDirectory();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Autowired Environment environment;
  private String base;
  private EdgeContract edge;

  @DynamicPropertySource
  static void monitor(DynamicPropertyRegistry properties) {
    properties.add("spring.kafka.streams.application-id", () -> "monitor-edges-" + SUFFIX);
    properties.add("spring.kafka.streams.state-dir", STATE::toString);
  }

  @BeforeAll
  void judgedWindows() throws Exception {
    base = "http://127.0.0.1:" + environment.getProperty("local.server.port");
    edge = new EdgeContract(base);
    TestEvents.publish(Topics.MODEL_APPROVED.name(), MODEL, approval(MODEL));
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> JSON.readTree(edge.check(Request.of("GET", "/v1/models/" + MODEL + "/drift", null, ""))
        .body()).path("champion").asInt() == 1);
    SyntheticModel traffic = new SyntheticModel(11);
    try (KafkaProducer<String, PredictionLogged> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestKafkaBroker.bootstrapServers()), new StringSerializer(), new EventSerializer<>())) {
      for (int i = 0; i < 2 * WINDOW; i++) {
        producer.send(new ProducerRecord<>(Topics.PREDICTION_LOGGED.name(), MODEL, prediction(traffic, i < WINDOW
            ? SyntheticModel.Scenario.stationary() : SyntheticModel.Scenario.stationary().withMeanShift(0, 2.0)))).get(30, TimeUnit.SECONDS);
      }
    }
    TestEvents.awaitAtLeast(Topics.DRIFT_REPORTED.name(), MODEL, DriftReported.class, 2, TIMEOUT);
    await().atMost(TIMEOUT).until(() -> JSON.readTree(edge.check(Request.of("GET", "/v1/models/" + MODEL + "/drift", null, "")).body())
        .path("windows").size() == 2);
  }

  @Test
  void shouldKeepTheContractOnTheDriftEndpointsWhateverTheNameAndQuery() {
    Gen<String> queries = Generate.pick(List.of("", "?", "?window=1", "?format=html", "?" + "a=1&".repeat(300)))
        .mix(HostileJson.urlParts().map((String value) -> "?q=" + value), 40);
    for (String page : List.of("drift", "drift/report", "performance")) {
      edge.forAll("monitor GET /v1/models/{name}/" + page, names().zip(queries,
          (name, query) -> Request.of("GET", "/v1/models/" + name + "/" + page + query, null, "")));
    }
  }

  @Test
  void shouldKeepTheContractForOtherMethodsAndBodies() {
    Gen<String> paths = names().map((String name) -> "/v1/models/" + name + "/drift")
        .mix(names().map((String name) -> "/v1/models/" + name + "/drift/report"), 50)
        .mix(names().map((String name) -> "/v1/models/" + name + "/performance"), 30);
    edge.forAll("monitor other methods", paths.zip(Generate.pick(List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")),
        HostileJson.bodies("{\"window\": 1}"), (path, method, body) -> Request.json(method, path, body)));
  }

  @Test
  void shouldKeepTheContractOnTheGroundTruthEndpointWhateverTheNameAndBody() {
    Gen<String> types = Generate.pick(java.util.Arrays.asList("application/json", "application/x-ndjson", "text/plain", "application/json; charset=UTF-8",
        null, "no/such;;type", "*/*"));
    edge.forAll("monitor POST /v1/models/{name}/ground-truth", names().zip(types,
        HostileJson.bodies("[{\"predictionId\": \"p-1\", \"label\": \"no\"}]", "{\"predictionId\": \"p-1\", \"label\": \"no\"}\n"),
        (name, type, body) -> Request.of("POST", "/v1/models/" + name + "/ground-truth", type, body)));
  }

  @Test
  void shouldRefuseBadLabelsWholeNamingEveryProblem() {
    String path = "/v1/models/" + MODEL + "/ground-truth";
    Map<String, String> refused = new java.util.LinkedHashMap<>();
    refused.put("[{\"predictionId\": \"p-1\", \"label\": \"\"}]", "item 0: label is empty");
    refused.put("[{\"predictionId\": \"p-1\"}]", "item 0: label is missing");
    refused.put("[{\"predictionId\": \"p-1\", \"label\": 1}]", "item 0: at label");
    refused.put("[{\"predictionId\": \"p-1\", \"label\": \"no\", \"lable\": \"no\"}]", "item 0: unknown key 'lable'");
    refused.put("[{\"predictionId\": \"p\\u0007\", \"label\": \"no\"}]", "item 0: predictionId contains a control or invisible character");
    refused.put("[{\"predictionId\": \"" + "x".repeat(257) + "\", \"label\": \"no\"}]", "item 0: predictionId is longer than 256 characters (257)");
    refused.put("[{\"predictionId\": \"p-1\", \"label\": \"no\", \"observedTime\": \"yesterday\"}]", "item 0: observedTime 'yesterday' is not");
    // Parses, but epoch milliseconds cannot hold it: a 400 naming the item, not a 503 that asks to send it again.
    refused.put("[{\"predictionId\": \"p-1\", \"label\": \"no\", \"observedTime\": \"+300000000-01-01T00:00:00Z\"}]",
        "item 0: observedTime +300000000-01-01T00:00:00Z is more than 1 day after the monitor's clock");
    refused.put("[{\"predictionId\": \"p-1\", \"label\": \"no\"}, {\"predictionId\": \"p-1\", \"label\": \"yes\"}]",
        "item 1: predictionId 'p-1' is given twice (also item 0)");
    refused.put("{\"predictionId\": \"p-1\", \"label\": \"no\"}", "expected a JSON array of labels");
    refused.put("[]", "the body holds no labels");
    refused.put("[1, {\"predictionId\": \"p-1\", \"label\": \"no\"}, {\"label\": \"\"}]", "3 problems in the labels; none was taken");
    refused.put("[" + "{\"predictionId\": \"p\", \"label\": \"no\"},".repeat(10_000) + "{\"predictionId\": \"p\", \"label\": \"no\"}]",
        "at most 10000 labels per request, got 10001");
    refused.forEach((body, expected) -> {
      EdgeContract.Answer answer = edge.check(Request.json("POST", path, body));
      String seen = body.substring(0, Math.min(body.length(), 100)) + " -> " + answer.text();
      assertThat(answer.status()).as(seen).isEqualTo(400);
      assertThat(answer.text()).as(seen).contains(expected);
    });
    EdgeContract.Answer lines = edge.check(Request.of("POST", path, "application/x-ndjson", "{\"predictionId\": \"p-1\", \"label\": \"no\"}\n{oops\n"
        + "{\"predictionId\": \"p-2\", \"label\": \"no\", \"x\": 1}\n"));
    assertThat(lines.status()).isEqualTo(400);
    assertThat(JSON.readTree(lines.body()).path("problems").toString()).contains("line 2: not JSON").contains("line 3: unknown key 'x'");

    // ApiErrors' rule, as every error answer of the platform: 100 problems listed, then their count.
    EdgeContract.Answer many = edge.check(Request.json("POST", path, "[" + "{\"label\": \"\"},".repeat(59) + "{\"label\": \"\"}]"));
    assertThat(JSON.readTree(many.body()).path("problems").size()).isEqualTo(100);
    assertThat(JSON.readTree(many.body()).path("moreProblems").asInt()).as("two problems per item, 100 listed").isEqualTo(20);

    assertThat(edge.check(Request.of("POST", path, "text/plain", "p-1,no")).status()).isEqualTo(415);
    assertThat(edge.check(Request.json("POST", "/v1/models/no-such-model/ground-truth", "[{\"predictionId\": \"p\", \"label\": \"no\"}]"))
        .status()).isEqualTo(404);
    assertThat(edge.check(Request.json("POST", "/v1/models/Not-A-Name/ground-truth", "[]")).status()).isEqualTo(400);
    String huge = "[" + ("{\"predictionId\": \"" + "p".repeat(200) + "\", \"label\": \"no\"},").repeat(10_000) + "{}]";
    assertThat(edge.check(Request.json("POST", path, huge)).status()).as("over the 2 MB body limit").isEqualTo(413);
  }

  @Test
  void shouldTakeGoodLabelsAsJsonAndAsNdjson() {
    String path = "/v1/models/" + MODEL + "/ground-truth";
    EdgeContract.Answer json = edge.check(Request.json("POST", path, "[{\"predictionId\": \"edge-1\", \"label\": \"no\", "
        + "\"observedTime\": \"2026-03-04T07:06:07+02:00\"}, {\"predictionId\": \"edge-2\", \"label\": \"not-a-class\"}]"));
    assertThat(json.status()).as(json.text()).isEqualTo(202);
    assertThat(JSON.readTree(json.body()).path("accepted").asInt()).isEqualTo(2);
    EdgeContract.Answer ndjson = edge.check(Request.of("POST", path, "application/x-ndjson", "\r\n{\"predictionId\": \"edge-3\", \"label\": \"yes\"}\r\n"));
    assertThat(ndjson.status()).as(ndjson.text()).isEqualTo(202);
    assertThat(JSON.readTree(ndjson.body()).path("accepted").asInt()).isEqualTo(1);
  }

  @Test
  void shouldKeepTheContractOnTheActuator() {
    edge.forAll("monitor actuator", HostileJson.actuatorPaths().map((String path) -> Request.of("GET", path, null, "")));
    // The whole scrape is larger than the contract's bound for any answer, whatever the request: it grows with the
    // metrics, not with anything a client sends, so it is checked apart.
    EdgeContract.Answer scrape = edge.send(Request.of("GET", "/actuator/prometheus", null, ""));
    assertThat(scrape.status()).isEqualTo(200);
    assertThat(scrape.text()).contains("kloop_monitor_windows_judged_total");
  }

  @Test
  void shouldAnswerTheReportPageAndItsErrorsWhateverTheClientAccepts() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(EdgeContract.TIME_BOUND).build();
    for (String accept : List.of("text/html", "application/json", "text/html,application/xhtml+xml,*/*;q=0.8", "image/png")) {
      for (String name : List.of(MODEL, "no-such-model", "NOT-A-NAME", "x".repeat(ModelNames.MAX_LENGTH + 1))) {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models/" + name + "/drift/report"))
            .timeout(EdgeContract.TIME_BOUND).header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofString());
        String seen = accept + " " + name + ": " + answer.statusCode() + " " + answer.body();
        assertThat(answer.statusCode()).as(seen).isLessThan(500);
        if (accept.equals("application/json") || accept.equals("image/png")) {
          // The page is HTML only: a client that takes no HTML is told so, as JSON, whatever the name.
          assertThat(answer.statusCode()).as(seen).isEqualTo(406);
          assertThat(JSON.readTree(answer.body()).path("error").asString()).as(seen).isNotBlank();
        } else if (name.equals(MODEL)) {
          assertThat(answer.statusCode()).as(seen).isEqualTo(200);
          assertThat(answer.body()).as(seen).contains("<h1>Drift report: " + MODEL + "</h1>");
        } else {
          assertThat(answer.statusCode()).as(seen).isEqualTo(name.equals("no-such-model") ? 404 : 400);
          assertThat(answer.headers().firstValue("Content-Type")).as(seen).hasValueSatisfying(type -> assertThat(type).contains("json"));
          assertThat(JSON.readTree(answer.body()).path("error").asString()).as(seen)
              .contains(name.equals("no-such-model") ? "no model named no-such-model" : "is not a model name");
        }
      }
    }
  }

  @Test
  void shouldRefuseNamesNoModelCanHaveAndAcceptTheLongestItCan() {
    for (String name : List.of("x".repeat(ModelNames.MAX_LENGTH + 1), "Upper", "-dash-first", "a%00b", "a%0Ab", "a%20b", "%C3%A9t%C3%A9", "a%2Fb")) {
      EdgeContract.Answer answer = edge.check(Request.of("GET", "/v1/models/" + name + "/drift", null, ""));
      assertThat(answer.status()).as(name).isEqualTo(400);
      assertThat(JSON.readTree(answer.body()).path("error").asString()).as(name)
          .contains(name.contains("%2F") ? "may not contain an encoded '/'" : "is not a model name");
    }
    EdgeContract.Answer longest = edge.check(Request.of("GET", "/v1/models/" + "x".repeat(ModelNames.MAX_LENGTH) + "/drift", null, ""));
    assertThat(longest.status()).isEqualTo(404);
  }

  /** The approved model, its near misses, and hostile path segments. */
  private static Gen<String> names() {
    return Generate.pick(List.of(MODEL, MODEL.toUpperCase(), MODEL + ".", "no-such-model", "a".repeat(63), "a".repeat(64), "%20" + MODEL,
        MODEL + "%00", "%2e%2e", ".", "")).mix(HostileJson.urlParts(), 50);
  }

  private static ModelApproved approval(String model) {
    return ModelApproved.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("registry-service")
        .setModel(model).setVersion(1).setRunId("run-1").setDecisionId(UUID.randomUUID().toString())
        .setActor("policy:auto").setReason("test").setPreviousVersion(null)
        .setArtifact(ArtifactRef.newBuilder().setUri("file:///nowhere").setSha256("0".repeat(64)).setSizeBytes(1).setMediaType("application/onnx").build())
        .setSignature(SyntheticModel.signature())
        .setReferenceProfile(SyntheticModel.reference(42, 2_000, 300))
        .setMetrics(EvaluationMetrics.newBuilder().setSplit("test").setRows(10).setAccuracy(0.9).setMacroPrecision(0.9).setMacroRecall(0.9)
            .setMacroF1(0.9).setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(SyntheticModel.CLASSES)
                .setCounts(List.of(List.of(5L, 0L), List.of(1L, 4L))).build()).build())
        .build();
  }

  private static PredictionLogged prediction(SyntheticModel traffic, SyntheticModel.Scenario scenario) {
    Map<String, Object> inputs = new HashMap<>(traffic.next(scenario));
    return PredictionLogged.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("inference-service")
        .setRequestId(UUID.randomUUID().toString()).setInstanceIndex(0).setModel(MODEL).setVersion(1)
        .setInputs(inputs).setPredictedClass(traffic.predicted()).setProbabilities(new HashMap<>(traffic.probabilities()))
        .setLatencyMicros(50)
        .build();
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createDirectories(Path.of("target", "it-state", "monitor-edges-" + SUFFIX).toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
