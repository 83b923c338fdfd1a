package io.kloop.registry.edge;

import static io.kloop.registry.TrainedModels.metrics;
import static io.kloop.registry.TrainedModels.trained;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelRolledBack;
import io.kloop.events.ModelTrained;
import io.kloop.registry.RegistryInputs;
import io.kloop.registry.RegistryLimits;
import io.kloop.registry.RegistryServiceApplication;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.test.TestEvents;
import io.kloop.test.WithKafkaBroker;
import io.kloop.test.hostile.EdgeContract;
import io.kloop.test.hostile.EdgeContract.Request;
import io.kloop.test.hostile.HostileJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every HTTP endpoint of the registry against what a careless or hostile client sends, on a real broker and
 * real HTTP: malformed and extreme decision bodies (sent with a valid operator token, so they reach the
 * handlers), hostile model names and version numbers in the path, query values, headers and content types,
 * with and without a token. Whatever comes, the answer is on time, never a 5xx, a 4xx is a JSON error, and
 * no answer is much larger than the request ({@link EdgeContract}).
 */
@SpringBootTest(classes = RegistryServiceApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "spring.config.name=registry-service",
        "kloop.registry.access.operators.alice=" + RegistryEdgesIT.ALICE,
        "kloop.registry.decision-timeout=30s",
        "kloop.registry.promotion.minimums.accuracy=0.8"})
@WithKafkaBroker
// Closed after the class: left running, it would process the shared topics under its own application id next to
// the other ITs' instances and announce their models' decisions a second time.
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryEdgesIT {

  static final String ALICE = "alice-token-0123456789abcdef";
  private static final String BEARER = "Bearer " + ALICE;
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final EvaluationMetrics GOOD = metrics(0.95, 0.97);
  private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
  /** Versions 1 (retired) and 2 (champion): a rollback has somewhere to go. */
  private static final String AUTO = "edge-auto-" + SUFFIX;
  /** Manual mode: versions 1 to 6 wait for an operator. */
  private static final String MANUAL = "edge-manual-" + SUFFIX;
  private static final int PENDING = 6;
  private static final Path HOME = temporaryHome();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Autowired Environment environment;
  private EdgeContract edge;
  private EdgeContract operator;
  private LocalArtifactStore store;

  @DynamicPropertySource
  static void registry(DynamicPropertyRegistry properties) {
    // Its registry decides only this class's runs, not those earlier classes left on the shared input topics.
    RegistryInputs.startAtTheEnd("registry-edges-" + SUFFIX);
    properties.add("spring.kafka.streams.application-id", () -> "registry-edges-" + SUFFIX);
    properties.add("spring.kafka.streams.state-dir", () -> HOME.resolve("state").toString());
    properties.add("kloop.registry.artifact-root", () -> HOME.resolve("artifacts").toString());
    properties.add("kloop.registry.promotion.models." + MANUAL + ".mode", () -> "manual");
  }

  @BeforeAll
  void models() {
    String base = "http://127.0.0.1:" + environment.getProperty("local.server.port");
    edge = new EdgeContract(base);
    operator = new EdgeContract(base);
    store = new LocalArtifactStore(HOME.resolve("artifacts"));
    publish(trained(AUTO, "run-1", GOOD, null, null, store));
    publish(trained(AUTO, "run-2", metrics(0.96, 0.98), 1, GOOD, store));
    for (int run = 1; run <= PENDING; run++) {
      publish(trained(MANUAL, "run-" + run, GOOD, null, null, store));
    }
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> versions(AUTO).size() == 2 && versions(MANUAL).size() == PENDING
        && "CHAMPION".equals(versions(AUTO).get(1).path("status").asString()));
  }

  @Test
  void shouldKeepTheContractOnEveryReadWhateverThePathAndQuery() {
    edge.forAll("registry GET /v1/models", Generate.pick(List.of("", "?status=x", "?" + "a=1&".repeat(200), "?%25zz=1"))
        .map((String query) -> Request.of("GET", "/v1/models" + query, null, "")));
    edge.forAll("registry GET /v1/models/{name}", names().map((String name) -> Request.of("GET", "/v1/models/" + name, null, "")));
    edge.forAll("registry GET /v1/models/{name}/versions", names().zip(HostileJson.urlParts().mix(Generate.pick(List.of(
            "PENDING", "champion", "rolled-back", "retired", "")), 30),
        (name, status) -> Request.of("GET", "/v1/models/" + name + "/versions?status=" + status, null, "")));
    edge.forAll("registry GET /v1/models/{name}/versions/{v}", names().zip(versionsInPath(),
        (name, version) -> Request.of("GET", "/v1/models/" + name + "/versions/" + version, null, "")));
    edge.forAll("registry GET /v1/models/{name}/audit", names().map((String name) -> Request.of("GET", "/v1/models/" + name + "/audit", null, "")));
  }

  @Test
  void shouldKeepTheContractOnArtifactDownloadsWhateverThePathAndETag() {
    Gen<String> etags = Generate.pick(List.of("*", "\"abc\"", "W/\"abc\"", ",", ",,,", "\"", "W/", "x".repeat(4_000),
        "\"" + "0".repeat(64) + "\", *", "é"));
    operator.forAll("registry GET /v1/models/{name}/versions/{v}/artifact", names().zip(versionsInPath(), etags.mix(Generate.pick(List.of("")), 30),
        (name, version, etag) -> {
          Request call = Request.of("GET", "/v1/models/" + name + "/versions/" + version + "/artifact", null, "");
          return etag.isEmpty() ? call : call.withHeader("If-None-Match", etag);
        }));
  }

  @Test
  void shouldKeepTheContractOnTheActuator() {
    edge.forAll("registry actuator", HostileJson.actuatorPaths().map((String path) -> Request.of("GET", path, null, "")));
  }

  @Test
  void shouldAnswerArtifactErrorsAsJsonWhateverTheClientAccepts() {
    for (String accept : List.of("application/onnx", "application/octet-stream", "text/html", "garbage/", "*/*")) {
      for (String version : List.of("1", "9", "0")) {
        EdgeContract.Answer answer = operator.check(Request.of("GET", "/v1/models/" + AUTO + "/versions/" + version + "/artifact",
            null, "").withHeader("Accept", accept));
        switch (version) {
          case "1" -> assertThat(answer.status()).as(accept).isEqualTo(200);
          case "9" -> assertRefused(answer, 404, "has no version 9");
          default -> assertRefused(answer, 400, "versions are numbered from 1");
        }
      }
    }
  }

  @Test
  void shouldRefuseEveryDecisionWithoutAValidTokenBeforeReadingIt() {
    Gen<String> paths = names().zip(versionsInPath(), Generate.pick(List.of("approve", "reject")),
        (name, version, action) -> "/v1/models/" + name + "/versions/" + version + "/" + action)
        .mix(names().map((String name) -> "/v1/models/" + name + "/rollback"), 30);
    Gen<String> tokens = Generate.pick(List.of("", "Bearer", "Bearer ", "Bearer wrong", "Basic " + ALICE, "bearer " + ALICE + "x",
        "Bearer " + "x".repeat(4_000), ALICE, "Bearer\t" + ALICE + "é"));
    operator.forAll("registry POST decisions without a valid token", paths.zip(decisionBodies(), tokens, (path, body, token) -> {
      Request call = Request.json("POST", path, body);
      return token.isEmpty() ? call : call.withHeader("Authorization", token);
    }));
  }

  @Test
  void shouldKeepTheContractForEveryMalformedDecisionBody() {
    operator.forAll("registry POST approve bodies", Generate.range(1, PENDING).zip(decisionBodies(),
        (version, body) -> authorised(Request.json("POST", "/v1/models/" + MANUAL + "/versions/" + version + "/approve", body))));
    operator.forAll("registry POST reject bodies", Generate.range(1, PENDING).zip(decisionBodies(),
        (version, body) -> authorised(Request.json("POST", "/v1/models/" + MANUAL + "/versions/" + version + "/reject", body))));
    operator.forAll("registry POST rollback bodies", decisionBodies().map((String body) ->
        authorised(Request.json("POST", "/v1/models/" + AUTO + "/rollback", body))));
  }

  @Test
  void shouldKeepTheContractForEveryHostilePathOfADecision() {
    String body = "{\"reason\": \"checked by hand\"}";
    operator.forAll("registry POST approve/reject paths", names().zip(versionsInPath(), Generate.pick(List.of("approve", "reject")),
        (name, version, action) -> authorised(Request.json("POST", "/v1/models/" + name + "/versions/" + version + "/" + action, body))));
    operator.forAll("registry POST rollback paths", names().map((String name) ->
        authorised(Request.json("POST", "/v1/models/" + name + "/rollback", body))));
  }

  @Test
  void shouldKeepTheContractForOddContentTypesAndIdempotencyKeys() {
    Gen<String> contentTypes = Generate.pick(java.util.Arrays.asList(null, "text/plain", "application/xml", "application/json;charset=latin1",
        "application/json; charset=utf-16", "multipart/form-data", "application/x-www-form-urlencoded", "*/*", "application/*+json", "garbage"));
    Gen<String> keys = Generate.pick(List.of("", " ", "k", "incident-42", "x".repeat(200), "x".repeat(201), "x".repeat(4_000), "é",
        "\tkey", "key\t", "%00", "a b"));
    operator.forAll("registry POST decisions with odd content types and keys", Generate.range(1, PENDING).zip(contentTypes,
        keys.mix(Generate.pick(List.of("(none)")), 20), (version, type, key) -> {
          Request call = authorised(new Request("POST", "/v1/models/" + MANUAL + "/versions/" + version + "/reject", type,
              HostileJson.utf8("{\"reason\": \"odd\"}")));
          return key.equals("(none)") ? call : call.withHeader("Idempotency-Key", key);
        }));
  }

  @Test
  void shouldRefuseARollbackBodyWithAMisspeltKeyNamingItAndRollBackNothing() {
    String model = "strict-" + SUFFIX;
    publish(trained(model, "run-1", GOOD, null, null, store));
    publish(trained(model, "run-2", metrics(0.96, 0.98), 1, GOOD, store));
    publish(trained(model, "run-3", metrics(0.97, 0.98), 2, metrics(0.96, 0.98), store));
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> "CHAMPION".equals(versions(model).get(2).path("status").asString()));
    List<JsonNode> auditBefore = audit(model);

    // "version" for "toVersion": read leniently, this was a rollback to version 2 (the latest earlier champion), not to 1.
    EdgeContract.Answer misspelt = operator.check(authorised(Request.json("POST", "/v1/models/" + model + "/rollback",
        "{\"reason\": \"version 3 and 2 use the faulty batch\", \"version\": 1}")));

    assertThat(misspelt.status()).isEqualTo(400);
    assertThat(error(misspelt)).contains("unknown key").contains("'version'").contains("known there: reason, toVersion");
    assertThat(versions(model)).extracting(v -> v.path("status").asString()).containsExactly("RETIRED", "RETIRED", "CHAMPION");
    assertThat(audit(model)).isEqualTo(auditBefore);
    assertThat(TestEvents.read(Topics.MODEL_ROLLED_BACK.name(), model, ModelRolledBack.class)).isEmpty();

    // A version that is not a whole number is refused the same way, never read as another version.
    for (String toVersion : List.of("1.9", "\"1\"", "1e0", "true", "[1]", "2147483648")) {
      EdgeContract.Answer answer = operator.check(authorised(Request.json("POST", "/v1/models/" + model + "/rollback",
          "{\"reason\": \"r\", \"toVersion\": " + toVersion + "}")));
      assertThat(answer.status()).as(toVersion).isEqualTo(400);
      assertThat(error(answer)).as(toVersion).contains("toVersion");
    }
    assertThat(versions(model).get(2).path("status").asString()).isEqualTo("CHAMPION");

    // Spelt right, it goes where the caller meant.
    EdgeContract.Answer meant = operator.check(authorised(Request.json("POST", "/v1/models/" + model + "/rollback",
        "{\"reason\": \"version 3 and 2 use the faulty batch\", \"toVersion\": 1}")));
    assertThat(meant.status()).isEqualTo(200);
    assertThat(versions(model)).extracting(v -> v.path("status").asString()).containsExactly("CHAMPION", "ROLLED_BACK", "ROLLED_BACK");
  }

  @Test
  void shouldRefuseWhatIsOverItsLimitsAndAcceptWhatIsAtThem() {
    String reject = "/v1/models/" + MANUAL + "/versions/" + PENDING + "/reject";
    String approve = "/v1/models/" + MANUAL + "/versions/" + PENDING + "/approve";
    assertRefused(authorised(Request.json("POST", reject, "{\"reason\": \"" + "r".repeat(RegistryLimits.MAX_REASON + 1) + "\"}")),
        400, "the reason has 2001 characters; at most 2000");
    assertRefused(authorised(Request.json("POST", reject, "{\"reason\": \"bad\\u0000batch\"}")), 400, "control character (U+0000 at 3)");
    assertRefused(authorised(Request.json("POST", reject, "{\"reason\": \"bad\\u001b[31mbatch\"}")), 400, "control character (U+001B at 3)");
    assertRefused(authorised(Request.json("POST", reject, "{\"reason\": 42}")), 400, "at reason: a string is required");
    assertRefused(authorised(Request.json("POST", approve, "{\"reason\": \"ok\", \"toVersion\": 2}")), 400, "'toVersion'");
    assertRefused(authorised(Request.json("POST", reject, "{\"reason\": \"ok\"}")).withHeader("Idempotency-Key", "k".repeat(201)), 400,
        "an idempotency key must have 1 to 200 visible ASCII characters");
    assertRefused(authorised(Request.json("POST", reject, "{\"reason\": \"ok\"}")).withHeader("Idempotency-Key", "ticket\t7"), 400,
        "an idempotency key must have 1 to 200 visible ASCII characters");
    String tooLong = "m".repeat(RegistryLimits.MAX_MODEL_NAME + 1);
    assertRefused(Request.of("GET", "/v1/models/" + tooLong, null, ""), 400, "is not a model name");
    assertRefused(Request.of("GET", "/v1/models/" + AUTO.toUpperCase() + "/audit", null, ""), 400,
        "model names are 1 to 63 lower-case letters");
    assertRefused(Request.of("GET", "/v1/models/" + AUTO + "%0A/versions", null, ""), 400, "is not a model name");
    assertRefused(Request.of("GET", "/v1/models/" + AUTO + "/versions/0", null, ""), 400, "versions are numbered from 1");
    assertRefused(authorised(Request.json("POST", "/v1/models/" + MANUAL + "/versions/-1/approve", "{}")), 400, "versions are numbered from 1");
    assertRefused(authorised(Request.json("POST", "/v1/models/" + AUTO + "/rollback", "{\"reason\": \"r\", \"toVersion\": 0}")), 400,
        "versions are numbered from 1");

    // At the limits: a 63-character name is a name (of no model here), a 2,000-character reason with line breaks is a reason.
    assertRefused(Request.of("GET", "/v1/models/" + "m".repeat(RegistryLimits.MAX_MODEL_NAME), null, ""), 404, "no model named");
    String reason = ("line\\n\\t" + "r".repeat(94)).repeat(20);
    EdgeContract.Answer atLimit = operator.check(authorised(Request.json("POST", reject, "{\"reason\": \"" + reason + "\"}"))
        .withHeader("Idempotency-Key", "k".repeat(RegistryLimits.MAX_IDEMPOTENCY_KEY)));
    assertThat(atLimit.status()).as(atLimit.text()).isIn(200, 409);
  }

  @Test
  void shouldRefuseAnIdempotencyKeyReusedForAnotherRequest() {
    String model = "keys-" + SUFFIX;
    publish(trained(model, "run-1", GOOD, null, null, store));
    publish(trained(model, "run-2", metrics(0.5, 0.5), 1, GOOD, store));
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> versions(model).size() == 2 && "REJECTED".equals(versions(model).get(1).path("status").asString()));
    Request rejectTwo = authorised(Request.json("POST", "/v1/models/" + model + "/versions/2/reject", "{\"reason\": \"again\"}"))
        .withHeader("Idempotency-Key", "ticket-7");

    EdgeContract.Answer first = operator.check(rejectTwo);
    EdgeContract.Answer retry = operator.check(rejectTwo);
    EdgeContract.Answer other = operator.check(authorised(Request.json("POST", "/v1/models/" + model + "/versions/1/reject",
        "{\"reason\": \"again\"}")).withHeader("Idempotency-Key", "ticket-7"));

    assertThat(first.status()).isEqualTo(409);
    assertThat(retry.status()).isEqualTo(409);
    assertThat(JSON.readTree(retry.body()).path("decision")).isEqualTo(JSON.readTree(first.body()).path("decision"));
    assertRefused(other, 422, "was used by alice for another request on model " + model + " (decided as REFUSED version 2");
    assertThat(versions(model).get(0).path("status").asString()).isEqualTo("CHAMPION");
  }

  private void assertRefused(Request call, int status, String message) {
    assertRefused(operator.check(call), status, message);
  }

  private static void assertRefused(EdgeContract.Answer answer, int status, String message) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(status);
    assertThat(error(answer)).contains(message);
  }

  private static String error(EdgeContract.Answer answer) {
    return JSON.readTree(answer.body()).path("error").asString();
  }

  private List<JsonNode> audit(String model) {
    EdgeContract.Answer answer = edge.check(Request.of("GET", "/v1/models/" + model + "/audit", null, ""));
    assertThat(answer.status()).isEqualTo(200);
    List<JsonNode> entries = new java.util.ArrayList<>();
    JSON.readTree(answer.body()).values().forEach(entries::add);
    return entries;
  }

  private static Request authorised(Request request) {
    return request.withHeader("Authorization", BEARER);
  }

  /** Existing models' names, their near misses, and hostile path segments. */
  private static Gen<String> names() {
    return Generate.pick(List.of(AUTO, MANUAL, AUTO.toUpperCase(), AUTO + ".", "no-such-model", "a".repeat(63), "a".repeat(64), "%20" + AUTO,
        AUTO + "%00", "%2e%2e", ".")).mix(HostileJson.urlParts(), 50);
  }

  /** Version numbers as a client may write them in a path. */
  private static Gen<String> versionsInPath() {
    return Generate.pick(List.of("1", "2", "3", "0", "-1", "abc", "99999999999", "2147483647", "2147483648", "-2147483649", "1.0",
        "1e3", "%201", "01", "+1", "0x1", "%00")).mix(HostileJson.urlParts(), 30);
  }

  private static Gen<String> decisionBodies() {
    return HostileJson.bodies("{\"reason\": \"looked at the confusion matrix\"}", "{\"reason\": \"bad batch\", \"toVersion\": 1}", "{}");
  }

  private List<JsonNode> versions(String model) {
    EdgeContract.Answer answer = edge.check(Request.of("GET", "/v1/models/" + model + "/versions", null, ""));
    assertThat(answer.status()).isEqualTo(200);
    List<JsonNode> versions = new java.util.ArrayList<>();
    JSON.readTree(answer.body()).values().forEach(versions::add);
    return versions;
  }

  private static void publish(ModelTrained run) {
    TestEvents.publish(Topics.MODEL_TRAINED.name(), run.getModel(), run);
  }

  private static Path temporaryHome() {
    try {
      return Files.createDirectories(Path.of("target", "it-state", "registry-edges-" + SUFFIX).toAbsolutePath());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
