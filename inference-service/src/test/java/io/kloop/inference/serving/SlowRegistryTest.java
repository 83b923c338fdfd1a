package io.kloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kloop.events.ArtifactRef;
import io.kloop.events.ModelApproved;
import io.kloop.inference.TestModels;
import io.kloop.inference.artifacts.RegistryArtifacts;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approvals whose artifacts come from a registry over HTTP that holds one model's download: the other models'
 * approvals load meanwhile, and the held model's newer approval waits its turn.
 */
class SlowRegistryTest {

  /** Generous: a download the stand-in answers at once completes well within it even on a busy machine. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path cacheRoot;

  private final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();
  /** The paths asked for, in order. */
  private final List<String> requests = new CopyOnWriteArrayList<>();
  /** The downloads of this model's artifacts are held until {@link #release} counts down. */
  private final String heldModel = "held";
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch heldAsked = new CountDownLatch(1);
  private ExecutorService handlers;
  private HttpServer registry;
  private ServedModels models;

  @BeforeEach
  void start() throws IOException {
    handlers = Executors.newCachedThreadPool();
    registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    registry.setExecutor(handlers);
    // /v1/models/{model}/versions/{version}/artifact
    registry.createContext("/v1/models/", exchange -> {
      try (exchange) {
        requests.add(exchange.getRequestURI().getPath());
        String[] path = exchange.getRequestURI().getPath().split("/");
        String model = path[3];
        if (model.equals(heldModel)) {
          heldAsked.countDown();
          release.await(5, TimeUnit.MINUTES);
        }
        serve(exchange, artifacts.get(model + "/" + path[5]));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    registry.start();
    RegistryArtifacts fromRegistry = new RegistryArtifacts(URI.create("http://127.0.0.1:" + registry.getAddress().getPort()), cacheRoot,
        Duration.ofMinutes(5));
    models = new ServedModels(fromRegistry, new SimpleMeterRegistry(), Duration.ofSeconds(1), Duration.ofSeconds(5), KloopTracing.OFF);
  }

  @AfterEach
  void stop() {
    release.countDown();
    models.closeAll();
    registry.stop(0);
    handlers.shutdownNow();
  }

  @Test
  void shouldLoadAnotherModelsApprovalWhileOneModelsDownloadIsHeld() throws Exception {
    CompletableFuture<Boolean> held = models.submit(approval(heldModel, 1, 1f), SpanContext.getInvalid());
    assertThat(heldAsked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the held download was asked for").isTrue();

    // Handed over at once, and loaded while the other model's download is still held.
    CompletableFuture<Boolean> other = models.submit(approval("other", 1, 2f), SpanContext.getInvalid());
    assertThat(other.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(servedVersion("other")).isEqualTo(1);
    assertThat(held).as("the held model's load").isNotDone();
    assertThat(models.servedModels()).containsExactly("other");

    // A newer approval of the held model waits for its turn behind the held download, then serves.
    CompletableFuture<Boolean> newer = models.submit(approval(heldModel, 2, 3f), SpanContext.getInvalid());
    assertThat(newer).isNotDone();
    release.countDown();
    assertThat(newer.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("version 1 loaded before version 2's turn").isTrue();
    await().atMost(WAIT).until(() -> servedVersion(heldModel) == 2);
  }

  @Test
  void shouldSkipAQueuedApprovalThatANewerOneReplacedAndNeverServeALoadThatEndsAfterClosing() throws Exception {
    CompletableFuture<Boolean> held = models.submit(approval(heldModel, 1, 1f), SpanContext.getInvalid());
    assertThat(heldAsked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Boolean> replaced = models.submit(approval(heldModel, 2, 2f), SpanContext.getInvalid());
    CompletableFuture<Boolean> newest = models.submit(approval(heldModel, 3, 3f), SpanContext.getInvalid());

    models.closeAll();

    assertThat(replaced.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("version 2, queued at the close").isFalse();
    assertThat(newest.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("version 3, queued at the close").isFalse();
    assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("version 1, its download interrupted by the close").isFalse();
    assertThat(models.servedModels()).isEmpty();
    assertThat(models.submit(approval("other", 1, 1f), SpanContext.getInvalid()).get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("an approval after the close").isFalse();
  }

  @Test
  void shouldSkipAnApprovalReplacedWhileItWaitedForItsTurn() throws Exception {
    CompletableFuture<Boolean> held = models.submit(approval(heldModel, 1, 1f), SpanContext.getInvalid());
    assertThat(heldAsked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Boolean> replaced = models.submit(approval(heldModel, 2, 2f), SpanContext.getInvalid());
    CompletableFuture<Boolean> newest = models.submit(approval(heldModel, 3, 3f), SpanContext.getInvalid());

    release.countDown();

    assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(replaced.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("version 2, replaced by 3 before its turn").isFalse();
    assertThat(newest.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(servedVersion(heldModel)).isEqualTo(3);
    assertThat(requests).as("version 2's artifact was never asked for")
        .containsExactly("/v1/models/held/versions/1/artifact", "/v1/models/held/versions/3/artifact");
  }

  private ModelApproved approval(String model, int version, float scale) {
    byte[] onnx = TestModels.onnx(scale);
    artifacts.put(model + "/" + version, onnx);
    String sha256 = LocalArtifactStore.sha256(onnx);
    return TestModels.approval(model, version, ArtifactRef.newBuilder().setUri("file:///elsewhere/" + sha256).setSha256(sha256)
        .setSizeBytes(onnx.length).setMediaType("application/onnx").build());
  }

  private int servedVersion(String model) {
    ServedModel served = models.acquire(model).orElseThrow();
    try {
      return served.version();
    } finally {
      served.release();
    }
  }

  /** As the registry answers: the bytes, with the hash it recorded. */
  private static void serve(HttpExchange exchange, byte[] body) throws IOException {
    String sha256 = LocalArtifactStore.sha256(body);
    exchange.getResponseHeaders().set("Content-Type", "application/onnx");
    exchange.getResponseHeaders().set("ETag", "\"" + sha256 + "\"");
    exchange.getResponseHeaders().set(RegistryArtifacts.SHA256_HEADER, sha256);
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
  }
}
