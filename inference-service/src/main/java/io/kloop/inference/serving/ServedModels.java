package io.kloop.inference.serving;

import io.kloop.events.ModelApproved;
import io.kloop.model.OnnxClassifier;
import io.kloop.service.artifacts.ArtifactIntegrityException;
import io.kloop.service.artifacts.ArtifactStore;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models this instance serves: each model's champion, loaded from its {@code ModelApproved}. A new
 * approval is loaded beside the running version (artifact read and its SHA-256 checked, ONNX Runtime
 * session created, signature checked against the session, one warm-up prediction) and only then swapped
 * in; if any step fails, the running version keeps serving and the failure is logged, counted and shown
 * in {@link #status()}.
 */
public class ServedModels {

  /** Where a model stands, for readiness detail and the metadata APIs. */
  public record ModelStatus(String model, Integer servedVersion, Instant loadedAt, Integer failedVersion, String failure, Instant failedAt) {}

  private static final Logger log = LoggerFactory.getLogger(ServedModels.class);

  private final ArtifactStore artifacts;
  private final MeterRegistry meters;
  private final KloopTracing tracing;
  private final Map<String, ServedModel> served = new ConcurrentHashMap<>();
  private final Map<String, ModelStatus> statuses = new ConcurrentHashMap<>();

  public ServedModels(ArtifactStore artifacts, MeterRegistry meters) {
    this(artifacts, meters, KloopTracing.OFF);
  }

  public ServedModels(ArtifactStore artifacts, MeterRegistry meters, KloopTracing tracing) {
    this.artifacts = artifacts;
    this.meters = meters;
    this.tracing = tracing;
  }

  public boolean apply(ModelApproved approval) {
    return apply(approval, SpanContext.getInvalid());
  }

  /**
   * Loads and swaps in an approved version. An approval of the version already served (a redelivery, or
   * the compacted topic replayed) changes nothing. Never throws: a failure leaves the running version.
   *
   * <p>A load is a span of its own trace ({@code load model}), linked to the registry's decision whose
   * trace context the approval's record carried: the last link of a model's life from data to serving.
   *
   * @param decision the trace context of the approval's record (invalid when it carried none)
   * @return whether the approved version is now serving
   */
  public synchronized boolean apply(ModelApproved approval, SpanContext decision) {
    String model = approval.getModel();
    ServedModel current = served.get(model);
    if (current != null && current.version() == approval.getVersion()
        && current.approval().getArtifact().getSha256().equals(approval.getArtifact().getSha256())) {
      return true;
    }
    if (current == null) {
      Gauge.builder("kloop.inference.model.served.version", this, models -> models.servedVersion(model))
          .description("The version of the model this instance serves (NaN while none)").tag("model", model).register(meters);
    }
    Span span = tracing.linkedTo("load model", SpanKind.CONSUMER, List.of(decision));
    span.setAttribute("kloop.model", model);
    span.setAttribute("kloop.model.version", approval.getVersion());
    try {
      return load(approval, current, span);
    } finally {
      span.end();
    }
  }

  private double servedVersion(String model) {
    ServedModel current = served.get(model);
    return current == null ? Double.NaN : current.version();
  }

  private boolean load(ModelApproved approval, ServedModel current, Span span) {
    String model = approval.getModel();
    long started = System.nanoTime();
    ServedModel loaded;
    try {
      loaded = load(approval);
    } catch (ModelLoadException e) {
      span.setStatus(StatusCode.ERROR, e.getMessage());
      meters.counter("kloop.inference.model.load.failures", "model", model).increment();
      statuses.put(model, new ModelStatus(model, current == null ? null : current.version(), current == null ? null : current.loadedAt(),
          approval.getVersion(), e.getMessage(), Instant.now()));
      log.error("Model {} version {} cannot be served, {}: {}", model, approval.getVersion(),
          current == null ? "and no earlier version is loaded" : "version " + current.version() + " keeps serving", e.getMessage());
      return false;
    }
    served.put(model, loaded);
    statuses.put(model, new ModelStatus(model, loaded.version(), loaded.loadedAt(), null, null, null));
    if (current != null) {
      current.retire();
    }
    meters.counter("kloop.inference.model.swaps", "model", model).increment();
    log.info("Model {} version {} serving (loaded and warmed in {} ms{})", model, loaded.version(), (System.nanoTime() - started) / 1_000_000,
        current == null ? "" : "; replaces version " + current.version());
    return true;
  }

  private ServedModel load(ModelApproved approval) {
    byte[] bytes;
    try {
      bytes = artifacts.read(approval.getArtifact());
    } catch (ArtifactIntegrityException | IllegalArgumentException e) {
      throw new ModelLoadException("artifact " + approval.getArtifact().getSha256() + " unusable: " + e.getMessage(), e);
    }
    OnnxClassifier classifier;
    try {
      classifier = OnnxClassifier.load(bytes, approval.getSignature());
    } catch (OnnxClassifier.ModelLoadException e) {
      throw new ModelLoadException(e.getMessage(), e);
    }
    try {
      warmUp(classifier);
    } catch (RuntimeException e) {
      classifier.close();
      throw new ModelLoadException("the model does not answer as its signature says: " + e.getMessage(), e);
    }
    return new ServedModel(approval, classifier, Instant.now(), meters);
  }

  /** One prediction on a row of zeros: proves the session runs and answers one probability per class. */
  private static void warmUp(OnnxClassifier classifier) {
    if (classifier.signature().getOutputClasses().isEmpty()) {
      throw new IllegalStateException("the signature names no output classes");
    }
    float[] row = new float[classifier.encoding().width()];
    float[][] probabilities = classifier.probabilities(new float[][] {row});
    for (float p : probabilities[0]) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalStateException("warm-up probability " + p + " is not in [0, 1]");
      }
    }
  }

  /**
   * The model's serving version, held for one request: call {@link ServedModel#release()} when done. A
   * version swapped out meanwhile is skipped for the one that replaced it.
   */
  public Optional<ServedModel> acquire(String model) {
    for (;;) {
      ServedModel current = served.get(model);
      if (current == null) {
        return Optional.empty();
      }
      if (current.tryAcquire()) {
        return Optional.of(current);
      }
    }
  }

  public Optional<ModelStatus> status(String model) {
    return Optional.ofNullable(statuses.get(model));
  }

  /** Every known model's status, by name. */
  public Map<String, ModelStatus> status() {
    return new TreeMap<>(statuses);
  }

  public List<String> servedModels() {
    return served.keySet().stream().sorted().toList();
  }

  /** Closes every session (at shutdown, after requests have drained). */
  public synchronized void closeAll() {
    Map<String, ServedModel> all = new LinkedHashMap<>(served);
    served.clear();
    all.values().forEach(ServedModel::retire);
  }
}
