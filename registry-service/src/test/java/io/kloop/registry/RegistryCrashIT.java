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
 * state directory carries on. Every run becomes exactly one version, in order, approved exactly once.
 */
class RegistryCrashIT {

  private static final int RUNS = 150;
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

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
    // The platform's topics as the services declare them (before the child JVM's registry would).
    TestKafkaBroker.createPlatformTopics();
    ServiceProcess registry = ServiceProcess.start("registry-service", "256m", home.resolve("registry.log"), arguments);

    // Each run is better than the one before and was scored against it, so each becomes the champion.
    List<ModelTrained> runs = IntStream.rangeClosed(1, RUNS).mapToObj(i -> trained(model, "run-" + i, metrics(0.8 + i * 0.001, 0.9),
        i == 1 ? null : i - 1, i == 1 ? null : metrics(0.8 + (i - 1) * 0.001, 0.9), null)).toList();
    CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> publishSlowly(runs));
    ConfigurableApplicationContext restarted = null;
    try {
      await().atMost(TIMEOUT).ignoreExceptions().until(() -> !registry.isAlive()
          || TestEvents.read(Topics.MODEL_APPROVED.name(), model, ModelApproved.class).size() >= 20);
      assertThat(registry.isAlive()).as("registry output:%n%s", registry.output()).isTrue();
      registry.kill();
      int approvedBeforeKill = TestEvents.read(Topics.MODEL_APPROVED.name(), model, ModelApproved.class).size();
      assertThat(approvedBeforeKill).as("killed in the middle of the work").isLessThan(RUNS);

      restarted = RegistryServiceApplication.builder().run(arguments.toArray(String[]::new));
      WebTestClient http = WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(30))
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
      producing.cancel(true);
      if (restarted != null) {
        restarted.close();
      }
    }
  }

  /** Publishes the runs one by one, each acknowledged, so they keep arriving while the registry is killed. */
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
