package io.kloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ArtifactRef;
import io.kloop.events.ModelApproved;
import io.kloop.inference.TestModels;
import io.kloop.inference.artifacts.ArtifactUnavailableException;
import io.kloop.inference.artifacts.ModelArtifacts;
import io.kloop.service.tracing.KloopTracing;
import io.opentelemetry.api.trace.SpanContext;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Loading approvals whose artifacts cannot always be had: what serves, what the status says, what is tried again. */
class ServedModelsTest {

  private static final Duration FIRST_RETRY = Duration.ofMillis(50);
  private static final Duration MAX_RETRY = Duration.ofMillis(200);

  /** Artifacts by SHA-256; those not (yet) available fail as a download does, or as a missing shared file does. */
  private final Map<String, byte[]> available = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> reads = new ConcurrentHashMap<>();
  private final Set<String> missingForGood = ConcurrentHashMap.newKeySet();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ServedModels models = new ServedModels(new ModelArtifacts() {
    @Override
    public byte[] read(ModelApproved approval) {
      reads.computeIfAbsent(approval.getVersion(), v -> new AtomicInteger()).incrementAndGet();
      String sha256 = approval.getArtifact().getSha256();
      byte[] bytes = available.get(sha256);
      if (bytes == null) {
        throw new ArtifactUnavailableException("no artifact " + sha256, !missingForGood.contains(sha256), null);
      }
      return bytes;
    }

    @Override
    public String describe() {
      return "test artifacts";
    }
  }, meters, FIRST_RETRY, MAX_RETRY, KloopTracing.OFF);

  @AfterEach
  void close() {
    models.closeAll();
  }

  @Test
  void shouldTryAFailedDownloadAgainUntilTheVersionServes() {
    ModelApproved v1 = approval(1, TestModels.onnx(1f));

    assertThat(models.apply(v1)).isFalse();
    ServedModels.ModelStatus failed = models.status("tumours").orElseThrow();
    assertThat(failed.servedVersion()).isNull();
    assertThat(failed.failedVersion()).isEqualTo(1);
    assertThat(failed.failure()).contains("no artifact");
    assertThat(failed.retryAt()).isNotNull();

    await().atMost(Duration.ofSeconds(60)).until(() -> reads(1) >= 3);
    available.put(v1.getArtifact().getSha256(), TestModels.onnx(1f));
    await().atMost(Duration.ofSeconds(60)).until(() -> models.acquire("tumours").map(this::versionReleased).orElse(0) == 1);

    assertThat(models.status("tumours").orElseThrow())
        .extracting(ServedModels.ModelStatus::servedVersion, ServedModels.ModelStatus::failedVersion, ServedModels.ModelStatus::retryAt)
        .containsExactly(1, null, null);
    int attempts = reads(1);
    assertThat(meters.counter("kloop.inference.model.load.failures", "model", "tumours").count()).isEqualTo(attempts - 1);
    // Served: no more attempts.
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(60)).until(() -> reads(1) == attempts);
  }

  @Test
  void shouldStopTryingAnApprovalOnceANewerOneArrives() {
    ModelApproved v1 = approval(1, TestModels.onnx(1f));
    ModelApproved v2 = approval(2, TestModels.onnx(2f));
    available.put(v2.getArtifact().getSha256(), TestModels.onnx(2f));

    assertThat(models.apply(v1)).isFalse();
    await().atMost(Duration.ofSeconds(60)).until(() -> reads(1) >= 2);
    assertThat(models.apply(v2)).isTrue();
    int attempts = reads(1);

    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(60)).until(() -> reads(1) == attempts);
    assertThat(models.status("tumours").orElseThrow().failedVersion()).isNull();
  }

  @Test
  void shouldNotTryAgainAFailureThatCannotPass() {
    ModelApproved v1 = approval(1, TestModels.onnx(1f));
    missingForGood.add(v1.getArtifact().getSha256());

    assertThat(models.apply(v1)).isFalse();

    assertThat(models.status("tumours").orElseThrow().retryAt()).isNull();
    await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(60)).until(() -> reads(1) == 1);
  }

  @Test
  void shouldServeAnEarlierApprovalAtStartUpAndKeepTryingAndShowingTheLatest() {
    ModelApproved v1 = approval(1, TestModels.onnx(1f));
    ModelApproved v2 = approval(2, TestModels.onnx(2f));
    available.put(v1.getArtifact().getSha256(), TestModels.onnx(1f));

    assertThat(models.applyNewest(List.of(new ServedModels.Approval(v1, SpanContext.getInvalid()), new ServedModels.Approval(v2, SpanContext.getInvalid())))).isTrue();

    ServedModels.ModelStatus status = models.status("tumours").orElseThrow();
    assertThat(status.servedVersion()).isEqualTo(1);
    assertThat(status.failedVersion()).isEqualTo(2);
    assertThat(status.retryAt()).isNotNull();
    available.put(v2.getArtifact().getSha256(), TestModels.onnx(2f));
    await().atMost(Duration.ofSeconds(60)).until(() -> models.acquire("tumours").map(this::versionReleased).orElse(0) == 2);
    assertThat(models.status("tumours").orElseThrow().failedVersion()).isNull();
  }

  @Test
  void shouldKeepTheMetersOfTheServingVersionOnly() {
    ModelApproved v1 = approval(1, TestModels.onnx(1f));
    ModelApproved v2 = approval(2, TestModels.onnx(2f));
    available.put(v1.getArtifact().getSha256(), TestModels.onnx(1f));
    available.put(v2.getArtifact().getSha256(), TestModels.onnx(2f));

    assertThat(models.apply(v1)).isTrue();
    assertThat(meters.find("kloop.inference.latency").tag("version", "1").timer()).isNotNull();
    assertThat(models.apply(v2)).isTrue();

    assertThat(meters.find("kloop.inference.latency").tag("version", "1").timer()).isNull();
    assertThat(meters.find("kloop.inference.predictions").tag("version", "1").counter()).isNull();
    assertThat(meters.find("kloop.inference.latency").tag("version", "2").timer()).isNotNull();
    assertThat(meters.find("kloop.inference.predictions").tag("version", "2").counter()).isNotNull();
  }

  private int reads(int version) {
    AtomicInteger count = reads.get(version);
    return count == null ? 0 : count.get();
  }

  private int versionReleased(ServedModel model) {
    try {
      return model.version();
    } finally {
      model.release();
    }
  }

  private static ModelApproved approval(int version, byte[] onnx) {
    String sha256 = LocalArtifactStore.sha256(onnx);
    return TestModels.approval("tumours", version, ArtifactRef.newBuilder().setUri("file:///elsewhere/" + sha256).setSha256(sha256)
        .setSizeBytes(onnx.length).setMediaType("application/onnx").build());
  }
}
