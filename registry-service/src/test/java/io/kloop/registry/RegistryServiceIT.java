package io.kloop.registry;

import static io.kloop.registry.TrainedModels.metrics;
import static io.kloop.registry.TrainedModels.trained;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelRolledBack;
import io.kloop.events.ModelTrained;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.service.kafka.KafkaPlatformAutoConfiguration;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import io.kloop.test.TestRecords;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The registry on a real broker: training's announcements published as training publishes them, operators
 * calling the HTTP API with and without their tokens, the registry's events read back from Kafka.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryServiceIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String ALICE = "alice-token-0123456789abcdef";
  private static final String MANUAL = "manual-" + shortId();
  private static final EvaluationMetrics GOOD = metrics(0.95, 0.97);

  private final String applicationId = "registry-it-" + shortId();
  private Path home;
  private LocalArtifactStore store;
  private ConfigurableApplicationContext registry;
  private WebTestClient http;

  @BeforeAll
  void start(@TempDir Path home) {
    this.home = home;
    store = new LocalArtifactStore(home.resolve("artifacts"));
    // Its registry decides only this class's runs, not those earlier classes left on the shared input topics.
    RegistryInputs.startAtTheEnd(applicationId);
    registry = startRegistry(applicationId, home.resolve("state"), true);
    http = client(registry, false);
  }

  @AfterAll
  void stop() {
    registry.close();
  }

  @Test
  void shouldApproveAFirstModelAndRejectWorseCandidatesWithTheReason() {
    String model = "tumours-" + shortId();

    publish(trained(model, "run-1", GOOD, null, null, store));
    ModelApproved first = TestEvents.awaitAtLeast(Topics.MODEL_APPROVED.name(), model, ModelApproved.class, 1, TIMEOUT).get(0);
    assertThat(first.getVersion()).isEqualTo(1);
    assertThat(first.getActor()).isEqualTo("policy:auto");
    assertThat(first.getPreviousVersion()).isNull();
    assertThat(first.getReason()).contains("no champion yet").contains("accuracy 0.9500 >= minimum 0.8000");

    publish(trained(model, "run-2", metrics(0.90, 0.96), 1, GOOD, store));
    publish(trained(model, "run-3", metrics(0.70, 0.97), 1, GOOD, store));
    List<ModelRejected> rejected = TestEvents.awaitAtLeast(Topics.MODEL_REJECTED.name(), model, ModelRejected.class, 2, TIMEOUT);
    assertThat(rejected).extracting(ModelRejected::getVersion).containsExactly(2, 3);
    assertThat(rejected.get(0).getActor()).isEqualTo("policy:auto");
    assertThat(rejected.get(0).getViolations()).containsExactly(
        "accuracy 0.9000 is 0.0500 below the champion (version 1) 0.9500, tolerance 0.0100");
    assertThat(rejected.get(1).getViolations()).contains("accuracy 0.7000 < minimum 0.8000");

    // Run 4 is a model imported through training's imports API: gated like any candidate, its origin shown with the version.
    ModelTrained imported = trained(model, "run-4", metrics(0.97, 0.98), 1, GOOD, store);
    imported.setAlgorithm("imported");
    imported.setTrigger("import");
    imported.setOrigin(io.kloop.events.ImportOrigin.newBuilder().setImportedBy("alice").setFileSha256("cd".repeat(32)).setFileBytes(983)
        .setFramework("scikit-learn").setDescription("scaler + logistic regression").setProducerName("skl2onnx 1.17.0").build());
    publish(imported);
    ModelApproved better = TestEvents.awaitAtLeast(Topics.MODEL_APPROVED.name(), model, ModelApproved.class, 2, TIMEOUT).get(1);
    assertThat(better.getVersion()).isEqualTo(4);
    assertThat(better.getPreviousVersion()).isEqualTo(1);
    assertThat(better.getArtifact().getSha256()).isEqualTo(((Map<?, ?>) version(model, 4).get("artifact")).get("sha256"));

    List<Map<String, Object>> versions = versions(model);
    assertThat(versions).extracting(v -> v.get("status")).containsExactly("RETIRED", "REJECTED", "REJECTED", "CHAMPION");
    assertThat((String) versions.get(1).get("reason")).startsWith("failed the promotion policy: accuracy 0.9000 is 0.0500 below");
    assertThat(versions.get(1)).containsEntry("runId", "run-2").containsKey("lineage").containsKey("metrics").containsEntry("origin", null);
    assertThat(versions.get(3)).containsEntry("algorithm", "imported");
    @SuppressWarnings("unchecked") Map<String, Object> origin = (Map<String, Object>) versions.get(3).get("origin");
    assertThat(origin).containsEntry("importedBy", "alice").containsEntry("fileSha256", "cd".repeat(32))
        .containsEntry("fileBytes", 983).containsEntry("framework", "scikit-learn").containsEntry("description", "scaler + logistic regression")
        .containsEntry("producerName", "skl2onnx 1.17.0");
    assertThat(audit(model)).extracting(d -> d.get("action") + " " + d.get("version") + " " + d.get("actor")).containsExactly(
        "REGISTERED 1 training-service", "APPROVED 1 policy:auto",
        "REGISTERED 2 training-service", "REJECTED 2 policy:auto",
        "REGISTERED 3 training-service", "REJECTED 3 policy:auto",
        "REGISTERED 4 training-service", "APPROVED 4 policy:auto");
  }

  @Test
  void shouldHoldAVersionInManualModeUntilAnAuthorisedOperatorApprovesIt() {
    publish(trained(MANUAL, "run-1", GOOD, null, null, store));
    awaitStatus(MANUAL, 1, "PENDING");
    assertThat((String) version(MANUAL, 1).get("reason")).contains("mode manual: waits for an operator");

    http.post().uri("/v1/models/{m}/versions/1/approve", MANUAL).exchange()
        .expectStatus().isUnauthorized()
        .expectHeader().valueMatches(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=.*")
        .expectBody().jsonPath("$.error").value(message -> assertThat((String) message).contains("Authorization: Bearer"));
    http.post().uri("/v1/models/{m}/versions/1/approve", MANUAL).header(HttpHeaders.AUTHORIZATION, "Bearer not-a-token").exchange()
        .expectStatus().isForbidden()
        .expectBody().jsonPath("$.error").isEqualTo("the bearer token is not an operator's token");
    http.post().uri("/v1/models/{m}/versions/1/approve", MANUAL).header(HttpHeaders.AUTHORIZATION, "Basic " + ALICE).exchange()
        .expectStatus().isUnauthorized();
    assertThat(version(MANUAL, 1)).containsEntry("status", "PENDING");

    http.post().uri("/v1/models/{m}/versions/1/approve", MANUAL).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE)
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "checked the confusion matrix"))
        .exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.decision.action").isEqualTo("APPROVED")
        .jsonPath("$.decision.actor").isEqualTo("alice")
        .jsonPath("$.model.championVersion").isEqualTo(1);
    ModelApproved approved = TestEvents.awaitAtLeast(Topics.MODEL_APPROVED.name(), MANUAL, ModelApproved.class, 1, TIMEOUT).get(0);
    assertThat(approved.getActor()).isEqualTo("alice");
    assertThat(approved.getReason()).isEqualTo("checked the confusion matrix");

    publish(trained(MANUAL, "run-2", metrics(0.96, 0.97), 1, GOOD, store));
    awaitStatus(MANUAL, 2, "PENDING");
    http.post().uri("/v1/models/{m}/versions/2/reject", MANUAL).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE).exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(message -> assertThat((String) message).contains("say why"));
    http.post().uri("/v1/models/{m}/versions/2/reject", MANUAL).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE)
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "trained on a bad week"))
        .exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.decision.action").isEqualTo("REJECTED");
    ModelRejected rejected = TestEvents.awaitAtLeast(Topics.MODEL_REJECTED.name(), MANUAL, ModelRejected.class, 1, TIMEOUT).get(0);
    assertThat(rejected.getVersion()).isEqualTo(2);
    assertThat(rejected.getActor()).isEqualTo("alice");
    assertThat(rejected.getReason()).isEqualTo("trained on a bad week");

    // Approving what is no longer pending is refused, and the refusal is on the record.
    http.post().uri("/v1/models/{m}/versions/2/approve", MANUAL).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE).exchange()
        .expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").isEqualTo("approve refused: version 2 is REJECTED, not PENDING");
    assertThat(audit(MANUAL).get(audit(MANUAL).size() - 1)).containsEntry("action", "REFUSED").containsEntry("actor", "alice");
    http.post().uri("/v1/models/{m}/versions/9/approve", MANUAL).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE).exchange()
        .expectStatus().isNotFound();
  }

  @Test
  void shouldRollBackToThePreviousChampionAndAnnounceItAsApproved() {
    String model = "rollback-" + shortId();
    publish(trained(model, "run-1", GOOD, null, null, store));
    publish(trained(model, "run-2", metrics(0.96, 0.98), 1, GOOD, store));
    TestEvents.awaitAtLeast(Topics.MODEL_APPROVED.name(), model, ModelApproved.class, 2, TIMEOUT);

    http.post().uri("/v1/models/{m}/rollback", model).contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "x")).exchange()
        .expectStatus().isUnauthorized();
    http.post().uri(URI.create(baseUrl(registry) + "/v1;x=1/models/" + model + "/rollback"))
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "x")).exchange()
        .expectStatus().isUnauthorized();
    http.post().uri("/v1/models/{m}/rollback", model).header(HttpHeaders.AUTHORIZATION, "Bearer wrong")
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "x")).exchange()
        .expectStatus().isForbidden();
    assertThat(versions(model)).extracting(v -> v.get("status")).containsExactly("RETIRED", "CHAMPION");

    // Sent twice with one idempotency key (a client retrying after a timeout): one rollback.
    for (int attempt = 0; attempt < 2; attempt++) {
      http.post().uri("/v1/models/{m}/rollback", model).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE)
          .header("Idempotency-Key", "incident-42")
          .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "version 2 misclassifies large tumours"))
          .exchange()
          .expectStatus().isOk()
          .expectBody()
          .jsonPath("$.decision.action").isEqualTo("ROLLED_BACK")
          .jsonPath("$.decision.sequence").isEqualTo(5)
          .jsonPath("$.decision.version").isEqualTo(1)
          .jsonPath("$.decision.previousChampion").isEqualTo(2)
          .jsonPath("$.model.championVersion").isEqualTo(1);
    }

    ModelRolledBack rolledBack = TestEvents.awaitAtLeast(Topics.MODEL_ROLLED_BACK.name(), model, ModelRolledBack.class, 1, TIMEOUT).get(0);
    assertThat(rolledBack.getFromVersion()).isEqualTo(2);
    assertThat(rolledBack.getToVersion()).isEqualTo(1);
    assertThat(rolledBack.getActor()).isEqualTo("alice");
    assertThat(rolledBack.getReason()).isEqualTo("version 2 misclassifies large tumours");
    List<ModelApproved> approvals = TestEvents.awaitAtLeast(Topics.MODEL_APPROVED.name(), model, ModelApproved.class, 3, TIMEOUT);
    ModelApproved champion = approvals.get(approvals.size() - 1);
    assertThat(champion.getVersion()).isEqualTo(1);
    assertThat(champion.getPreviousVersion()).isEqualTo(2);
    assertThat(champion.getActor()).isEqualTo("alice");
    assertThat(champion.getDecisionId()).isEqualTo(rolledBack.getDecisionId());
    assertThat(champion.getArtifact()).isEqualTo(approvals.get(0).getArtifact());
    assertThat(versions(model)).extracting(v -> v.get("status")).containsExactly("CHAMPION", "ROLLED_BACK");
    assertThat(audit(model)).extracting(d -> d.get("action")).containsOnlyOnce("ROLLED_BACK");

    http.post().uri("/v1/models/{m}/rollback", model).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE)
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "again")).exchange()
        .expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").value(message -> assertThat((String) message).contains("no earlier champion"));
  }

  @Test
  void shouldRollBackPastSeveralVersionsAndNotReturnToOneItSkipped() {
    String model = "rollback-far-" + shortId();
    publish(trained(model, "run-1", GOOD, null, null, store));
    publish(trained(model, "run-2", metrics(0.96, 0.98), 1, GOOD, store));
    publish(trained(model, "run-3", metrics(0.97, 0.98), 2, metrics(0.96, 0.98), store));
    awaitStatus(model, 3, "CHAMPION");

    http.post().uri("/v1/models/{m}/rollback", model).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE)
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "both newer versions use the faulty batch", "toVersion", 1))
        .exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.model.championVersion").isEqualTo(1);

    assertThat(versions(model)).extracting(v -> v.get("status")).containsExactly("CHAMPION", "ROLLED_BACK", "ROLLED_BACK");
    http.post().uri("/v1/models/{m}/rollback", model).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE)
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "undo")).exchange()
        .expectStatus().isEqualTo(409);
    // Naming a version that served brings it back, even a newer one.
    http.post().uri("/v1/models/{m}/rollback", model).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE)
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "version 2 was fine after all", "toVersion", 2)).exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.model.championVersion").isEqualTo(2);
    assertThat(versions(model)).extracting(v -> v.get("status")).containsExactly("ROLLED_BACK", "CHAMPION", "ROLLED_BACK");
    // A pending or rejected version never served, so no rollback can reach it.
    publish(trained(model, "run-4", metrics(0.5, 0.5), 2, metrics(0.96, 0.98), store));
    awaitStatus(model, 4, "REJECTED");
    http.post().uri("/v1/models/{m}/rollback", model).header(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE)
        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "try", "toVersion", 4)).exchange()
        .expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").isEqualTo("rollback refused: version 4 is REJECTED and has never served; "
            + "a rollback returns to a version that was champion");
  }

  @Test
  void shouldNeverAutoApproveAVersionWhoseFiguresAreNaNInfiniteOrMissing() {
    String model = "broken-figures-" + shortId();
    publish(trained(model, "run-1", GOOD, null, null, store));
    awaitStatus(model, 1, "CHAMPION");

    // Accuracy (under the minimum) NaN: rejected. The champion's ROC-AUC on the split NaN: the two cannot be
    // compared, held. A figure no rule looks at infinite: the evaluation went wrong, held. ROC-AUC missing where
    // the champion has one: rejected. Each would have passed had the policy read its figures leniently.
    publish(trained(model, "run-2", metrics(Double.NaN, 0.99), 1, GOOD, store));
    publish(trained(model, "run-3", metrics(0.97, 0.99), 1, metrics(0.95, Double.NaN), store));
    publish(trained(model, "run-4", metrics(0.97, 0.99, Double.POSITIVE_INFINITY), 1, GOOD, store));
    publish(trained(model, "run-5", metrics(0.97, null), 1, GOOD, store));
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> versions(model).size() == 5);

    assertThat(versions(model)).extracting(v -> v.get("status")).containsExactly("CHAMPION", "REJECTED", "PENDING", "PENDING", "REJECTED");
    List<ModelRejected> rejected = TestEvents.awaitAtLeast(Topics.MODEL_REJECTED.name(), model, ModelRejected.class, 2, TIMEOUT);
    assertThat(rejected).extracting(ModelRejected::getVersion).containsExactly(2, 5);
    assertThat(rejected.get(0).getViolations()).contains("accuracy is NaN (not a number), but the policy sets a minimum 0.8000");
    assertThat(rejected.get(1).getViolations()).containsExactly("rocAuc is not available for this model but is 0.9700 for the champion (version 1)");
    assertThat((String) version(model, 3).get("reason")).startsWith("the champion (version 1)'s rocAuc on the same split is NaN");
    assertThat((String) version(model, 4).get("reason")).startsWith("the candidate's macroF1 is Infinity, so its evaluation cannot be trusted");
    assertThat(audit(model)).filteredOn(d -> "HELD".equals(d.get("action"))).extracting(d -> d.get("version") + " " + d.get("actor"))
        .containsExactly("3 policy:auto", "4 policy:auto");
    assertThat(TestEvents.read(Topics.MODEL_APPROVED.name(), model, ModelApproved.class)).extracting(ModelApproved::getVersion).containsExactly(1);
  }

  @Test
  void shouldMakeOneVersionOfARunDeliveredTwice() {
    String model = "twice-" + shortId();
    ModelTrained run = trained(model, "run-1", GOOD, null, null, store);

    publish(run);
    publish(run);
    // The same run announced again under a new event id (a producer's retry after a timeout) is still the same run.
    publish(ModelTrained.newBuilder(run).setEventId(UUID.randomUUID().toString()).build());
    publish(trained(model, "run-2", metrics(0.96, 0.98), 1, GOOD, store));

    awaitStatus(model, 2, "CHAMPION");
    assertThat(versions(model)).extracting(v -> v.get("runId")).containsExactly("run-1", "run-2");
    assertThat(TestEvents.awaitAtLeast(Topics.MODEL_APPROVED.name(), model, ModelApproved.class, 2, TIMEOUT))
        .extracting(ModelApproved::getVersion).containsExactly(1, 2);
  }

  @Test
  void shouldServeTheArtifactByItsHashWithETagAndRefuseOneThatChanged() throws IOException {
    String model = "artifact-" + shortId();
    ModelTrained run = trained(model, "run-1", GOOD, null, null, store);
    publish(run);
    awaitStatus(model, 1, "CHAMPION");
    String sha256 = run.getArtifact().getSha256();

    byte[] body = http.get().uri("/v1/models/{m}/versions/1/artifact", model).exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ETAG, "\"" + sha256 + "\"")
        .expectHeader().valueEquals("X-Kloop-Sha256", sha256)
        .expectHeader().valueMatches("Repr-Digest", "sha-256=:.+:")
        .expectHeader().contentType("application/onnx")
        .expectBody().returnResult().getResponseBody();
    assertThat(LocalArtifactStore.sha256(body)).isEqualTo(sha256);
    assertThat(body).isEqualTo(store.read(run.getArtifact()));

    http.get().uri("/v1/models/{m}/versions/1/artifact", model).header(HttpHeaders.IF_NONE_MATCH, "\"" + sha256 + "\"").exchange()
        .expectStatus().isNotModified();
    http.get().uri("/v1/models/{m}/versions/7/artifact", model).exchange().expectStatus().isNotFound();
    http.get().uri("/v1/models/{m}/versions/..%2F..%2Fetc/artifact", model).exchange().expectStatus().isBadRequest();

    Files.writeString(store.verifiedPath(sha256), "tampered", StandardCharsets.UTF_8);
    http.get().uri("/v1/models/{m}/versions/1/artifact", model).exchange()
        .expectStatus().is5xxServerError()
        .expectBody().jsonPath("$.error").value(message -> assertThat((String) message).contains("failed its integrity check"));
  }

  @Test
  void shouldDeadLetterAnnouncementsItCannotUseAndGoOn() throws Exception {
    String model = "poison-" + shortId();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.MODEL_TRAINED.name(), model, "not avro".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
    }
    String otherKey = "another-key-" + shortId();
    TestEvents.publish(Topics.MODEL_TRAINED.name(), otherKey, trained(model, "run-0", GOOD, null, null, store));
    publish(trained(model, "run-1", GOOD, null, null, store));

    awaitStatus(model, 1, "CHAMPION");
    List<ConsumerRecord<byte[], byte[]>> dead = TestRecords.awaitAtLeast(Topics.deadLetter("registry").name(),
        record -> new String(record.key(), StandardCharsets.UTF_8).equals(model) || new String(record.key(), StandardCharsets.UTF_8).equals(otherKey),
        2);
    assertThat(dead).extracting(record -> new String(record.headers().lastHeader(KafkaPlatformAutoConfiguration.REASON_HEADER).value(),
        StandardCharsets.UTF_8)).anySatisfy(reason -> assertThat(reason).contains("is not an Avro single-object encoded event"))
        .anySatisfy(reason -> assertThat(reason).contains("record key '" + otherKey + "' must be the model name '" + model + "'"));
    assertThat(versions(model)).extracting(v -> v.get("runId")).containsExactly("run-1");
  }

  @Test
  void shouldRebuildVersionsChampionAndAuditFromKafkaAfterARestartWithItsLocalStateGone(@TempDir Path elsewhere) {
    String model = "restart-" + shortId();
    ModelTrained run1 = trained(model, "run-1", GOOD, null, null, store);
    publish(run1);
    publish(trained(model, "run-2", metrics(0.5, 0.6), 1, GOOD, store));
    publish(trained(model, "run-3", metrics(0.97, 0.99), 1, GOOD, store));
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> versions(model).size() == 3);
    List<Map<String, Object>> before = versions(model);
    List<Map<String, Object>> auditBefore = audit(model);
    assertThat(before).extracting(v -> v.get("status")).containsExactly("RETIRED", "REJECTED", "CHAMPION");

    // The same application restarted with an empty state directory, and reads closed this time: all of it comes back from Kafka.
    registry.close();
    ConfigurableApplicationContext closedReads = null;
    try {
      closedReads = startRegistry(applicationId, elsewhere.resolve("state-closed-reads"), false);
      WebTestClient noToken = client(closedReads, false);
      noToken.get().uri("/v1/models/{m}/versions", model).exchange().expectStatus().isUnauthorized();
      // Other spellings of the same path are routed to the same handler, and refused the same way.
      noToken.get().uri(URI.create(baseUrl(closedReads) + "/v1;x=1/models/" + model + "/versions")).exchange().expectStatus().isUnauthorized();
      noToken.get().uri(URI.create(baseUrl(closedReads) + "/%761/models")).exchange().expectStatus().isUnauthorized();
      noToken.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
      WebTestClient withToken = client(closedReads, true);
      await().atMost(TIMEOUT).ignoreExceptions().until(() -> versions(withToken, model).size() == 3);
      assertThat(versions(withToken, model)).isEqualTo(before);
      assertThat(audit(withToken, model)).isEqualTo(auditBefore);
    } finally {
      if (closedReads != null) {
        closedReads.close();
      }
      // The registry the other tests use, reads open, from yet another empty directory (the class's, which outlives
      // this test): this test leaves it as it found it, whatever happened above.
      registry = startRegistry(applicationId, home.resolve("state-open-reads-" + shortId()), true);
      http = client(registry, false);
    }
    // Ready means restored: once the readiness probe says so, the state answers at once.
    await().atMost(TIMEOUT).until(() -> http.get().uri("/actuator/health/readiness").exchange().returnResult(String.class)
        .getStatus().is2xxSuccessful());
    assertThat(versions(model)).isEqualTo(before);

    // The restored registry still knows the runs it has seen: a replay of run 1 makes no fourth version.
    publish(run1);
    publish(trained(model, "run-4", metrics(0.98, 0.99), 3, metrics(0.97, 0.99), store));
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> versions(model).size() == 4);
    assertThat(versions(model)).extracting(v -> v.get("runId")).containsExactly("run-1", "run-2", "run-3", "run-4");
    assertThat(TestEvents.awaitAtLeast(Topics.MODEL_APPROVED.name(), model, ModelApproved.class, 3, TIMEOUT))
        .extracting(ModelApproved::getVersion).containsExactly(1, 3, 4);
  }

  private ConfigurableApplicationContext startRegistry(String applicationId, Path stateDir, boolean openReads) {
    return RegistryServiceApplication.builder().run(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--spring.kafka.streams.application-id=" + applicationId,
        "--spring.kafka.streams.state-dir=" + stateDir,
        "--kloop.registry.artifact-root=" + home.resolve("artifacts"),
        "--kloop.registry.decision-timeout=30s",
        "--kloop.registry.access.operators.alice=" + ALICE,
        "--kloop.registry.access.open-reads=" + openReads,
        "--kloop.registry.promotion.minimums.accuracy=0.8",
        "--kloop.registry.promotion.models." + MANUAL + ".mode=manual");
  }

  private static String baseUrl(ConfigurableApplicationContext context) {
    return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
  }

  /** A client of the registry; {@code withToken}: every request carries alice's token. */
  private static WebTestClient client(ConfigurableApplicationContext context, boolean withToken) {
    WebTestClient.Builder builder = WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(45)).baseUrl(baseUrl(context));
    if (withToken) {
      builder.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + ALICE);
    }
    return builder.build();
  }

  private void publish(ModelTrained run) {
    TestEvents.publish(Topics.MODEL_TRAINED.name(), run.getModel(), run);
  }

  private void awaitStatus(String model, int version, String status) {
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> status.equals(version(model, version).get("status")));
  }

  private Map<String, Object> version(String model, int version) {
    return http.get().uri("/v1/models/{m}/versions/{v}", model, version).exchange()
        .expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() {}).returnResult().getResponseBody();
  }

  private List<Map<String, Object>> versions(String model) {
    return versions(http, model);
  }

  private List<Map<String, Object>> audit(String model) {
    return audit(http, model);
  }

  private static List<Map<String, Object>> versions(WebTestClient client, String model) {
    return client.get().uri("/v1/models/{m}/versions", model).exchange()
        .expectStatus().isOk().expectBodyList(new ParameterizedTypeReference<Map<String, Object>>() {}).returnResult().getResponseBody();
  }

  private static List<Map<String, Object>> audit(WebTestClient client, String model) {
    return client.get().uri("/v1/models/{m}/audit", model).exchange()
        .expectStatus().isOk().expectBodyList(new ParameterizedTypeReference<Map<String, Object>>() {}).returnResult().getResponseBody();
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
