package io.kloop.training;

import static io.kloop.training.TrainingFixtures.http;
import static io.kloop.training.TrainingFixtures.shortId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ModelSpecDeclared;
import io.kloop.events.ModelTrained;
import io.kloop.events.TrainingFailed;
import io.kloop.events.TrainingWindowKind;
import io.kloop.schemas.EventMetadata;
import io.kloop.schemas.Topics;
import io.kloop.test.TestEvents;
import io.kloop.training.spec.Algorithm;
import io.kloop.training.spec.ModelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * No spec can wedge training: a spec already stored that breaks the rules fails its run with the reason and
 * the other models train, before and after a restart; a run stops at its time limit; a run can be cancelled
 * over HTTP and its work really stops; a retired model never runs again, not after a restart nor because
 * configuration declares it. Each test starts its own service (real broker, real HTTP) and stops it.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BoundedTrainingIT {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
  /** One factorization-machine candidate of 1,000 epochs with 100 factors: many minutes of work on any machine. */
  private static final String HEAVY = """
      [{"algorithm": "factorization-machine", "grid": {"epochs": [1000], "factors": [100]}}]""";

  @Test
  void shouldFailTheRunOfAStoredSpecThatBreaksTheRulesAndKeepTrainingTheOtherModelsAcrossRestarts(@TempDir Path home) {
    TrainingFixtures fixtures = new TrainingFixtures(home);
    String dataset = "bc-" + shortId();
    // Sorted first, so that before the fix its endless run held the only run slot and the healthy model never trained.
    String wedge = "a-wedge-" + shortId();
    String healthy = "b-healthy-" + shortId();
    fixtures.declareBreastCancer(dataset);
    fixtures.commitBreastCancer(dataset, 300, "v1");
    List<String> manyCosts = new ArrayList<>();
    for (int i = 1; i <= 10_000; i++) {
      manyCosts.add(String.valueOf(i));
    }
    // What an older version (or anything writing to the compacted topic) could have stored: an endless run.
    ModelSpecDeclared stored = new ModelSpec(wedge, dataset, List.of(
        new ModelSpec.AlgorithmGrid(Algorithm.LOGISTIC_REGRESSION, Map.of("epochs", List.of("2000000000"))),
        new ModelSpec.AlgorithmGrid(Algorithm.LIBLINEAR, Map.of("cost", manyCosts))),
        100, new ModelSpec.Window(TrainingWindowKind.LAST_ROWS, 99_999_999_999_999L), Duration.ZERO).toEvent(EventMetadata.fresh(Instant.now(), "elsewhere"), "someone");
    stored.setCooldownMillis(Long.MAX_VALUE);
    TestEvents.publish(Topics.MODEL_SPEC_DECLARED.name(), wedge, stored);
    TestEvents.publish(Topics.MODEL_SPEC_DECLARED.name(), healthy, new ModelSpec(healthy, dataset,
        List.of(new ModelSpec.AlgorithmGrid(Algorithm.LIBLINEAR, Map.of())), 100, ModelSpec.Window.ALL, Duration.ZERO).toEvent(EventMetadata.fresh(Instant.now(), "test"), "test"));

    try (ConfigurableApplicationContext service = fixtures.start()) {
      TrainingFailed failed = TestEvents.awaitAtLeast(Topics.TRAINING_FAILED.name(), wedge, TrainingFailed.class, 1, RUN_TIMEOUT).get(0);
      assertThat(failed.getPhase()).isEqualTo("schedule");
      assertThat(failed.getReason()).startsWith("the model's stored spec is not valid: ")
          .contains("epochs=2000000000: must be a whole number from 1 to 1000")
          .contains("the grids make 10002 candidates (logistic-regression 2, liblinear 10000)")
          .contains("window last-rows:N needs N from 1 to 10000000")
          .contains("cooldown must be from 0s to 365d");
      assertThat(failed.getLineage()).as("the batches it was to read are no longer new").hasSize(2);
      TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), healthy, ModelTrained.class, 1, RUN_TIMEOUT);
      http(service).get().uri("/v1/models/{name}", wedge).exchange().expectStatus().isOk().expectBody()
          .jsonPath("$.problems.length()").isEqualTo(4)
          .jsonPath("$.status.running").isEqualTo(false);
    }

    try (ConfigurableApplicationContext restarted = fixtures.start()) {
      WebTestClient http = http(restarted);
      http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
      // Runs start one at a time in the order asked: once this one is announced, a run of the wedge started at
      // start-up would have been announced before it.
      requestRun(http, healthy);
      TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), healthy, ModelTrained.class, 2, RUN_TIMEOUT);
      assertThat(TestEvents.read(Topics.TRAINING_FAILED.name(), wedge, TrainingFailed.class)).as("no new run after the restart").hasSize(1);
      assertThat(TestEvents.read(Topics.MODEL_TRAINED.name(), wedge, ModelTrained.class)).isEmpty();
    }
  }

  @Test
  void shouldStopARunAtItsTimeLimitAndStopItsWork(@TempDir Path home) {
    TrainingFixtures fixtures = new TrainingFixtures(home);
    String dataset = "bc-" + shortId();
    String model = "slow-" + shortId();
    fixtures.declareBreastCancer(dataset);
    fixtures.commitBreastCancer(dataset, 300, "v1");

    try (ConfigurableApplicationContext service = fixtures.start("--kloop.training.run-timeout=10s")) {
      WebTestClient http = http(service);
      declare(http, model, """
          {"dataset": "%s", "algorithms": %s, "minNewRows": 100000}""".formatted(dataset, HEAVY));
      String requestId = requestRun(http, model);

      TrainingFailed failed = TestEvents.awaitAtLeast(Topics.TRAINING_FAILED.name(), model, TrainingFailed.class, 1, RUN_TIMEOUT).get(0);

      assertThat(failed.getTrigger()).isEqualTo(requestId);
      assertThat(failed.getReason()).startsWith("time limit of 10s reached (kloop.training.run-timeout) in phase ");
      assertThat(failed.getDurationMillis()).isGreaterThanOrEqualTo(10_000);
      await().atMost(Duration.ofSeconds(60)).until(() -> !TrainingFixtures.workAlive(failed.getRunId()));
      http.get().uri("/v1/models/{name}/runs", model).exchange().expectStatus().isOk().expectBody()
          .jsonPath("$[0].status").isEqualTo("FAILED")
          .jsonPath("$[0].reason").isEqualTo(failed.getReason());
    }
  }

  @Test
  void shouldCancelARunOverHttpStopItsWorkAndSayWhoAndWhy(@TempDir Path home) {
    TrainingFixtures fixtures = new TrainingFixtures(home);
    String dataset = "bc-" + shortId();
    String model = "cancelled-" + shortId();
    fixtures.declareBreastCancer(dataset);
    fixtures.commitBreastCancer(dataset, 300, "v1");

    try (ConfigurableApplicationContext service = fixtures.start()) {
      WebTestClient http = http(service);
      declare(http, model, """
          {"dataset": "%s", "algorithms": %s, "minNewRows": 100000}""".formatted(dataset, HEAVY));
      String requestId = requestRun(http, model);
      String runId = awaitTraining(http, model);

      http.post().uri("/v1/runs/{runId}/cancel", runId).contentType(MediaType.APPLICATION_JSON)
          .bodyValue("{\"requestedBy\": \"alice\", \"reason\": \"wrong window\"}").exchange()
          .expectStatus().isAccepted().expectBody()
          .jsonPath("$.runId").isEqualTo(runId)
          .jsonPath("$.status").isEqualTo("CANCELLING");

      TrainingFailed failed = TestEvents.awaitAtLeast(Topics.TRAINING_FAILED.name(), model, TrainingFailed.class, 1, RUN_TIMEOUT).get(0);
      assertThat(failed.getRunId()).isEqualTo(runId);
      assertThat(failed.getTrigger()).isEqualTo(requestId);
      assertThat(failed.getPhase()).isEqualTo("train");
      assertThat(failed.getReason()).isEqualTo("cancelled by alice over HTTP: wrong window");
      await().atMost(Duration.ofSeconds(60)).until(() -> !TrainingFixtures.workAlive(runId));
      http.post().uri("/v1/runs/{runId}/cancel", runId).exchange().expectStatus().isEqualTo(409)
          .expectBody().jsonPath("$.error").value(message -> assertThat(message.toString()).contains("not running"));
      http.post().uri("/v1/runs/{runId}/cancel", "no-such-run").exchange().expectStatus().isNotFound();

      // The model is not wedged: with a cheap spec its next run trains.
      declare(http, model, """
          {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], "minNewRows": 100000}""".formatted(dataset));
      requestRun(http, model);
      TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), model, ModelTrained.class, 1, RUN_TIMEOUT);
    }
  }

  @Test
  void shouldRetireAModelStoppingItsRunSoNothingRunsItAgainNotAfterARestartNorFromConfiguration(@TempDir Path home) {
    TrainingFixtures fixtures = new TrainingFixtures(home);
    String dataset = "bc-" + shortId();
    // Sorted before the active model: a run of it would start, and be announced, before the active model's.
    String retired = "a-retired-" + shortId();
    String active = "b-active-" + shortId();
    String[] configuration = {
        "--kloop.training.models." + retired + ".dataset=" + dataset,
        "--kloop.training.models." + retired + ".algorithms=factorization-machine",
        "--kloop.training.models." + retired + ".grid.factorization-machine.epochs=1000",
        "--kloop.training.models." + retired + ".grid.factorization-machine.factors=100",
        "--kloop.training.models." + retired + ".min-new-rows=500",
        "--kloop.training.models." + retired + ".cooldown=0s"};
    fixtures.declareBreastCancer(dataset);

    try (ConfigurableApplicationContext service = fixtures.start(configuration)) {
      WebTestClient http = http(service);
      declare(http, active, """
          {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], "minNewRows": 500, "cooldown": "0s"}""".formatted(dataset));
      // New data starts the retired-to-be model's heavy run; the active model's run waits behind it (one run at a time).
      fixtures.commitBreastCancer(dataset, 300, "v1");
      String runId = awaitTraining(http, retired);

      http.post().uri("/v1/models/{name}/retire", retired).contentType(MediaType.APPLICATION_JSON)
          .bodyValue("{\"requestedBy\": \"bob\", \"reason\": \"replaced by " + active + "\"}").exchange()
          .expectStatus().isOk()
          .expectHeader().valueEquals("X-Kloop-Spec-Outcome", "retired")
          .expectBody().jsonPath("$.retired.by").isEqualTo("bob");

      TrainingFailed stopped = TestEvents.awaitAtLeast(Topics.TRAINING_FAILED.name(), retired, TrainingFailed.class, 1, RUN_TIMEOUT).get(0);
      assertThat(stopped.getRunId()).isEqualTo(runId);
      assertThat(stopped.getReason()).isEqualTo("the model was retired by bob over HTTP: replaced by " + active);
      await().atMost(Duration.ofSeconds(60)).until(() -> !TrainingFixtures.workAlive(runId));
      TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), active, ModelTrained.class, 1, RUN_TIMEOUT);
      http.post().uri("/v1/models/{name}/runs", retired).exchange().expectStatus().isEqualTo(409)
          .expectBody().jsonPath("$.error").value(message -> assertThat(message.toString()).contains("retired by bob"));
      http.post().uri("/v1/models/{name}/retire", retired).exchange().expectStatus().isOk()
          .expectHeader().valueEquals("X-Kloop-Spec-Outcome", "unchanged");
    }

    try (ConfigurableApplicationContext restarted = fixtures.start(configuration)) {
      WebTestClient http = http(restarted);
      http.get().uri("/v1/models/{name}", retired).exchange().expectStatus().isOk().expectBody()
          .jsonPath("$.retired.by").isEqualTo("bob")
          .jsonPath("$.spec.algorithms.length()").isEqualTo(0);
      List<ModelSpecDeclared> specs = TestEvents.read(Topics.MODEL_SPEC_DECLARED.name(), retired, ModelSpecDeclared.class);
      assertThat(specs.get(specs.size() - 1).getDeclaredBy()).as("configuration did not declare it again").isEqualTo("bob");
      assertThat(specs.get(specs.size() - 1).getAlgorithms()).isEmpty();

      // Enough new rows for both models: only the active one runs.
      fixtures.commitBreastCancer(dataset, 300, "v2");
      TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), active, ModelTrained.class, 2, RUN_TIMEOUT);
      assertThat(TestEvents.read(Topics.TRAINING_FAILED.name(), retired, TrainingFailed.class)).hasSize(1);
      assertThat(TestEvents.read(Topics.MODEL_TRAINED.name(), retired, ModelTrained.class)).isEmpty();
      http.get().uri("/v1/models").exchange().expectStatus().isOk().expectBody()
          .jsonPath("$[?(@.spec.name == '" + retired + "')].retired.by").isEqualTo(List.of("bob"));

      // Declaring it again brings it back.
      http.put().uri("/v1/models/{name}", retired).contentType(MediaType.APPLICATION_JSON).bodyValue("""
          {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], "minNewRows": 100000}""".formatted(dataset)).exchange()
          .expectStatus().isOk().expectHeader().valueEquals("X-Kloop-Spec-Outcome", "updated")
          .expectBody().jsonPath("$.retired").isEmpty();
      requestRun(http, retired);
      TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), retired, ModelTrained.class, 1, RUN_TIMEOUT);
    }
  }

  private static void declare(WebTestClient http, String model, String body) {
    http.put().uri("/v1/models/{name}", model).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
        .expectStatus().is2xxSuccessful();
  }

  private static String requestRun(WebTestClient http, String model) {
    Map<?, ?> accepted = http.post().uri("/v1/models/{name}/runs", model).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"requestedBy\": \"test\"}").exchange().expectStatus().isAccepted()
        .expectBody(Map.class).returnResult().getResponseBody();
    return accepted.get("requestId").toString();
  }

  /** Waits until the model's newest run is in its train phase (a heavy one stays there for minutes); returns its id. */
  private static String awaitTraining(WebTestClient http, String model) {
    await().atMost(RUN_TIMEOUT).until(() -> {
      List<?> runs = http.get().uri("/v1/models/{name}/runs", model).exchange().expectStatus().isOk()
          .expectBody(List.class).returnResult().getResponseBody();
      return !runs.isEmpty() && "train".equals(((Map<?, ?>) runs.get(0)).get("phase")) && "RUNNING".equals(((Map<?, ?>) runs.get(0)).get("status"));
    });
    List<?> runs = http.get().uri("/v1/models/{name}/runs", model).exchange().expectBody(List.class).returnResult().getResponseBody();
    return ((Map<?, ?>) runs.get(0)).get("runId").toString();
  }
}
