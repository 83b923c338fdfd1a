package io.kloop.training.run;

import io.kloop.events.BatchRef;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ImportOrigin;
import io.kloop.events.ModelTrained;
import io.kloop.events.TrainingFailed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.kloop.service.web.ApiErrors;
import io.kloop.service.web.ClientText;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.stereotype.Component;

/**
 * Training runs and their status, for operators: the runs of this instance as they happen (phase by
 * phase), and earlier runs of any instance replayed from {@code ModelTrained} and {@code TrainingFailed}.
 * Keeps the latest {@value #KEPT}.
 */
@Component
public class RunRecords {

  static final int KEPT = 500;

  public enum Status { RUNNING, SUCCEEDED, FAILED }

  /** What a run does: train candidates on the window ({@code TRAINING}), or judge a model imported over HTTP ({@code IMPORT}). */
  public enum Kind { TRAINING, IMPORT }

  /**
   * Where an imported model came from (the {@code ImportOrigin} of its {@code ModelTrained}): who imported it, the
   * uploaded file's SHA-256 and size, the framework and description the importer gave, and the file's own producer.
   */
  public record Origin(String importedBy, String fileSha256, long fileBytes, String framework, String description, String producerName) {

    static Origin of(ImportOrigin origin) {
      return origin == null ? null : new Origin(origin.getImportedBy(), origin.getFileSha256(), origin.getFileBytes(), origin.getFramework(),
          origin.getDescription(), origin.getProducerName());
    }
  }

  public record Phase(String name, Long millis) {}

  /**
   * A run's model on its held-out test split, as the registry and the monitor see it (the same figures as
   * {@code ModelTrained.metrics}): rows scored, accuracy, macro F1, log loss, Brier score and expected calibration error.
   */
  public record TestFigures(long rows, double accuracy, double macroF1, Double logLoss, Double brierScore, Double expectedCalibrationError) {

    static TestFigures of(EvaluationMetrics metrics) {
      return new TestFigures(metrics.getRows(), metrics.getAccuracy(), metrics.getMacroF1(), metrics.getLogLoss(), metrics.getBrierScore(),
          metrics.getExpectedCalibrationError());
    }
  }

  /** What a run read: how many batches and rows, and how many of the rows were feedback from served predictions. */
  public record Data(int batches, long rows, long feedbackRows) {

    static Data of(List<BatchRef> lineage) {
      return new Data(lineage.size(), lineage.stream().mapToLong(BatchRef::getRowCount).sum(),
          lineage.stream().mapToLong(BatchRef::getFeedbackRows).sum());
    }
  }

  /**
   * A run as operators see it. At most {@value #LISTED_TRIGGERS} triggers are listed ({@code moreTriggers} counts
   * the rest), each with its cause in words in {@code causes} (same order; null for a request this instance did not
   * receive), and the reason is cut to {@value ApiErrors#MAX_MESSAGE_CHARS} characters, so that a list of runs
   * stays small. An import ({@code kind} IMPORT) shows its {@code origin}. Eighteen fields are too many to write by position:
   * a run starts with {@link #started} and changes by name.
   */
  public record Run(String runId, String model, Kind kind, List<String> triggers, List<String> causes, Status status, String phase,
      List<Phase> phases, Instant startedAt, Instant finishedAt, Long durationMillis, String reason, Double testAccuracy, TestFigures testMetrics,
      Data data, String artifactSha256, Origin origin, int moreTriggers) {

    public Run {
      if (triggers.size() > LISTED_TRIGGERS) {
        moreTriggers += triggers.size() - LISTED_TRIGGERS;
        triggers = List.copyOf(triggers.subList(0, LISTED_TRIGGERS));
      }
      if (causes.size() > triggers.size()) {
        causes = causes.subList(0, triggers.size());
      }
      // Causes may be null (not known here), which List.copyOf refuses.
      causes = Collections.unmodifiableList(new ArrayList<>(causes));
      reason = ClientText.clip(reason, ApiErrors.MAX_MESSAGE_CHARS);
    }

    /** A training run under way, in no phase yet, started by the triggers with their causes. */
    static Run started(String runId, String model, List<String> triggers, List<String> causes, Instant startedAt) {
      return started(runId, model, Kind.TRAINING, triggers, causes, startedAt, null);
    }

    /** A run of that kind under way, in no phase yet; {@code origin} is an import's, null for a training run. */
    static Run started(String runId, String model, Kind kind, List<String> triggers, List<String> causes, Instant startedAt, Origin origin) {
      return new Run(runId, model, kind, List.copyOf(triggers), causes, Status.RUNNING, null, List.of(), startedAt, null, null, null, null,
          null, null, null, origin, 0);
    }

    /** The run under way, in {@code phase}, its phases so far {@code phases}. */
    Run inPhase(String phase, List<Phase> phases) {
      return new Run(runId, model, kind, triggers, causes, status, phase, phases, startedAt, null, null, null, null, null, null, null, origin,
          moreTriggers);
    }

    /** The run ended with a model, {@code finishedAt}, having read {@code lineage}. */
    Run succeeded(Instant finishedAt, EvaluationMetrics metrics, List<BatchRef> lineage, String artifactSha256) {
      return new Run(runId, model, kind, triggers, causes, Status.SUCCEEDED, null, phases, startedAt, finishedAt,
          finishedAt.toEpochMilli() - startedAt.toEpochMilli(), null, metrics.getAccuracy(), TestFigures.of(metrics), Data.of(lineage),
          artifactSha256, origin, moreTriggers);
    }

    /** The run failed in {@code phase}, {@code finishedAt}, having read (or been about to read) {@code lineage}. */
    Run failed(Instant finishedAt, String phase, String reason, List<BatchRef> lineage) {
      return new Run(runId, model, kind, triggers, causes, Status.FAILED, phase, phases, startedAt, finishedAt,
          finishedAt.toEpochMilli() - startedAt.toEpochMilli(), reason, null, null, Data.of(lineage), null, origin, moreTriggers);
    }
  }

  /** The most triggers a run lists. */
  static final int LISTED_TRIGGERS = 10;

  private final Map<String, Run> runs = new LinkedHashMap<>();
  private final RequestCauses causes;

  public RunRecords(RequestCauses causes) {
    this.causes = causes;
  }

  /** Applies a replayed event: a finished run this instance may not have seen. */
  public synchronized void apply(SpecificRecord event) {
    if (event instanceof ModelTrained trained && !runs.containsKey(trained.getRunId())) {
      List<String> triggers = List.of(trained.getTrigger().split(","));
      put(Run.started(trained.getRunId(), trained.getModel(), kind(trained.getTrigger()), triggers, causes.describe(triggers),
              trained.getStartedAt(), Origin.of(trained.getOrigin()))
          .succeeded(trained.getStartedAt().plusMillis(trained.getDurationMillis()), trained.getMetrics(), trained.getLineage(),
              trained.getArtifact().getSha256()));
    } else if (event instanceof TrainingFailed failed && !runs.containsKey(failed.getRunId())) {
      List<String> triggers = List.of(failed.getTrigger().split(","));
      put(Run.started(failed.getRunId(), failed.getModel(), kind(failed.getTrigger()), triggers, causes.describe(triggers), failed.getStartedAt(),
              null)
          .failed(failed.getStartedAt().plusMillis(failed.getDurationMillis()), failed.getPhase(), failed.getReason(), failed.getLineage()));
    }
  }

  synchronized void started(String runId, String model, List<String> triggers, Instant startedAt) {
    put(Run.started(runId, model, triggers, causes.describe(triggers), startedAt));
  }

  /** An import of this instance started (its trigger is {@value ImportRuns#TRIGGER}). */
  synchronized void importStarted(String runId, String model, Instant startedAt, Origin origin) {
    List<String> triggers = List.of(ImportRuns.TRIGGER);
    put(Run.started(runId, model, Kind.IMPORT, triggers, causes.describe(triggers), startedAt, origin));
  }

  private static Kind kind(String trigger) {
    return ImportRuns.TRIGGER.equals(trigger) ? Kind.IMPORT : Kind.TRAINING;
  }

  synchronized void phaseStarted(String runId, String phase) {
    updateRunning(runId, run -> {
      List<Phase> phases = new ArrayList<>(run.phases());
      phases.add(new Phase(phase, null));
      return run.inPhase(phase, phases);
    });
  }

  synchronized void phaseFinished(String runId, String phase, long millis) {
    updateRunning(runId, run -> {
      List<Phase> phases = new ArrayList<>(run.phases());
      phases.replaceAll(p -> p.name().equals(phase) && p.millis() == null ? new Phase(phase, millis) : p);
      return run.inPhase(run.phase(), phases);
    });
  }

  synchronized void succeeded(String runId, Instant finishedAt, EvaluationMetrics metrics, List<BatchRef> lineage, String sha256) {
    update(runId, run -> run.succeeded(finishedAt, metrics, lineage, sha256));
  }

  synchronized void failed(String runId, Instant finishedAt, String phase, String reason, List<BatchRef> lineage) {
    update(runId, run -> run.failed(finishedAt, phase, reason, lineage));
  }

  /** At most this many runs, newest first, optionally of one model only. */
  public synchronized List<Run> list(String model, int limit) {
    return runs.values().stream().filter(run -> model == null || run.model().equals(model))
        .sorted(Comparator.comparing(Run::startedAt).reversed()).limit(limit).toList();
  }

  /** A run this instance knows of. */
  public synchronized java.util.Optional<Run> find(String runId) {
    return java.util.Optional.ofNullable(runs.get(runId));
  }

  private void update(String runId, java.util.function.UnaryOperator<Run> change) {
    Run run = runs.get(runId);
    if (run != null) {
      runs.put(runId, change.apply(run));
    }
  }

  /** Changes a run that is still running; a finished one stays as it ended (an abandoned fit may still report phases). */
  private void updateRunning(String runId, java.util.function.UnaryOperator<Run> change) {
    Run run = runs.get(runId);
    if (run != null && run.status() == Status.RUNNING) {
      runs.put(runId, change.apply(run));
    }
  }

  private void put(Run run) {
    runs.put(run.runId(), run);
    if (runs.size() > KEPT) {
      runs.values().stream().min(Comparator.comparing(Run::startedAt)).ifPresent(oldest -> runs.remove(oldest.runId()));
    }
  }
}
