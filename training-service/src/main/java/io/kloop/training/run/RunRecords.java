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
   * stays small.
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
  }

  /** The most triggers a run lists. */
  static final int LISTED_TRIGGERS = 10;

  private final Map<String, Run> runs = new LinkedHashMap<>();

  /** Applies a replayed event: a finished run this instance may not have seen. */
  public synchronized void apply(SpecificRecord event) {
    if (event instanceof ModelTrained trained && !runs.containsKey(trained.getRunId())) {
      put(new Run(trained.getRunId(), trained.getModel(), List.of(trained.getTrigger().split(",")), Status.SUCCEEDED, null, List.of(),
          trained.getStartedAt(), trained.getStartedAt().plusMillis(trained.getDurationMillis()), trained.getDurationMillis(), null,
          trained.getMetrics().getAccuracy(), trained.getArtifact().getSha256(), 0));
    } else if (event instanceof TrainingFailed failed && !runs.containsKey(failed.getRunId())) {
      put(new Run(failed.getRunId(), failed.getModel(), List.of(failed.getTrigger().split(",")), Status.FAILED, failed.getPhase(), List.of(),
          failed.getStartedAt(), failed.getStartedAt().plusMillis(failed.getDurationMillis()), failed.getDurationMillis(),
          failed.getReason(), null, null, 0));
    }
  }

  synchronized void started(String runId, String model, List<String> triggers, Instant startedAt) {
    put(new Run(runId, model, List.copyOf(triggers), Status.RUNNING, null, List.of(), startedAt, null, null, null, null, null, 0));
  }

  synchronized void phaseStarted(String runId, String phase) {
    updateRunning(runId, run -> {
      List<Phase> phases = new ArrayList<>(run.phases());
      phases.add(new Phase(phase, null));
      return new Run(run.runId(), run.model(), run.triggers(), run.status(), phase, phases, run.startedAt(), null, null, null, null, null, run.moreTriggers());
    });
  }

  synchronized void phaseFinished(String runId, String phase, long millis) {
    updateRunning(runId, run -> {
      List<Phase> phases = new ArrayList<>(run.phases());
      phases.replaceAll(p -> p.name().equals(phase) && p.millis() == null ? new Phase(phase, millis) : p);
      return new Run(run.runId(), run.model(), run.triggers(), run.status(), run.phase(), phases, run.startedAt(), null, null, null, null, null, run.moreTriggers());
    });
  }

  synchronized void succeeded(String runId, Instant finishedAt, double testAccuracy, String sha256) {
    update(runId, run -> new Run(run.runId(), run.model(), run.triggers(), Status.SUCCEEDED, null, run.phases(), run.startedAt(), finishedAt,
        finishedAt.toEpochMilli() - run.startedAt().toEpochMilli(), null, testAccuracy, sha256, run.moreTriggers()));
  }

  synchronized void failed(String runId, Instant finishedAt, String phase, String reason) {
    update(runId, run -> new Run(run.runId(), run.model(), run.triggers(), Status.FAILED, phase, run.phases(), run.startedAt(), finishedAt,
        finishedAt.toEpochMilli() - run.startedAt().toEpochMilli(), reason, null, null, run.moreTriggers()));
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
