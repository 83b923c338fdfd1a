package io.kloop.registry;

import static io.kloop.registry.TrainedModels.metrics;
import static io.kloop.registry.TrainedModels.trained;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ModelApproved;
import io.kloop.events.ModelTrained;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.test.ServiceProcess;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * kill -9 in the middle of the work: the packaged registry runs in a JVM of its own while runs keep
 * arriving, is killed without warning once it has made some versions, and a new instance on the same
 * state directory carries on while the rest of the runs arrive. Every run becomes exactly one version, in
 * order, approved exactly once.
 *
 * <p>Only the early runs are published before the kill, and only once the child is ready (it takes 10-30 s
 * to start on a busy machine): published at once, all of them could be decided before the test saw the
 * first approvals, and the kill would hit an idle registry with nothing left to do.
 */
class RegistryCrashIT {

  private static final int RUNS = 150;
  /** Runs published before the kill; the registry is killed once it has approved {@link #APPROVED_BEFORE_KILL} of them. */
  private static final int EARLY = 60;
  private static final int APPROVED_BEFORE_KILL = 20;
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void shouldLoseAndDuplicateNothingWhenKilledWithoutWarning(@TempDir Path home) throws Exception {
    String model = "crash-" + UUID.randomUUID().toString().substring(0, 8);
    String applicationId = "registry-crash-" + model;
    List<String> arguments = List.of(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--spring.kafka.streams.application-id=" + applicationId,
        "--spring.kafka.streams.state-dir=" + home.resolve("state"),
        "--kloop.registry.artifact-root=" + home.resolve("artifacts"),
        // The killed instance never leaves its group: let the broker notice within 6 s rather than 45.
        "--spring.kafka.streams.properties.session.timeout.ms=6000");
    // The platform's topics as the services declare them (before the child JVM's registry would), and both
    // instances reading only what this test writes, not the runs earlier classes left on the shared topic.
    RegistryInputs.startAtTheEnd(applicationId);
    ServiceProcess registry = ServiceProcess.start("registry-service", "256m", home.resolve("registry.log"), arguments);

    // Each run is better than the one before and was scored against it, so each becomes the champion.
    List<ModelTrained> runs = IntStream.rangeClosed(1, RUNS).mapToObj(i -> trained(model, "run-" + i, metrics(0.8 + i * 0.001, 0.9),
        i == 1 ? null : i - 1, i == 1 ? null : metrics(0.8 + (i - 1) * 0.001, 0.9), null)).toList();
    List<ModelTrained> early = runs.subList(0, EARLY);
    List<ModelTrained> late = runs.subList(EARLY, RUNS);
    CompletableFuture<Void> producing = null;
    ConfigurableApplicationContext restarted = null;
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
      HttpRequest readiness = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + registry.port() + "/actuator/health/readiness"))
          .timeout(REQUEST_TIMEOUT).GET().build();
      await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> !registry.isAlive()
          || client.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      assertThat(registry.isAlive()).as("registry output:%n%s", registry.output()).isTrue();

      producing = CompletableFuture.runAsync(() -> publishSlowly(early));
      await().atMost(TIMEOUT).ignoreExceptions().until(() -> !registry.isAlive()
          || TestEvents.read(Topics.MODEL_APPROVED.name(), model, ModelApproved.class).size() >= APPROVED_BEFORE_KILL);
      assertThat(registry.isAlive()).as("registry output:%n%s", registry.output()).isTrue();
      registry.kill();
      producing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      int approvedBeforeKill = TestEvents.read(Topics.MODEL_APPROVED.name(), model, ModelApproved.class).size();
      assertThat(approvedBeforeKill).as("killed in the middle of the work: the late runs were not published yet")
          .isBetween(APPROVED_BEFORE_KILL, early.size());

      // The late runs arrive while the new instance starts, and after.
      producing = CompletableFuture.runAsync(() -> publishSlowly(late));
      restarted = RegistryServiceApplication.builder().run(arguments.toArray(String[]::new));
      WebTestClient http = WebTestClient.bindToServer().responseTimeout(REQUEST_TIMEOUT)
          .baseUrl("http://127.0.0.1:" + restarted.getEnvironment().getProperty("local.server.port")).build();
      producing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      await().atMost(TIMEOUT).ignoreExceptions().until(() -> versions(http, model).size() == RUNS
          && "CHAMPION".equals(versions(http, model).get(RUNS - 1).get("status")));

      List<Map<String, Object>> versions = versions(http, model);
      assertThat(versions).extracting(v -> v.get("runId"))
          .containsExactlyElementsOf(IntStream.rangeClosed(1, RUNS).mapToObj(i -> "run-" + i).toList());
      assertThat(versions).extracting(v -> v.get("version")).containsExactlyElementsOf(IntStream.rangeClosed(1, RUNS).boxed().toList());
      assertThat(TestEvents.awaitAtLeast(Topics.MODEL_APPROVED.name(), model, ModelApproved.class, RUNS, TIMEOUT))
          .extracting(ModelApproved::getVersion).containsExactlyElementsOf(IntStream.rangeClosed(1, RUNS).boxed().toList());
    } finally {
      registry.kill();
      if (producing != null) {
        producing.cancel(true);
      }
      if (restarted != null) {
        restarted.close();
      }
    }
  }

  /** Publishes the runs one by one, each acknowledged before the next is sent, so that they keep arriving. */
  private static void publishSlowly(List<ModelTrained> runs) {
    try (KafkaProducer<String, ModelTrained> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new EventSerializer<>())) {
      for (ModelTrained run : runs) {
        producer.send(new ProducerRecord<>(Topics.MODEL_TRAINED.name(), run.getModel(), run)).get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not publish the runs", e);
    }
  }

  private static List<Map<String, Object>> versions(WebTestClient http, String model) {
    return http.get().uri("/v1/models/{m}/versions", model).exchange()
        .expectStatus().isOk().expectBodyList(new ParameterizedTypeReference<Map<String, Object>>() {}).returnResult().getResponseBody();
  }
}
