package io.kloop.inference.serving;

import io.kloop.events.ModelApproved;
import io.kloop.inference.artifacts.ArtifactUnavailableException;
import io.kloop.inference.artifacts.ModelArtifacts;
import io.kloop.model.OnnxClassifier;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models this instance serves: each model's champion, loaded from its {@code ModelApproved}. A new
 * approval is loaded beside the running version (artifact read and its SHA-256 checked, ONNX Runtime
 * session created, signature checked against the session, one warm-up prediction) and only then swapped
 * in; if any step fails, the running version keeps serving and the failure is logged, counted and shown
 * in {@link #status()}.
 *
 * <p>When the artifact could not be had but trying again may help (a download from the registry that
 * failed), the same approval is tried again after 1 s, then after twice as long each time up to the
 * maximum delay, for as long as it is the model's latest approval and does not serve.
 */
public class ServedModels {

  /**
   * Where a model stands, for readiness detail and the metadata APIs: the version serving and since when,
   * and the last version that failed to load, why, when, and when it is tried again (null when it is not).
   */
  public record ModelStatus(String model, Integer servedVersion, Instant loadedAt, Integer failedVersion, String failure, Instant failedAt,
      Instant retryAt) {}

  /** An approval read from the topic, with the trace context of the registry's decision its record carried. */
  public record Approval(ModelApproved event, SpanContext decision) {}

  private static final Logger log = LoggerFactory.getLogger(ServedModels.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

  private final ModelArtifacts artifacts;
  private final MeterRegistry meters;
  private final KloopTracing tracing;
  private final Duration firstRetry;
  private final Duration maxRetry;
  private final Map<String, ServedModel> served = new ConcurrentHashMap<>();
  private final Map<String, ModelStatus> statuses = new ConcurrentHashMap<>();
  /** Each model's latest approval: the version it should serve. Guarded by {@code this}. */
  private final Map<String, ModelApproved> latest = new ConcurrentHashMap<>();
  /** Each model's next attempt at its latest approval, when one is due. Guarded by {@code this}. */
  private final Map<String, ScheduledFuture<?>> retries = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor retrier;
  private boolean closed;

  /** Models read from these artifacts; a failed download is tried again after at most a minute. */
  public ServedModels(ModelArtifacts artifacts, MeterRegistry meters) {
    this(artifacts, meters, FIRST_RETRY, Duration.ofMinutes(1), KloopTracing.OFF);
  }

  /**
   * @param firstRetry how long after a failed download it is tried again the first time; each next time waits twice as long
   * @param maxRetry the longest wait between two attempts
   */
  public ServedModels(ModelArtifacts artifacts, MeterRegistry meters, Duration firstRetry, Duration maxRetry, KloopTracing tracing) {
    if (firstRetry.isNegative() || firstRetry.isZero() || maxRetry.compareTo(firstRetry) < 0) {
      throw new IllegalArgumentException("retry delays must be positive, the longest (" + maxRetry + ") at least the first (" + firstRetry + ")");
    }
    this.artifacts = artifacts;
    this.meters = meters;
    this.tracing = tracing;
    this.firstRetry = firstRetry;
    this.maxRetry = maxRetry;
    this.retrier = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "model-load-retry");
      thread.setDaemon(true);
      return thread;
    });
    this.retrier.setRemoveOnCancelPolicy(true);
  }

  /**
   * Loads and swaps in a model's latest approval. An approval of the version already served (a
   * redelivery, or the compacted topic replayed) changes nothing. Never throws: a failure leaves the
   * running version, and a failed download is tried again later (see the class comment).
   *
   * @return whether the approved version is now serving
   */
  public synchronized boolean apply(ModelApproved approval) {
    return apply(approval, SpanContext.getInvalid());
  }

  /**
   * As {@link #apply(ModelApproved)}, the load being a span of its own trace ({@code load model}) linked to
   * the registry's decision whose trace context the approval's record carried: the last link of a model's
   * life from data to serving.
   *
   * @param decision the trace context of the approval's record (invalid when it carried none)
   */
  public synchronized boolean apply(ModelApproved approval, SpanContext decision) {
    if (closed) {
      return false;
    }
    latest.put(approval.getModel(), approval);
    cancelRetry(approval.getModel());
    return swapIn(approval, decision, firstRetry);
  }

  /**
   * At start-up: loads the newest of a model's approvals (oldest first, as the topic holds them) as
   * {@link #apply} does; if it cannot be loaded, the ones before it, newest first, until one loads. The
   * newest stays the one tried again after a failed download, and the failure stays in the status while
   * an older version serves.
   *
   * @return whether one of them is now serving
   */
  public synchronized boolean applyNewest(List<Approval> approvals) {
    if (approvals.isEmpty()) {
      return false;
    }
    Approval newest = approvals.get(approvals.size() - 1);
    if (apply(newest.event(), newest.decision())) {
      return true;
    }
    for (int i = approvals.size() - 2; i >= 0; i--) {
      if (swapIn(approvals.get(i).event(), approvals.get(i).decision(), null)) {
        return true;
      }
    }
    return false;
  }

  /** Loads the approval and swaps it in; on a failure that may pass, tries again after {@code retryIn} (never when null). */
  private boolean swapIn(ModelApproved approval, SpanContext decision, Duration retryIn) {
    String model = approval.getModel();
    ServedModel current = served.get(model);
    if (current != null && current.version() == approval.getVersion()
        && current.approval().getArtifact().getSha256().equals(approval.getArtifact().getSha256())) {
      ModelStatus status = statuses.get(model);
      if (status != null && approval == latest.get(model) && status.failedVersion() != null) {
        statuses.put(model, new ModelStatus(model, current.version(), current.loadedAt(), null, null, null, null));
      }
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
      return load(approval, decision, current, span, retryIn);
    } finally {
      span.end();
    }
  }

  private double servedVersion(String model) {
    ServedModel current = served.get(model);
    return current == null ? Double.NaN : current.version();
  }

  private boolean load(ModelApproved approval, SpanContext decision, ServedModel current, Span span, Duration retryIn) {
    String model = approval.getModel();
    long started = System.nanoTime();
    ServedModel loaded;
    try {
      loaded = load(approval);
    } catch (ModelLoadException e) {
      span.setStatus(StatusCode.ERROR, e.getMessage());
      meters.counter("kloop.inference.model.load.failures", "model", model).increment();
      Duration wait = e.retryable() ? retryIn : null;
      if (approval == latest.get(model)) {
        // An earlier approval tried at start-up in its stead does not hide why the latest cannot serve.
        statuses.put(model, new ModelStatus(model, current == null ? null : current.version(), current == null ? null : current.loadedAt(),
            approval.getVersion(), e.getMessage(), Instant.now(), wait == null ? null : Instant.now().plus(wait)));
      }
      log.error("Model {} version {} cannot be served, {}: {}{}", model, approval.getVersion(),
          current == null ? "and no earlier version is loaded" : "version " + current.version() + " keeps serving", e.getMessage(),
          wait == null ? "" : "; trying again in " + wait.toMillis() + " ms");
      if (wait != null) {
        Duration next = wait.multipliedBy(2).compareTo(maxRetry) > 0 ? maxRetry : wait.multipliedBy(2);
        try {
          retries.put(model, retrier.schedule(() -> retry(approval, decision, next), wait.toMillis(), TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException closing) {
          // Shutting down.
        }
      }
      return false;
    }
    served.put(model, loaded);
    ModelStatus before = statuses.get(model);
    boolean fallback = approval != latest.get(model);
    statuses.put(model, fallback && before != null
        ? new ModelStatus(model, loaded.version(), loaded.loadedAt(), before.failedVersion(), before.failure(), before.failedAt(), before.retryAt())
        : new ModelStatus(model, loaded.version(), loaded.loadedAt(), null, null, null, null));
    if (current != null) {
      current.retire();
    }
    meters.counter("kloop.inference.model.swaps", "model", model).increment();
    log.info("Model {} version {} serving (loaded and warmed in {} ms{}{})", model, loaded.version(), (System.nanoTime() - started) / 1_000_000,
        current == null ? "" : "; replaces version " + current.version(),
        fallback ? "; in place of the latest approval, which cannot be served" : "");
    return true;
  }

  /** Tries the approval again, unless a newer one came meanwhile or the service is closing. */
  private synchronized void retry(ModelApproved approval, SpanContext decision, Duration next) {
    String model = approval.getModel();
    if (closed || latest.get(model) != approval) {
      return;
    }
    retries.remove(model);
    swapIn(approval, decision, next);
  }

  private void cancelRetry(String model) {
    ScheduledFuture<?> pending = retries.remove(model);
    if (pending != null) {
      pending.cancel(false);
    }
  }

  private ServedModel load(ModelApproved approval) {
    byte[] bytes;
    try {
      bytes = artifacts.read(approval);
    } catch (ArtifactUnavailableException e) {
      throw new ModelLoadException(e.getMessage(), e.retryable(), e);
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

  /** Stops the attempts still due and closes every session (at shutdown, after requests have drained). */
  public void closeAll() {
    // First, without the lock: interrupts a download in progress, which holds it.
    retrier.shutdownNow();
    closeSessions();
  }

  private synchronized void closeSessions() {
    closed = true;
    retries.clear();
    Map<String, ServedModel> all = new LinkedHashMap<>(served);
    served.clear();
    all.values().forEach(ServedModel::retire);
  }
}
