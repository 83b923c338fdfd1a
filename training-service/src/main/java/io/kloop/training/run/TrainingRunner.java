package io.kloop.training.run;

import io.kloop.events.BatchRef;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelTrained;
import io.kloop.events.TrainingFailed;
import io.kloop.events.TrainingWindowKind;
import io.kloop.schemas.BatchFiles;
import io.kloop.schemas.EventMetadata;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.ArtifactStore;
import io.kloop.service.kafka.Acknowledgements;
import io.kloop.service.web.ClientText;
import io.kloop.training.TrainingServiceApplication;
import io.kloop.training.spec.ModelSpec;
import io.kloop.training.state.TrainingState;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Carries out one run of a model: picks the window of batches, finds the champion, runs the
 * {@link TrainingPipeline}, stores the ONNX file and announces {@code ModelTrained}, or, whatever went
 * wrong, {@code TrainingFailed} with the phase and the reason. Logs each phase with its duration; its
 * {@link RunObservations} time the phases and the run (tags model, phase or outcome) and keep the last successful
 * run's test metrics in gauges (tags model, metric).
 *
 * <p>A run is a trace of its own ({@code training run}), linked to the traces of its causes (the batches it
 * reads, the retraining requests that asked for it), with a child span per phase ({@code phase read},
 * {@code phase split}, ...); the {@code ModelTrained} it announces carries the run's trace context, which
 * the registry's decision links to.
 */
@Component
class TrainingRunner {

  static final String NEW_DATA = "new-data";
  /** A failure's reason (in {@code TrainingFailed}) is cut to this length. */
  static final int MAX_REASON_CHARS = 2_000;
  static final String ONNX_MEDIA_TYPE = "application/onnx";
  private static final Logger log = LoggerFactory.getLogger(TrainingRunner.class);

  private final TrainingState state;
  private final ArtifactStore artifacts;
  private final KafkaTemplate<String, Object> template;
  private final RunRecords records;
  private final RunSettings settings;
  private final RunObservations observations;
  private final Map<String, Running> running = new ConcurrentHashMap<>();

  /**
   * A run of this instance: in progress, or an accepted import waiting for a thread ({@code waiting} not null), which
   * can be cancelled, retired or failed at shutdown like a run in progress.
   */
  private record Running(String model, RunControl control, Waiting waiting) {}

  /** An accepted import waiting for a thread: whoever claims it first judges it, or fails it without judging it. */
  private record Waiting(ImportRuns.Job job, AtomicBoolean claimed, Runnable done) {
    boolean claim() {
      return claimed.compareAndSet(false, true);
    }
  }

  TrainingRunner(TrainingState state, ArtifactStore artifacts, KafkaTemplate<String, Object> template, RunRecords records,
      RunSettings settings, RunObservations observations) {
    this.state = state;
    this.artifacts = artifacts;
    this.template = template;
    this.records = records;
    this.settings = settings;
    this.observations = observations;
  }

  /** Runs the model once for the given triggers ({@value #NEW_DATA} or retraining request ids). */
  void run(String model, List<String> triggers) {
    if (!observations.tracing()) {
      run(model, triggers, Span.getInvalid());
      return;
    }
    Span span = observations.runSpan(model, triggers);
    try (Scope scope = span.makeCurrent()) {
      run(model, triggers, span);
    } finally {
      span.end();
    }
  }

  private void run(String model, List<String> triggers, Span span) {
    long begun = System.nanoTime();
    String runId = model + "-" + UUID.randomUUID();
    span.setAttribute("kloop.run.id", runId);
    Instant startedAt = settings.clock().instant();
    String trigger = String.join(",", triggers);
    RunControl control = new RunControl(runId);
    running.put(runId, new Running(model, control, null));
    records.started(runId, model, triggers, startedAt);
    MDC.put("run", runId);
    log.info("Run {} of model {} started (trigger {})", runId, model, trigger);
    List<DatasetBatchCommitted> window = List.of();
    try {
      ModelSpec spec = declared(model);
      // The window first: a run that fails still records the batches it was to read, so they are no longer new.
      window = window(spec);
      requireValid(spec);
      DatasetSpecDeclared dataset = state.datasetSpec(spec.dataset()).orElseThrow(() -> new TrainingFailure("read",
          "dataset " + spec.dataset() + " has no spec (declare it with PUT /v1/datasets/" + spec.dataset() + " on ingest)"));
      observations.linkBatches(span, window);
      if (window.isEmpty()) {
        throw new TrainingFailure("read", "dataset " + spec.dataset() + " has no committed batches yet");
      }
      TrainingPipeline.Champion champion = state.champion(model).map(this::champion).orElse(null);
      TrainingPipeline pipeline = new TrainingPipeline(this::readBatch, phaseListener(runId, model, span, control), settings.seed(),
          settings.textHashBuckets(), control::check);
      List<DatasetBatchCommitted> batches = window;
      // The work runs on a thread of its own, within the time limit; a cancellation stops it at its next check.
      TrainingPipeline.Result result = control.execute(inThisContext(() -> pipeline.run(spec, dataset, batches,
          spec.window().kind() == TrainingWindowKind.LAST_ROWS ? spec.window().size() : 0, champion, startedAt.toEpochMilli())), settings.timeLimit());
      control.finish();
      var artifact = artifacts.put(result.onnx(), ONNX_MEDIA_TYPE);
      Instant finishedAt = settings.clock().instant();
      ModelTrained trained = EventMetadata.fresh(finishedAt, TrainingServiceApplication.NAME).build(ModelTrained.newBuilder()
          .setModel(model)
          .setRunId(runId)
          .setDataset(spec.dataset())
          .setLineage(lineage(window))
          .setTrigger(trigger)
          .setAlgorithm(result.algorithm().id())
          .setHyperparameters(result.parameters())
          .setMetrics(result.metrics())
          .setChampionVersion(result.championVersion())
          .setChampionMetrics(result.championMetrics())
          .setReferenceProfile(result.profile())
          .setArtifact(artifact)
          .setSignature(result.signature())
          .setCodeVersion(settings.codeVersion())
          .setStartedAt(startedAt)
          .setDurationMillis(finishedAt.toEpochMilli() - startedAt.toEpochMilli()));
      announce(Topics.MODEL_TRAINED.name(), model, trained);
      state.recordRun(model, new TrainingState.LastRun(runId, startedAt, trained.getLineage()));
      records.succeeded(runId, finishedAt, result.metrics(), trained.getLineage(), artifact.getSha256());
      observations.counted(model, "succeeded");
      observations.runDuration(model, "succeeded", begun);
      observations.testMetrics(model, result.metrics());
      log.info("Run {} of model {} succeeded in {} ms: {} on {} rows, test accuracy {}{}, ONNX {}", runId, model,
          trained.getDurationMillis(), result.algorithm().id(), result.trainingRows(), result.metrics().getAccuracy(),
          result.championMetrics() == null ? "" : " (champion v" + result.championVersion() + ": " + result.championMetrics().getAccuracy() + ")",
          artifact.getUri());
    } catch (TrainingFailure failure) {
      // An expected failure (bad data, export mismatch, cancelled) is told by its reason; its stack trace only at debug level.
      log.debug("Run {} failure", runId, failure);
      RunControl.Stop stopped = control.stopped();
      String reason = stopped == null ? failure.getMessage() : stopped.reason();
      span.setStatus(StatusCode.ERROR, failure.phase() + ": " + reason);
      if (stopped != null && !stopped.announce()) {
        // The service is stopping: the run is not over for good, a restart runs the model again.
        records.failed(runId, settings.clock().instant(), failure.phase(), reason, lineage(window));
        log.warn("Run {} of model {} stopped in phase {}: {}", runId, model, failure.phase(), reason);
      } else {
        fail(model, runId, trigger, startedAt, window, failure.phase(), reason, failure.getCause() instanceof Error ? failure.getCause() : null);
        observations.runDuration(model, "failed", begun);
      }
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.toString());
      fail(model, runId, trigger, startedAt, window, control.phase(), e.toString(), e);
      observations.runDuration(model, "failed", begun);
    } finally {
      running.remove(runId);
      MDC.remove("run");
    }
  }

  /**
   * Registers an accepted import as a run of this instance while it waits for a thread, so that it can be cancelled,
   * stopped by its model's retirement or failed at shutdown before it starts.
   *
   * @param done called once when the import has ended (judged, failed, or failed while waiting)
   * @return the work that judges it, for the runs' threads; it does nothing when the import was failed while waiting
   */
  Runnable queue(ImportRuns.Job job, Runnable done) {
    RunControl control = new RunControl(job.runId());
    Waiting waiting = new Waiting(job, new AtomicBoolean(), done);
    running.put(job.runId(), new Running(job.spec().name(), control, waiting));
    return () -> {
      if (!waiting.claim()) {
        return;
      }
      try {
        runImport(job, control);
      } finally {
        done.run();
      }
    };
  }

  /** Fails an import that waited for a thread and never started, with the reason, and announces it. */
  private void failWaiting(Running run, String reason) {
    ImportRuns.Job job = run.waiting().job();
    try {
      running.remove(job.runId());
      fail(run.model(), job.runId(), ImportRuns.TRIGGER, job.startedAt(), List.of(), run.control().phase(), reason, null);
    } finally {
      run.waiting().done().run();
    }
  }

  /**
   * Judges an imported model whose file passed the import's checks ({@link ImportRuns}) and was stored: scores it and the
   * champion on the test split of the model's window, profiles it, and announces {@code ModelTrained} (algorithm
   * {@value ImportRuns#ALGORITHM}, its origin); or, whatever went wrong, {@code TrainingFailed} with the phase and the
   * reason. Runs within the time limit and can be cancelled like a training run; a model retired since the import was
   * accepted fails it. An import stopped by the service's shutdown is announced as failed too: no restart runs it again.
   * It is no run of the model for its triggers (see {@link TrainingState#IMPORT}).
   */
  private void runImport(ImportRuns.Job job, RunControl control) {
    long begun = System.nanoTime();
    String model = job.spec().name();
    String runId = job.runId();
    Span span = observations.tracing() ? observations.runSpan(model, List.of(ImportRuns.TRIGGER)) : Span.getInvalid();
    running.put(runId, new Running(model, control, null));
    MDC.put("run", runId);
    List<DatasetBatchCommitted> window = List.of();
    try (Scope scope = span.makeCurrent()) {
      span.setAttribute("kloop.run.id", runId);
      control.check();
      // Retired while it waited: it is not judged, and no ModelTrained names a retired model.
      declared(model);
      window = window(job.spec());
      DatasetSpecDeclared dataset = state.datasetSpec(job.spec().dataset()).orElseThrow(() -> new TrainingFailure("read",
          "dataset " + job.spec().dataset() + " has no spec"));
      if (window.isEmpty()) {
        throw new TrainingFailure("read", "dataset " + job.spec().dataset() + " has no committed batches");
      }
      TrainingPipeline.Champion champion = state.champion(model).map(this::champion).orElse(null);
      ImportPipeline pipeline = new ImportPipeline(this::readBatch, phaseListener(runId, model, span, control), settings.seed(), control::check);
      List<DatasetBatchCommitted> batches = window;
      long lastRows = job.spec().window().kind() == TrainingWindowKind.LAST_ROWS ? job.spec().window().size() : 0;
      ImportPipeline.Result result = control.execute(inThisContext(() -> pipeline.run(model, () -> storedFile(job), job.signature(), dataset,
          batches, lastRows, champion)), settings.timeLimit());
      control.finish();
      Instant finishedAt = settings.clock().instant();
      ModelTrained trained = EventMetadata.fresh(finishedAt, TrainingServiceApplication.NAME).build(ModelTrained.newBuilder()
          .setModel(model)
          .setRunId(runId)
          .setDataset(job.spec().dataset())
          .setLineage(lineage(window))
          .setTrigger(ImportRuns.TRIGGER)
          .setAlgorithm(ImportRuns.ALGORITHM)
          .setHyperparameters(Map.of())
          .setMetrics(result.metrics())
          .setChampionVersion(result.championVersion())
          .setChampionMetrics(result.championMetrics())
          .setReferenceProfile(result.profile())
          .setArtifact(job.artifact())
          .setSignature(job.signature())
          .setOrigin(job.origin())
          .setCodeVersion(settings.codeVersion())
          .setStartedAt(job.startedAt())
          .setDurationMillis(finishedAt.toEpochMilli() - job.startedAt().toEpochMilli()));
      announce(Topics.MODEL_TRAINED.name(), model, trained);
      records.succeeded(runId, finishedAt, result.metrics(), trained.getLineage(), job.artifact().getSha256());
      observations.counted(model, "succeeded");
      observations.runDuration(model, "succeeded", begun);
      log.info("Import {} of model {} succeeded in {} ms: test accuracy {}{}, ONNX {}", runId, model, trained.getDurationMillis(),
          result.metrics().getAccuracy(), result.championMetrics() == null ? ""
              : " (champion v" + result.championVersion() + ": " + result.championMetrics().getAccuracy() + ")", job.artifact().getUri());
    } catch (TrainingFailure failure) {
      log.debug("Import {} failure", runId, failure);
      RunControl.Stop stopped = control.stopped();
      String reason = stopped == null ? failure.getMessage() : stopped.reason();
      span.setStatus(StatusCode.ERROR, failure.phase() + ": " + reason);
      // Announced even when the service is stopping: no restart judges an import again, so its end must be known.
      fail(model, runId, ImportRuns.TRIGGER, job.startedAt(), window, failure.phase(), reason, failure.getCause() instanceof Error ? failure.getCause() : null);
      observations.runDuration(model, "failed", begun);
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.toString());
      fail(model, runId, ImportRuns.TRIGGER, job.startedAt(), window, control.phase(), e.toString(), e);
      observations.runDuration(model, "failed", begun);
    } finally {
      running.remove(runId);
      MDC.remove("run");
      span.end();
    }
  }

  /** Stores an imported file in the artifact store, where it waits to be judged (its bytes are not held in memory meanwhile). */
  io.kloop.events.ArtifactRef store(byte[] file) {
    return artifacts.put(file, ONNX_MEDIA_TYPE);
  }

  /** An accepted import's file, read back from the artifact store (its SHA-256 verified). */
  private byte[] storedFile(ImportRuns.Job job) {
    try {
      return artifacts.read(job.artifact());
    } catch (RuntimeException e) {
      throw new TrainingFailure("read", "the imported file " + job.artifact().getUri() + " cannot be read back from the artifact store: "
          + e.getMessage(), e);
    }
  }

  /** The work, run on another thread with this thread's trace context and log context (the run's id). */
  private static <T> java.util.concurrent.Callable<T> inThisContext(java.util.concurrent.Callable<T> work) {
    Context trace = Context.current();
    Map<String, String> logContext = MDC.getCopyOfContextMap();
    return () -> {
      if (logContext != null) {
        MDC.setContextMap(logContext);
      }
      try (Scope scope = trace.makeCurrent()) {
        return work.call();
      } finally {
        MDC.clear();
      }
    };
  }

  /** The model's spec, unless it has none or was retired. */
  private ModelSpec declared(String model) {
    return state.modelSpec(model).orElseThrow(() -> new TrainingFailure("schedule", state.retirement(model)
        .map(retired -> "model " + model + " was retired by " + retired.by() + " at " + retired.at() + "; declare it again with PUT /v1/models/" + model)
        .orElse("model " + model + " has no spec; declare it with PUT /v1/models/" + model)));
  }

  /** A stored spec may break today's rules (stored by an older version, or written to the topic by anything else). */
  private static void requireValid(ModelSpec spec) {
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) {
      throw new TrainingFailure("schedule", "the model's stored spec is not valid: " + String.join("; ", problems)
          + "; declare a valid one with PUT /v1/models/" + spec.name() + ", or retire the model");
    }
  }

  /**
   * Stops a run of this instance (cancellation over HTTP, a model's retirement): it ends as failed with the
   * reason, in the phase it was in, and its work stops at its next check.
   *
   * @return the run's model, or empty when no run of that id is running here
   */
  Optional<String> stop(String runId, String reason) {
    Running run = running.get(runId);
    if (run == null || !run.control().stop(reason, true)) {
      return Optional.empty();
    }
    if (run.waiting() != null && run.waiting().claim()) {
      failWaiting(run, reason);
    }
    return Optional.of(run.model());
  }

  /** Stops the model's runs on this instance (its training run, its imports judged or waiting); returns their ids. */
  List<String> stopModel(String model, String reason) {
    List<String> stopped = new ArrayList<>();
    for (Map.Entry<String, Running> entry : running.entrySet()) {
      if (entry.getValue().model().equals(model) && stop(entry.getKey(), reason).isPresent()) {
        stopped.add(entry.getKey());
      }
    }
    return stopped;
  }

  /**
   * The service shuts down: every run in progress stops without being announced (a restart runs the models again),
   * except imports, which no restart judges again: one in progress is announced as failed when it stops, and one still
   * waiting for a thread is failed now with {@code waitingReason}. (The producer is still open here: the runs' scheduler,
   * which calls this, is destroyed before the Kafka template it depends on. Should Kafka not acknowledge, the error is
   * logged naming the run.)
   */
  void stopAll(String reason, String waitingReason) {
    for (Running run : List.copyOf(running.values())) {
      if (run.waiting() != null && run.waiting().claim()) {
        run.control().stop(waitingReason, true);
        log.warn("Import {} of model {} was waiting for a thread when the service stopped: it fails without being judged; import the "
            + "file again", run.waiting().job().runId(), run.model());
        failWaiting(run, waitingReason);
      } else {
        run.control().stop(reason, false);
      }
    }
  }

  /** Whether a run of that id is running on this instance. */
  boolean isRunning(String runId) {
    return running.containsKey(runId);
  }

  void fail(String model, String runId, String trigger, Instant startedAt, List<DatasetBatchCommitted> window, String phase,
      String fullReason, Throwable cause) {
    Instant finishedAt = settings.clock().instant();
    String reason = ClientText.clip(fullReason, MAX_REASON_CHARS);
    if (cause != null) {
      log.warn("Run {} of model {} failed in phase {}: {}", runId, model, phase, reason, cause);
    } else {
      log.warn("Run {} of model {} failed in phase {}: {}", runId, model, phase, reason);
    }
    records.failed(runId, finishedAt, phase, reason, lineage(window));
    observations.counted(model, "failed");
    TrainingFailed failed = EventMetadata.fresh(finishedAt, TrainingServiceApplication.NAME).build(TrainingFailed.newBuilder()
        .setModel(model)
        .setRunId(runId)
        .setTrigger(trigger)
        .setPhase(phase)
        .setReason(reason)
        .setLineage(lineage(window))
        .setCodeVersion(settings.codeVersion())
        .setStartedAt(startedAt)
        .setDurationMillis(finishedAt.toEpochMilli() - startedAt.toEpochMilli()));
    try {
      announce(Topics.TRAINING_FAILED.name(), model, failed);
      if (!TrainingState.IMPORT.equals(trigger)) {
        state.recordRun(model, new TrainingState.LastRun(runId, startedAt, failed.getLineage()));
      }
    } catch (RuntimeException e) {
      log.error("Run {} of model {}: could not announce its failure ({}); other instances and a restart will not know it failed: {}",
          runId, model, reason, e.toString(), e);
    }
  }

  List<DatasetBatchCommitted> window(ModelSpec spec) {
    List<DatasetBatchCommitted> all = state.batches(spec.dataset());
    // A stored spec may hold any size; a negative one means an empty window (the run then fails naming it).
    long size = Math.max(0, spec.window().size());
    return switch (spec.window().kind()) {
      case ALL -> all;
      case LAST_BATCHES -> all.subList((int) Math.max(0, all.size() - Math.min(size, all.size())), all.size());
      case LAST_ROWS -> {
        int first = all.size();
        long rows = 0;
        while (first > 0 && rows < size) {
          first--;
          rows += all.get(first).getRowCount();
        }
        yield all.subList(first, all.size());
      }
    };
  }

  List<BatchFiles.Row> readBatch(DatasetBatchCommitted batch) {
    try {
      return BatchFiles.read(artifacts.read(batch.getArtifact()));
    } catch (RuntimeException e) {
      throw new TrainingFailure("read", "batch " + batch.getBatchId() + " (" + batch.getArtifact().getUri() + ") cannot be used: " + e.getMessage(), e);
    }
  }

  private TrainingPipeline.Champion champion(ModelApproved approved) {
    return new TrainingPipeline.Champion(approved.getVersion(), approved.getSignature(), () -> artifacts.read(approved.getArtifact()));
  }

  static List<BatchRef> lineage(List<DatasetBatchCommitted> window) {
    List<BatchRef> lineage = new ArrayList<>();
    for (DatasetBatchCommitted batch : window) {
      lineage.add(BatchRef.newBuilder().setDataset(batch.getDataset()).setBatchId(batch.getBatchId())
          .setSha256(batch.getArtifact().getSha256()).setRowCount(batch.getRowCount()).setStorageUri(batch.getArtifact().getUri())
          .setFeedbackRows(batch.getFeedbackRows()).build());
    }
    return lineage;
  }

  TrainingPipeline.PhaseListener phaseListener(String runId, String model, Span run, RunControl control) {
    return new TrainingPipeline.PhaseListener() {
      private Span phaseSpan = Span.getInvalid();

      @Override
      public void started(String phase) {
        control.enter(phase);
        records.phaseStarted(runId, phase);
        log.debug("Run {}: phase {} started", runId, phase);
        phaseSpan = observations.phaseSpan(run, phase);
      }

      @Override
      public void finished(String phase, long millis) {
        phaseSpan.end();
        phaseSpan = Span.getInvalid();
        records.phaseFinished(runId, phase, millis);
        observations.phaseFinished(model, phase, millis);
        log.info("Run {}: phase {} took {} ms", runId, phase, millis);
      }
    };
  }

  private void announce(String topic, String model, Object event) {
    Acknowledgements.await(template.send(topic, model, event), "announce to " + topic);
  }
}
