package io.kloop.training.run;

import io.kloop.events.ModelTrained;
import io.kloop.events.TrainingFailed;
import java.time.Instant;
import java.util.ArrayList;
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

  public record Phase(String name, Long millis) {}

  /**
   * A run as operators see it. At most {@value #LISTED_TRIGGERS} triggers are listed ({@code moreTriggers} counts
   * the rest) and the reason is cut to {@value ApiErrors#MAX_MESSAGE_CHARS} characters, so that a list of runs
   * stays small. Thirteen fields are too many to write by position: a run starts with {@link #started} and
   * changes by name.
   */
  public record Run(String runId, String model, List<String> triggers, Status status, String phase, List<Phase> phases,
      Instant startedAt, Instant finishedAt, Long durationMillis, String reason, Double testAccuracy, String artifactSha256,
      int moreTriggers) {

    public Run {
      if (triggers.size() > LISTED_TRIGGERS) {
        moreTriggers += triggers.size() - LISTED_TRIGGERS;
        triggers = List.copyOf(triggers.subList(0, LISTED_TRIGGERS));
      }
      reason = ClientText.clip(reason, ApiErrors.MAX_MESSAGE_CHARS);
    }

    /** A run under way, in no phase yet. */
    static Run started(String runId, String model, List<String> triggers, Instant startedAt) {
      return new Run(runId, model, List.copyOf(triggers), Status.RUNNING, null, List.of(), startedAt, null, null, null, null, null, 0);
    }

    /** The run under way, in {@code phase}, its phases so far {@code phases}. */
    Run inPhase(String phase, List<Phase> phases) {
      return new Run(runId, model, triggers, status, phase, phases, startedAt, null, null, null, null, null, moreTriggers);
    }

    /** The run ended with a model, {@code finishedAt}. */
    Run succeeded(Instant finishedAt, double testAccuracy, String artifactSha256) {
      return new Run(runId, model, triggers, Status.SUCCEEDED, null, phases, startedAt, finishedAt,
          finishedAt.toEpochMilli() - startedAt.toEpochMilli(), null, testAccuracy, artifactSha256, moreTriggers);
    }

    /** The run failed in {@code phase}, {@code finishedAt}. */
    Run failed(Instant finishedAt, String phase, String reason) {
      return new Run(runId, model, triggers, Status.FAILED, phase, phases, startedAt, finishedAt,
          finishedAt.toEpochMilli() - startedAt.toEpochMilli(), reason, null, null, moreTriggers);
    }
  }

  /** The most triggers a run lists. */
  static final int LISTED_TRIGGERS = 10;

  private final Map<String, Run> runs = new LinkedHashMap<>();

  /** Applies a replayed event: a finished run this instance may not have seen. */
  public synchronized void apply(SpecificRecord event) {
    if (event instanceof ModelTrained trained && !runs.containsKey(trained.getRunId())) {
      put(Run.started(trained.getRunId(), trained.getModel(), List.of(trained.getTrigger().split(",")), trained.getStartedAt())
          .succeeded(trained.getStartedAt().plusMillis(trained.getDurationMillis()), trained.getMetrics().getAccuracy(),
              trained.getArtifact().getSha256()));
    } else if (event instanceof TrainingFailed failed && !runs.containsKey(failed.getRunId())) {
      put(Run.started(failed.getRunId(), failed.getModel(), List.of(failed.getTrigger().split(",")), failed.getStartedAt())
          .failed(failed.getStartedAt().plusMillis(failed.getDurationMillis()), failed.getPhase(), failed.getReason()));
    }
  }

  synchronized void started(String runId, String model, List<String> triggers, Instant startedAt) {
    put(Run.started(runId, model, triggers, startedAt));
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

  synchronized void succeeded(String runId, Instant finishedAt, double testAccuracy, String sha256) {
    update(runId, run -> run.succeeded(finishedAt, testAccuracy, sha256));
  }

  synchronized void failed(String runId, Instant finishedAt, String phase, String reason) {
    update(runId, run -> run.failed(finishedAt, phase, reason));
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
