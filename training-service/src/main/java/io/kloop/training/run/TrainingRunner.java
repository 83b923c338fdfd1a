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

  /** A run in progress on this instance. */
  private record Running(String model, RunControl control) {}

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
    Instant startedAt = Instant.now();
    String trigger = String.join(",", triggers);
    RunControl control = new RunControl(runId);
    running.put(runId, new Running(model, control));
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
      Instant finishedAt = Instant.now();
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
        records.failed(runId, Instant.now(), failure.phase(), reason, lineage(window));
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
    return Optional.of(run.model());
  }

  /** Stops the model's run on this instance, if one is running; returns its id. */
  Optional<String> stopModel(String model, String reason) {
    for (Map.Entry<String, Running> entry : running.entrySet()) {
      if (entry.getValue().model().equals(model) && entry.getValue().control().stop(reason, true)) {
        return Optional.of(entry.getKey());
      }
    }
    return Optional.empty();
  }

  /** Stops every run without announcing them (the service shuts down; a restart runs the models again). */
  void stopAll(String reason) {
    running.values().forEach(run -> run.control().stop(reason, false));
  }

  /** Whether a run of that id is running on this instance. */
  boolean isRunning(String runId) {
    return running.containsKey(runId);
  }

  private void fail(String model, String runId, String trigger, Instant startedAt, List<DatasetBatchCommitted> window, String phase,
      String fullReason, Throwable cause) {
    Instant finishedAt = Instant.now();
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
      state.recordRun(model, new TrainingState.LastRun(runId, startedAt, failed.getLineage()));
    } catch (RuntimeException e) {
      log.error("Run {} of model {}: could not announce its failure", runId, model, e);
    }
  }

  private List<DatasetBatchCommitted> window(ModelSpec spec) {
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

  private List<BatchFiles.Row> readBatch(DatasetBatchCommitted batch) {
    try {
      return BatchFiles.read(artifacts.read(batch.getArtifact()));
    } catch (RuntimeException e) {
      throw new TrainingFailure("read", "batch " + batch.getBatchId() + " (" + batch.getArtifact().getUri() + ") cannot be used: " + e.getMessage(), e);
    }
  }

  private TrainingPipeline.Champion champion(ModelApproved approved) {
    return new TrainingPipeline.Champion(approved.getVersion(), approved.getSignature(), () -> artifacts.read(approved.getArtifact()));
  }

  private static List<BatchRef> lineage(List<DatasetBatchCommitted> window) {
    List<BatchRef> lineage = new ArrayList<>();
    for (DatasetBatchCommitted batch : window) {
      lineage.add(BatchRef.newBuilder().setDataset(batch.getDataset()).setBatchId(batch.getBatchId())
          .setSha256(batch.getArtifact().getSha256()).setRowCount(batch.getRowCount()).setStorageUri(batch.getArtifact().getUri())
          .setFeedbackRows(batch.getFeedbackRows()).build());
    }
    return lineage;
  }

  private TrainingPipeline.PhaseListener phaseListener(String runId, String model, Span run, RunControl control) {
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
