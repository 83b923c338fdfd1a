package io.kloop.inference.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kloop.events.ArtifactRef;
import io.kloop.events.ModelApproved;
import io.kloop.inference.TestModels;
import io.kloop.service.artifacts.LocalArtifactStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads from a stand-in for the registry's artifact endpoint: a JDK HTTP server that answers as the
 * registry does (the ONNX bytes with {@code ETag}, {@code X-Kloop-Sha256} and {@code Repr-Digest}), or
 * answers wrongly on purpose.
 */
class RegistryArtifactsTest {

  /** How the stand-in answers the next requests. */
  private interface Behaviour {
    void answer(HttpExchange exchange) throws IOException;
  }

  /** For the downloads that should succeed: generous, so that a busy machine cannot fail them. */
  private static final Duration DOWNLOAD_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path cacheRoot;

  private final byte[] onnx = new byte[200_000];
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private ExecutorService handlers;
  private HttpServer registry;
  private volatile Behaviour behaviour;

  @BeforeEach
  void startStandIn() throws IOException {
    new Random(7).nextBytes(onnx);
    behaviour = exchange -> serve(exchange, onnx, LocalArtifactStore.sha256(onnx));
    handlers = Executors.newCachedThreadPool();
    registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    registry.setExecutor(handlers);
    registry.createContext("/", exchange -> {
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
      try (exchange) {
        behaviour.answer(exchange);
      }
    });
    registry.start();
  }

  @AfterEach
  void stopStandIn() {
    release.countDown();
    registry.stop(0);
    handlers.shutdownNow();
  }

  @Test
  void shouldDownloadTheArtifactCheckItAndKeepItInTheCacheUnderItsSha256() throws IOException {
    ModelApproved approval = approval("tumour model", 3, onnx);

    byte[] read = artifacts(DOWNLOAD_TIMEOUT).read(approval);

    assertThat(read).isEqualTo(onnx);
    assertThat(requests).containsExactly("GET /v1/models/tumour%20model/versions/3/artifact");
    Path cached = new LocalArtifactStore(cacheRoot).pathOf(LocalArtifactStore.sha256(onnx));
    assertThat(cached).hasBinaryContent(onnx);
    assertThat(filesIn(cacheRoot)).as("nothing but the artifact, no temporary file left").containsExactly(cached);
  }

  @Test
  void shouldNotDownloadAnArtifactAlreadyInTheCache() {
    ModelApproved approval = approval("tumours", 1, onnx);
    artifacts(DOWNLOAD_TIMEOUT).read(approval);
    behaviour = exchange -> answer(exchange, 500, "{\"error\": \"should not have been asked\"}");

    assertThat(artifacts(DOWNLOAD_TIMEOUT).read(approval)).as("after a restart, from the cache").isEqualTo(onnx);
    // The same artifact approved again as another version (a rollback, say) is the same file.
    assertThat(artifacts(DOWNLOAD_TIMEOUT).read(approval("tumours", 4, onnx))).isEqualTo(onnx);
    assertThat(requests).hasSize(1);
  }

  @Test
  void shouldRefuseBytesThatAreNotTheApprovedOnesAndCacheNothing() throws IOException {
    byte[] corrupt = onnx.clone();
    corrupt[100_000] ^= 1;
    behaviour = exchange -> serve(exchange, corrupt, LocalArtifactStore.sha256(onnx));

    ArtifactUnavailableException failure = catchThrowableOfType(ArtifactUnavailableException.class,
        () -> artifacts(DOWNLOAD_TIMEOUT).read(approval("tumours", 2, onnx)));

    assertThat(failure.getMessage()).contains("/v1/models/tumours/versions/2/artifact")
        .contains("have SHA-256 " + LocalArtifactStore.sha256(corrupt) + ", not the approved " + LocalArtifactStore.sha256(onnx));
    assertThat(failure.retryable()).isTrue();
    assertThat(filesIn(cacheRoot)).isEmpty();
  }

  @Test
  void shouldRefuseAnArtifactTheRegistryAnnouncesWithAnotherHash() throws IOException {
    byte[] other = "another model".getBytes(StandardCharsets.UTF_8);
    behaviour = exchange -> serve(exchange, other, LocalArtifactStore.sha256(other));

    assertThatThrownBy(() -> artifacts(DOWNLOAD_TIMEOUT).read(approval("tumours", 2, onnx)))
        .isInstanceOf(ArtifactUnavailableException.class)
        .hasMessageContaining("the registry serves SHA-256 " + LocalArtifactStore.sha256(other) + " for this version, the approval names "
            + LocalArtifactStore.sha256(onnx));
    assertThat(filesIn(cacheRoot)).isEmpty();
  }

  @Test
  void shouldSayWhatTheRegistryAnsweredWhenItCannotServeTheArtifact() {
    behaviour = exchange -> answer(exchange, 404, "{\"error\": \"model tumours has no version 9\"}");

    ArtifactUnavailableException failure = catchThrowableOfType(ArtifactUnavailableException.class,
        () -> artifacts(DOWNLOAD_TIMEOUT).read(approval("tumours", 9, onnx)));

    assertThat(failure.getMessage()).endsWith("failed: the registry answered 404: {\"error\": \"model tumours has no version 9\"}");
    assertThat(failure.retryable()).isTrue();
  }

  @Test
  void shouldFailWhenTheRegistryIsDown() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    // A timeout far beyond what a refused connection takes even on a busy machine.
    RegistryArtifacts artifacts = new RegistryArtifacts(URI.create("http://127.0.0.1:" + closedPort), cacheRoot, Duration.ofSeconds(120));

    ArtifactUnavailableException failure = catchThrowableOfType(ArtifactUnavailableException.class,
        () -> artifacts.read(approval("tumours", 1, onnx)));

    // Refused, not timed out: a timeout would say "no answer within" or "no complete answer within".
    assertThat(failure.getMessage()).contains("the registry is not reachable");
    assertThat(failure.retryable()).isTrue();
  }

  @Test
  void shouldGiveUpOnADownloadThatStallsWhenTheTimeoutIsOver() throws IOException {
    behaviour = exchange -> {
      exchange.getResponseHeaders().set(RegistryArtifacts.SHA256_HEADER, LocalArtifactStore.sha256(onnx));
      exchange.sendResponseHeaders(200, onnx.length);
      OutputStream body = exchange.getResponseBody();
      body.write(onnx, 0, 1000);
      body.flush();
      try {
        // Released after the test; bounded, so that a stalled handler thread cannot outlive a broken test for long.
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };

    long started = System.nanoTime();
    ArtifactUnavailableException failure = catchThrowableOfType(ArtifactUnavailableException.class,
        () -> artifacts(Duration.ofSeconds(1)).read(approval("tumours", 1, onnx)));

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(failure.getMessage()).contains("no complete answer within PT1S");
    // Not before the timeout. The message says it gave up at the timeout: had it waited for the body, the stand-in
    // would have broken the answer off after 60 s and the message would say the download broke off.
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(filesIn(cacheRoot)).isEmpty();
  }

  @Test
  void shouldDownloadAgainWhenTheCachedCopyIsDamaged() throws IOException {
    Path cached = new LocalArtifactStore(cacheRoot).pathOf(LocalArtifactStore.sha256(onnx));
    Files.createDirectories(cached.getParent());
    Files.write(cached, "damaged".getBytes(StandardCharsets.UTF_8));

    assertThat(artifacts(DOWNLOAD_TIMEOUT).read(approval("tumours", 1, onnx))).isEqualTo(onnx);
    assertThat(requests).hasSize(1);
    assertThat(cached).hasBinaryContent(onnx);
  }

  @Test
  void shouldRefuseARegistryUrlThatIsNotHttp() {
    assertThatThrownBy(() -> new RegistryArtifacts(URI.create("registry-service:8083"), cacheRoot, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kloop.inference.registry-url must be an http or https URL");
  }

  private RegistryArtifacts artifacts(Duration timeout) {
    return new RegistryArtifacts(URI.create("http://127.0.0.1:" + registry.getAddress().getPort()), cacheRoot, timeout);
  }

  /** An approval whose artifact was stored on another machine: only its hash and size say what it is. */
  private static ModelApproved approval(String model, int version, byte[] bytes) {
    String sha256 = LocalArtifactStore.sha256(bytes);
    ArtifactRef artifact = ArtifactRef.newBuilder().setUri("file:///var/lib/kloop/artifacts/sha256/" + sha256.substring(0, 2) + "/" + sha256)
        .setSha256(sha256).setSizeBytes(bytes.length).setMediaType("application/onnx").build();
    return TestModels.approval(model, version, artifact);
  }

  /** As the registry answers: the bytes, with the hash it recorded in ETag, X-Kloop-Sha256 and Repr-Digest. */
  private static void serve(HttpExchange exchange, byte[] body, String sha256) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/onnx");
    exchange.getResponseHeaders().set("ETag", "\"" + sha256 + "\"");
    exchange.getResponseHeaders().set(RegistryArtifacts.SHA256_HEADER, sha256);
    exchange.getResponseHeaders().set("Repr-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256)) + ":");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static List<Path> filesIn(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).toList();
    }
  }
}
