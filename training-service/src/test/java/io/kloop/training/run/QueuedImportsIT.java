package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.TrainingFailed;
import io.kloop.schemas.Topics;
import io.kloop.test.OnnxGraphs;
import io.kloop.test.TestEvents;
import io.kloop.training.MutableClock;
import io.kloop.training.TrainingFixtures;
import io.kloop.training.spec.ModelSpecs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * Imports that wait for a run thread, on a real broker: the service's only run thread is held by a task the test
 * releases, so that accepted imports wait for it. A waiting import is a run already: cancelled, it fails at once; its
 * model retired over HTTP, it fails at once; its model retired elsewhere (by the spec event alone), it fails when it
 * starts; the service stopping, it fails with "the service stopped before judging it". Imports beyond
 * {@code kloop.training.max-pending-imports} are refused with 429 before their body is read, and a model part sent as a
 * form field with 400 (after the model's checks, which come first: 404 for an unknown model, its body unread). The times
 * a run records come from the service's clock.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@SuppressWarnings("unchecked")
class QueuedImportsIT {

  private static final Duration WAIT = Duration.ofSeconds(120);

  @Test
  void shouldFailWaitingImportsWhenCancelledRetiredOrStoppedAndRefuseImportsBeyondThePendingLimit(@TempDir Path home) throws Exception {
    TrainingFixtures fixtures = new TrainingFixtures(home);
    String dataset = "bc-" + TrainingFixtures.shortId();
    String cancelled = "cancelled-" + TrainingFixtures.shortId();
    String retired = "retired-" + TrainingFixtures.shortId();
    String stopped = "stopped-" + TrainingFixtures.shortId();
    fixtures.declareBreastCancer(dataset);
    fixtures.commitBreastCancer(dataset, 200, "v1");
    CountDownLatch release = new CountDownLatch(1);
    ConfigurableApplicationContext training = fixtures.start("--kloop.training.max-concurrent-runs=1", "--kloop.training.max-pending-imports=2");
    try {
      WebTestClient http = TrainingFixtures.http(training);
      for (String model : List.of(cancelled, retired, stopped)) {
        declare(http, model, dataset);
      }
      // The only run thread is busy until the test releases it.
      training.getBean(RunScheduler.class).execute(() -> {
        try {
          release.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      String metadata = "{\"dataset\": \"" + dataset + "\"}";

      // Cancelled while it waits: 202, and it fails at once, though the run thread is still busy.
      String first = send(http, cancelled, parts(logistic(), metadata), HttpStatus.ACCEPTED).get("runId").toString();
      assertThat(run(http, cancelled, first)).containsEntry("status", "RUNNING");
      http.post().uri("/v1/runs/{runId}/cancel", first).exchange().expectStatus().isAccepted();
      assertThat(awaitFailed(cancelled, first).getReason()).startsWith("cancelled by ").endsWith(" over HTTP");

      // Two wait (the limit): a third is refused before its body is read, and the connection closed.
      String second = send(http, retired, parts(logistic(), metadata), HttpStatus.ACCEPTED).get("runId").toString();
      String third = send(http, stopped, parts(logistic(), metadata), HttpStatus.ACCEPTED).get("runId").toString();
      Map<String, Object> full = http.post().uri("/v1/models/{name}/imports", stopped).contentType(MediaType.MULTIPART_FORM_DATA)
          .body(BodyInserters.fromMultipartData(parts(logistic(), metadata).build())).exchange()
          .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS).expectHeader().valueEquals("Connection", "close")
          .expectBody(Map.class).returnResult().getResponseBody();
      assertThat(full.get("error").toString()).contains("2 imports are waiting to be judged or being judged already (kloop.training.max-pending-imports)");

      // Its model retired over HTTP: the waiting import fails at once.
      http.post().uri("/v1/models/{name}/retire", retired).exchange().expectStatus().isOk();
      assertThat(awaitFailed(retired, second).getReason()).startsWith("the model was retired");

      // A free slot again: an unknown model is answered 404 before its body (a model sent as a form field) is read; the
      // form field for a known model is a 400 saying how to send a file.
      MultipartBodyBuilder field = new MultipartBodyBuilder();
      field.part("model", "bytes sent as text");
      field.part("metadata", metadata, MediaType.APPLICATION_JSON);
      MultipartBodyBuilder unreadable = new MultipartBodyBuilder();
      unreadable.part("extra", "a part no import has, a 400 once read");
      send(http, "no-such-" + TrainingFixtures.shortId(), unreadable, HttpStatus.NOT_FOUND);
      assertThat(send(http, stopped, field, HttpStatus.BAD_REQUEST).get("error").toString()).contains("send the ONNX file as a file part: "
          + "-F model=@file.onnx");

      // The service stops with the third still waiting: it fails, announced, instead of vanishing.
      training.close();
      TrainingFailed failed = awaitFailed(stopped, third);
      assertThat(failed.getReason()).isEqualTo("the service stopped before judging it");
      assertThat(failed.getTrigger()).isEqualTo("import");
    } finally {
      release.countDown();
      training.close();
    }
  }

  @Test
  void shouldFailAWaitingImportWhoseModelWasRetiredElsewhereWhenItStarts(@TempDir Path home) {
    TrainingFixtures fixtures = new TrainingFixtures(home);
    String dataset = "bc-" + TrainingFixtures.shortId();
    String model = "elsewhere-" + TrainingFixtures.shortId();
    fixtures.declareBreastCancer(dataset);
    fixtures.commitBreastCancer(dataset, 200, "v1");
    CountDownLatch release = new CountDownLatch(1);
    // The service's clock stands still: every time a run records comes from it, so its duration is 0.
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    try (ConfigurableApplicationContext training = fixtures.start(new MutableClock(now), "--kloop.training.max-concurrent-runs=1")) {
      WebTestClient http = TrainingFixtures.http(training);
      declare(http, model, dataset);
      training.getBean(RunScheduler.class).execute(() -> {
        try {
          release.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      String runId = send(http, model, parts(logistic(), "{\"dataset\": \"" + dataset + "\"}"), HttpStatus.ACCEPTED).get("runId").toString();

      // Retired by its spec event alone, as another instance's retirement reaches this one: nothing stops the waiting import.
      training.getBean(ModelSpecs.class).retire(model, "bob", "replaced");
      await().atMost(WAIT).until(() -> http.get().uri("/v1/models/{name}", model).exchange().expectBody(Map.class).returnResult()
          .getResponseBody().get("retired") != null);
      release.countDown();

      TrainingFailed failed = awaitFailed(model, runId);
      assertThat(failed.getPhase()).isEqualTo("schedule");
      assertThat(failed.getStartedAt()).isEqualTo(now);
      assertThat(failed.getEventTime()).isEqualTo(now);
      assertThat(failed.getDurationMillis()).isZero();
      assertThat(failed.getReason()).startsWith("model " + model + " was retired by bob");
      assertThat(TestEvents.read(Topics.MODEL_TRAINED.name(), model, io.kloop.events.ModelTrained.class)).isEmpty();
    } finally {
      release.countDown();
    }
  }

  private static void declare(WebTestClient http, String model, String dataset) {
    http.put().uri("/v1/models/{name}", model).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"dataset\": \"" + dataset + "\", \"algorithms\": [{\"algorithm\": \"liblinear\"}], \"minNewRows\": 1000000000}")
        .exchange().expectStatus().isCreated();
    await().atMost(WAIT).until(() -> ((Number) http.get().uri("/v1/models/{name}", model).exchange().expectStatus().isOk()
        .expectBody(Map.class).returnResult().getResponseBody().get("newRows")).longValue() > 0);
  }

  private static TrainingFailed awaitFailed(String model, String runId) {
    return await().atMost(WAIT).until(() -> TestEvents.read(Topics.TRAINING_FAILED.name(), model, TrainingFailed.class).stream()
        .filter(event -> event.getRunId().equals(runId)).findFirst(), Optional::isPresent).orElseThrow();
  }

  private static Map<String, Object> send(WebTestClient http, String model, MultipartBodyBuilder parts, HttpStatus status) {
    return http.post().uri("/v1/models/{name}/imports", model).contentType(MediaType.MULTIPART_FORM_DATA)
        .body(BodyInserters.fromMultipartData(parts.build())).exchange().expectStatus().isEqualTo(status)
        .expectBody(Map.class).returnResult().getResponseBody();
  }

  private static Map<String, Object> run(WebTestClient http, String model, String runId) {
    List<?> runs = http.get().uri("/v1/models/{name}/runs", model).exchange().expectStatus().isOk().expectBody(List.class).returnResult()
        .getResponseBody();
    return runs.stream().map(run -> (Map<String, Object>) run).filter(run -> runId.equals(run.get("runId"))).findFirst().orElseThrow();
  }

  private static MultipartBodyBuilder parts(byte[] onnx, String metadata) {
    MultipartBodyBuilder parts = new MultipartBodyBuilder();
    parts.part("model", new ByteArrayResource(onnx) {
      @Override
      public String getFilename() {
        return "model.onnx";
      }
    }).contentType(MediaType.APPLICATION_OCTET_STREAM);
    parts.part("metadata", metadata, MediaType.APPLICATION_JSON);
    return parts;
  }

  /** A logistic rule on the mean radius, as skl2onnx writes one: input float_input [N, 30], softmax, ZipMap by class name. */
  private static byte[] logistic() {
    float[] weights = new float[60];
    weights[0] = 1.5f;
    return new OnnxGraphs().producer("skl2onnx", "1.17.0").input("float_input", OnnxGraphs.FLOAT, 30)
        .floats("W", List.of(30L, 2L), weights).floats("B", List.of(2L), -14 * 1.5f, 0)
        .node("MatMul", List.of("float_input", "W"), List.of("xw"))
        .node("Add", List.of("xw", "B"), List.of("logits"))
        .node("Softmax", List.of("logits"), List.of("probabilities"), OnnxGraphs.attribute("axis", 1L))
        .node("ai.onnx.ml", "ZipMap", List.of("probabilities"), List.of("output_probability"),
            OnnxGraphs.stringsAttribute("classlabels_strings", "malignant", "benign"))
        .zipMapOutput("output_probability", OnnxGraphs.STRING).build();
  }
}
