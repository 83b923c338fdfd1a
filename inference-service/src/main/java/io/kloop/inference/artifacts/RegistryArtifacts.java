package io.kloop.inference.artifacts;

import io.kloop.events.ArtifactRef;
import io.kloop.events.ModelApproved;
import io.kloop.service.artifacts.ArtifactIntegrityException;
import io.kloop.service.artifacts.LocalArtifactStore;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artifacts downloaded from the registry, for where no artifact store is shared with it:
 * {@code GET {registry}/v1/models/{name}/versions/{v}/artifact}, into a local cache laid out as the
 * artifact store ({@code <cache>/sha256/<first two hex digits>/<sha256>}).
 *
 * <ul>
 *   <li>An artifact already in the cache with the right SHA-256 is not downloaded again.
 *   <li>A download is streamed to a temporary file beside its place in the cache, checked, and only then
 *       moved into place atomically, so the cache holds verified artifacts only. The checks: the
 *       registry's {@code X-Kloop-Sha256} header and {@code Content-Length} must match the approval's
 *       artifact (checked before the body is read), and the bytes' SHA-256 must be the approval's.
 *   <li>One download takes at most the timeout, from connecting to the last byte.
 *   <li>Every failure is an {@link ArtifactUnavailableException} that can be retried.
 * </ul>
 *
 * <p>It blocks the calling thread: never call it on an event loop.
 */
public final class RegistryArtifacts implements ModelArtifacts {

  /** The registry's header carrying the artifact's SHA-256 (hex). */
  public static final String SHA256_HEADER = "X-Kloop-Sha256";

  private static final Logger log = LoggerFactory.getLogger(RegistryArtifacts.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final int ERROR_BODY_CHARS = 300;

  private final URI registry;
  private final LocalArtifactStore cache;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param registry the registry's base URL, e.g. {@code http://registry-service:8083}
   * @param cacheRoot directory the downloaded artifacts are kept in
   * @param timeout most time for one download, from connecting to the last byte
   */
  public RegistryArtifacts(URI registry, Path cacheRoot, Duration timeout) {
    if (!registry.isAbsolute() || registry.getHost() == null
        || !("http".equalsIgnoreCase(registry.getScheme()) || "https".equalsIgnoreCase(registry.getScheme()))) {
      throw new IllegalArgumentException("kloop.inference.registry-url must be an http or https URL, e.g. http://registry-service:8083; got "
          + registry);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("kloop.inference.registry-timeout must be positive; got " + timeout);
    }
    String base = registry.toString();
    this.registry = URI.create(base.endsWith("/") ? base : base + "/");
    this.cache = new LocalArtifactStore(cacheRoot);
    this.timeout = timeout;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  @Override
  public String describe() {
    return "registry " + registry + " (cached in " + cache.root() + ", timeout " + timeout + ")";
  }

  @Override
  public byte[] read(ModelApproved approval) {
    ArtifactRef artifact = approval.getArtifact();
    String sha256 = artifact.getSha256();
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new ArtifactUnavailableException("the approval names no SHA-256 (64 lower-case hex digits) but " + sha256, false, null);
    }
    Path cached = cache.pathOf(sha256);
    if (Files.exists(cached)) {
      try {
        return cache.read(ArtifactRef.newBuilder(artifact).setUri(cached.toUri().toString()).build());
      } catch (ArtifactIntegrityException e) {
        log.warn("Cached artifact {} is damaged ({}); downloading it again", cached, e.getMessage());
        deleteQuietly(cached);
      }
    }
    return download(approval, cached);
  }

  /** The artifact's URL at the registry. */
  URI artifactUri(String model, int version) {
    return registry.resolve("v1/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20")
        + "/versions/" + version + "/artifact");
  }

  private byte[] download(ModelApproved approval, Path target) {
    ArtifactRef artifact = approval.getArtifact();
    URI uri = artifactUri(approval.getModel(), approval.getVersion());
    long started = System.nanoTime();
    Path temporary;
    try {
      Files.createDirectories(target.getParent());
      temporary = Files.createTempFile(target.getParent(), artifact.getSha256(), ".download");
    } catch (IOException e) {
      throw failed(uri, "cannot write to the artifact cache " + cache.root() + ": " + e, e);
    }
    try {
      Answer answer = fetch(uri, artifact, temporary);
      if (answer.problem() != null) {
        throw failed(uri, answer.problem(), null);
      }
      byte[] bytes = Files.readAllBytes(temporary);
      String actual = LocalArtifactStore.sha256(bytes);
      if (!actual.equals(artifact.getSha256())) {
        throw failed(uri, "the downloaded bytes (" + bytes.length + ") have SHA-256 " + actual + ", not the approved " + artifact.getSha256(), null);
      }
      LocalArtifactStore.moveIntoPlace(temporary, target);
      log.info("Downloaded {} ({} bytes, SHA-256 verified) in {} ms", uri, bytes.length, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return bytes;
    } catch (IOException e) {
      throw failed(uri, "cannot keep the artifact in the cache " + cache.root() + ": " + e, e);
    } finally {
      deleteQuietly(temporary);
    }
  }

  /** What the registry answered: nothing wrong (the body is in the temporary file), or the problem. */
  private record Answer(String problem) {}

  private Answer fetch(URI uri, ArtifactRef artifact, Path temporary) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/onnx, application/octet-stream, */*").GET().build();
    HttpResponse.BodyHandler<Answer> handler = info -> {
      if (info.statusCode() != 200) {
        return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
            body -> new Answer("the registry answered " + info.statusCode() + (body.isBlank() ? "" : ": " + abbreviate(body))));
      }
      Optional<String> announced = info.headers().firstValue(SHA256_HEADER);
      if (announced.isPresent() && !announced.get().equalsIgnoreCase(artifact.getSha256())) {
        return HttpResponse.BodySubscribers.replacing(new Answer("the registry serves SHA-256 " + announced.get()
            + " for this version, the approval names " + artifact.getSha256()));
      }
      OptionalLong length = info.headers().firstValueAsLong("Content-Length");
      if (length.isPresent() && length.getAsLong() != artifact.getSizeBytes()) {
        return HttpResponse.BodySubscribers.replacing(new Answer("the registry sends " + length.getAsLong() + " bytes, the approval names "
            + artifact.getSizeBytes()));
      }
      return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofFile(temporary), file -> new Answer(null));
    };
    CompletableFuture<HttpResponse<Answer>> exchange = http.sendAsync(request, handler);
    try {
      return exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS).body();
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw failed(uri, "no complete answer within " + timeout, e);
    } catch (ExecutionException e) {
      throw failed(uri, describe(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw failed(uri, "interrupted", e);
    }
  }

  private String describe(Throwable cause) {
    if (cause instanceof HttpTimeoutException) {
      return "no answer within " + timeout;
    }
    if (cause instanceof ConnectException) {
      return "the registry is not reachable (" + cause + ")";
    }
    if (cause instanceof IOException) {
      return "the download broke off (" + cause + ")";
    }
    return String.valueOf(cause);
  }

  private static ArtifactUnavailableException failed(URI uri, String problem, Throwable cause) {
    return new ArtifactUnavailableException("download from " + uri + " failed: " + problem, true, cause);
  }

  private static String abbreviate(String body) {
    String line = body.strip().replaceAll("\\s+", " ");
    return line.length() <= ERROR_BODY_CHARS ? line : line.substring(0, ERROR_BODY_CHARS) + "...";
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      log.warn("Cannot delete {}: {}", path, e.toString());
    }
  }
}
