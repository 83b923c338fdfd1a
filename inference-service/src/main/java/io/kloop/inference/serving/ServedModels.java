package io.kloop.inference.serving;

import io.kloop.events.ModelApproved;
import io.kloop.events.SignatureField;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 *
 * <p>Each model's loads run one after another on a loader thread of that model's, outside the lock that
 * guards what serves: a slow download of one model's artifact holds up neither another model's approval nor
 * the caller that hands approvals over ({@link #submit}). An approval that a newer one of its model replaced
 * before its turn came is skipped.
 */
public class ServedModels {

  /**
   * Where a model stands, for readiness detail and the metadata APIs: the version serving and since when,
   * and the last version that failed to load, why, when, and when it is tried again (null when it is not).
   */
  public record ModelStatus(String model, Integer servedVersion, Instant loadedAt, Integer failedVersion, String failure, Instant failedAt,
      Instant retryAt) {

    /** Serving {@code version} (none when null) since {@code loadedAt}, and nothing failed. */
    static ModelStatus serving(String model, Integer version, Instant loadedAt) {
      return new ModelStatus(model, version, loadedAt, null, null, null, null);
    }

    /** Serving {@code version} since {@code loadedAt}, the failure as it was. */
    ModelStatus withServing(Integer version, Instant loadedAt) {
      return new ModelStatus(model, version, loadedAt, failedVersion, failure, failedAt, retryAt);
    }

    /** {@code version} failed to load ({@code failure}) at {@code at}, tried again at {@code retryAt} (never when null). */
    ModelStatus withFailure(int version, String failure, Instant at, Instant retryAt) {
      return new ModelStatus(model, servedVersion, loadedAt, version, failure, at, retryAt);
    }
  }

  /** An approval read from the topic, with the trace context of the registry's decision its record carried. */
  public record Approval(ModelApproved event, SpanContext decision) {}

  /**
   * A load waiting for its model's turn: the approval, where its record's trace came from, when to try again
   * after a failure that may pass (never when null), whether it stands in at start-up for a newer approval that
   * cannot load, and whether the version serves once it is done.
   */
  private record Load(ModelApproved approval, SpanContext decision, Duration retryIn, boolean fallback, CompletableFuture<Boolean> outcome) {

    Load(ModelApproved approval, SpanContext decision, Duration retryIn, boolean fallback) {
      this(approval, decision, retryIn, fallback, new CompletableFuture<>());
    }
  }

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
  /** Each model's loads still to run, oldest first. Guarded by {@code this}. */
  private final Map<String, Deque<Load>> queued = new HashMap<>();
  /** The models whose loader runs now. Guarded by {@code this}. */
  private final Set<String> loading = new HashSet<>();
  private final ExecutorService loaders;
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
    // A thread for each model loading at the time, none kept idle for long.
    this.loaders = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "model-load");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Loads and swaps in a model's latest approval. An approval of the version already served (a
   * redelivery, or the compacted topic replayed) changes nothing. Never throws: a failure leaves the
   * running version, and a failed download is tried again later (see the class comment).
   *
   * @return whether the approved version is now serving
   */
  public boolean apply(ModelApproved approval) {
    return apply(approval, SpanContext.getInvalid());
  }

  /**
   * As {@link #apply(ModelApproved)}, the load being a span of its own trace ({@code load model}) linked to
   * the registry's decision whose trace context the approval's record carried: the last link of a model's
   * life from data to serving.
   *
   * @param decision the trace context of the approval's record (invalid when it carried none)
   */
  public boolean apply(ModelApproved approval, SpanContext decision) {
    return outcome(submit(approval, decision));
  }

  /**
   * As {@link #apply(ModelApproved, SpanContext)}, without waiting: the approval becomes the model's latest at
   * once and is loaded on its model's turn. Never throws.
   *
   * @return whether the approved version serves once its load is done (false if a newer approval came first)
   */
  public CompletableFuture<Boolean> submit(ModelApproved approval, SpanContext decision) {
    synchronized (this) {
      if (closed) {
        return CompletableFuture.completedFuture(false);
      }
      latest.put(approval.getModel(), approval);
      cancelRetry(approval.getModel());
      return enqueue(new Load(approval, decision, firstRetry, false));
    }
  }

  /**
   * At start-up: loads the newest of a model's approvals (oldest first, as the topic holds them) as
   * {@link #apply} does; if it cannot be loaded, the ones before it, newest first, until one loads. The
   * newest stays the one tried again after a failed download, and the failure stays in the status while
   * an older version serves.
   *
   * @return whether one of them is now serving
   */
  public boolean applyNewest(List<Approval> approvals) {
    if (approvals.isEmpty()) {
      return false;
    }
    Approval newest = approvals.get(approvals.size() - 1);
    if (apply(newest.event(), newest.decision())) {
      return true;
    }
    for (int i = approvals.size() - 2; i >= 0; i--) {
      Load fallback = new Load(approvals.get(i).event(), approvals.get(i).decision(), null, true);
      synchronized (this) {
        enqueue(fallback);
      }
      if (outcome(fallback.outcome())) {
        return true;
      }
    }
    return false;
  }

  /** Queues a load for its model's turn, starting the model's loader unless it runs. Call it holding the lock. */
  private CompletableFuture<Boolean> enqueue(Load load) {
    String model = load.approval().getModel();
    if (closed) {
      load.outcome().complete(false);
      return load.outcome();
    }
    queued.computeIfAbsent(model, m -> new ArrayDeque<>()).add(load);
    if (loading.add(model)) {
      try {
        loaders.execute(() -> loadInTurn(model));
      } catch (RejectedExecutionException closing) {
        loading.remove(model);
        queued.remove(model).forEach(waiting -> waiting.outcome().complete(false));
      }
    }
    return load.outcome();
  }

  /** A model's loader: runs its queued loads one by one until none is left. */
  private void loadInTurn(String model) {
    boolean drained = false;
    try {
      for (Load load = next(model); load != null; load = next(model)) {
        boolean serves = false;
        try {
          serves = run(load);
        } catch (RuntimeException e) {
          log.error("Loading model {} version {} failed unexpectedly; the running version keeps serving", model, load.approval().getVersion(), e);
        } finally {
          load.outcome().complete(serves);
        }
      }
      drained = true;
    } finally {
      if (!drained) {
        // Ended by an error: the loads still queued are not run, and none of their callers waits for good.
        List<Load> dropped = new ArrayList<>();
        synchronized (this) {
          loading.remove(model);
          Deque<Load> waiting = queued.remove(model);
          if (waiting != null) {
            dropped.addAll(waiting);
          }
        }
        dropped.forEach(load -> load.outcome().complete(false));
      }
    }
  }

  /** The model's next load, or null (and its loader done) when none is queued or the service closes. */
  private synchronized Load next(String model) {
    Deque<Load> waiting = queued.get(model);
    Load load = closed || waiting == null ? null : waiting.poll();
    if (load == null) {
      loading.remove(model);
      queued.remove(model);
    }
    return load;
  }

  /** Runs a load, unless a newer approval of its model came since it was queued (then it is skipped). */
  private boolean run(Load load) {
    ModelApproved approval = load.approval();
    if (!load.fallback() && approval != latest.get(approval.getModel())) {
      log.info("Model {} version {} not loaded: a newer approval replaced it while it waited", approval.getModel(), approval.getVersion());
      return false;
    }
    return swapIn(load);
  }

  /** Waits for a load's outcome; false if interrupted meanwhile. */
  private static boolean outcome(CompletableFuture<Boolean> outcome) {
    try {
      return outcome.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  /** Loads the approval and swaps it in; on a failure that may pass, tries again after the load's {@code retryIn} (never when null). */
  private boolean swapIn(Load request) {
    ModelApproved approval = request.approval();
    String model = approval.getModel();
    ServedModel current = served.get(model);
    if (current != null && current.version() == approval.getVersion()
        && current.approval().getArtifact().getSha256().equals(approval.getArtifact().getSha256())) {
      synchronized (this) {
        ModelStatus status = statuses.get(model);
        if (status != null && approval == latest.get(model) && status.failedVersion() != null) {
          statuses.put(model, ModelStatus.serving(model, current.version(), current.loadedAt()));
        }
      }
      return true;
    }
    if (current == null) {
      Gauge.builder("kloop.inference.model.served.version", this, models -> models.servedVersion(model))
          .description("The version of the model this instance serves (NaN while none)").tag("model", model).register(meters);
    }
    Span span = tracing.linkedTo("load model", SpanKind.CONSUMER, List.of(request.decision()));
    span.setAttribute("kloop.model", model);
    span.setAttribute("kloop.model.version", approval.getVersion());
    try {
      return load(request, current, span);
    } finally {
      span.end();
    }
  }

  private double servedVersion(String model) {
    ServedModel current = served.get(model);
    return current == null ? Double.NaN : current.version();
  }

  /** Loads the approval outside the lock (a download may take long), then swaps it in or records the failure under it. */
  private boolean load(Load request, ServedModel current, Span span) {
    long started = System.nanoTime();
    ServedModel loaded;
    try {
      loaded = load(request.approval());
    } catch (ModelLoadException e) {
      span.setStatus(StatusCode.ERROR, e.getMessage());
      failed(request, current, e);
      return false;
    }
    return swap(request, current, loaded, started);
  }

  /** Records a failed load: counted, in the status if it is the latest approval, tried again later if it may pass. */
  private synchronized void failed(Load request, ServedModel current, ModelLoadException e) {
    ModelApproved approval = request.approval();
    String model = approval.getModel();
    if (closed) {
      log.info("Model {} version {} not loaded: the service is closing ({})", model, approval.getVersion(), e.getMessage());
      return;
    }
    Duration retryIn = request.retryIn();
    SpanContext decision = request.decision();
    meters.counter("kloop.inference.model.load.failures", "model", model).increment();
    Duration wait = e.retryable() ? retryIn : null;
    if (approval == latest.get(model)) {
      // An earlier approval tried at start-up in its stead does not hide why the latest cannot serve.
      Instant now = Instant.now();
      statuses.put(model, ModelStatus.serving(model, current == null ? null : current.version(), current == null ? null : current.loadedAt())
          .withFailure(approval.getVersion(), e.getMessage(), now, wait == null ? null : now.plus(wait)));
    }
    log.error("Model {} version {} cannot be served, {}: {}{}", model, approval.getVersion(),
        current == null ? "and no earlier version is loaded" : "version " + current.version() + " keeps serving", e.getMessage(),
        wait == null ? "" : "; trying again in " + wait.toMillis() + " ms");
    if (wait != null && approval == latest.get(model)) {
      Duration next = wait.multipliedBy(2).compareTo(maxRetry) > 0 ? maxRetry : wait.multipliedBy(2);
      try {
        retries.put(model, retrier.schedule(() -> retry(approval, decision, next), wait.toMillis(), TimeUnit.MILLISECONDS));
      } catch (RejectedExecutionException closing) {
        // Shutting down.
      }
    }
  }

  private synchronized boolean swap(Load request, ServedModel current, ServedModel loaded, long started) {
    String model = request.approval().getModel();
    if (closed) {
      // Closed while it loaded: it never serves.
      loaded.retire();
      return false;
    }
    served.put(model, loaded);
    ModelStatus before = statuses.get(model);
    boolean fallback = request.fallback();
    statuses.put(model, fallback && before != null ? before.withServing(loaded.version(), loaded.loadedAt())
        : ModelStatus.serving(model, loaded.version(), loaded.loadedAt()));
    if (current != null) {
      current.retire();
    }
    meters.counter("kloop.inference.model.swaps", "model", model).increment();
    log.info("Model {} version {} serving (loaded and warmed in {} ms{}{})", model, loaded.version(), (System.nanoTime() - started) / 1_000_000,
        current == null ? "" : "; replaces version " + current.version(),
        fallback ? "; in place of the latest approval, which cannot be served" : "");
    return true;
  }

  /** Queues the approval again, unless a newer one came meanwhile or the service is closing. */
  private synchronized void retry(ModelApproved approval, SpanContext decision, Duration next) {
    String model = approval.getModel();
    if (closed || latest.get(model) != approval) {
      return;
    }
    retries.remove(model);
    enqueue(new Load(approval, decision, next, false));
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

  /**
   * One prediction on a row of zeros (for an imported model: 0, false, the first category, an empty text):
   * proves the session runs and answers one probability per class.
   */
  private static void warmUp(OnnxClassifier classifier) {
    if (classifier.signature().getOutputClasses().isEmpty()) {
      throw new IllegalStateException("the signature names no output classes");
    }
    float[][] probabilities;
    if (classifier.rawTensors()) {
      Map<String, Object> record = new HashMap<>();
      for (SignatureField input : classifier.signature().getInputs()) {
        record.put(input.getName(), switch (input.getType()) {
          case NUMERIC -> 0.0;
          case BOOLEAN -> false;
          case CATEGORICAL -> input.getCategories().isEmpty() ? "" : input.getCategories().get(0);
          case TEXT -> "";
        });
      }
      probabilities = classifier.probabilities(List.of(record));
    } else {
      probabilities = classifier.probabilities(new float[][] {new float[classifier.encoding().width()]});
    }
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

  /**
   * Stops the attempts still due and the loads in progress (their downloads interrupted), and closes every
   * session (at shutdown, after requests have drained). A load that ends after this never serves.
   */
  public void closeAll() {
    List<Load> abandoned = new ArrayList<>();
    synchronized (this) {
      closed = true;
      retries.clear();
      queued.values().forEach(abandoned::addAll);
      queued.clear();
      Map<String, ServedModel> all = new LinkedHashMap<>(served);
      served.clear();
      all.values().forEach(ServedModel::retire);
    }
    abandoned.forEach(load -> load.outcome().complete(false));
    retrier.shutdownNow();
    loaders.shutdownNow();
  }
}
