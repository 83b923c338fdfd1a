package io.kloop.training.run;

import io.kloop.training.TrainingProperties;
import io.kloop.training.spec.ModelSpec;
import io.kloop.training.state.TrainingState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Decides when models train. New data starts a run once {@code minNewRows} rows arrived since the model's
 * last run and its cooldown has passed (if it has not, the check is repeated when it does). A retraining
 * request starts a run at once, unless it was taken before (by its event id). A model never trains twice at the same
 * time: whatever arrives during a run is remembered and, when the run ends, all of it together starts exactly one
 * follow-up run.
 */
@Component
public class RunScheduler implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(RunScheduler.class);

  /** What an operator sees of a model's scheduling. */
  public record ModelStatus(boolean running, List<String> pending) {}

  /** What became of a request to cancel a run. */
  public enum Cancellation {
    /** The run was running here and is stopping; it ends as failed with the reason. */
    CANCELLING,
    /** The run has ended already (or is announcing its result). */
    NOT_RUNNING,
    /** No run of that id is known. */
    UNKNOWN
  }

  /**
   * The most retraining requests remembered for one follow-up run: the requests beyond still start it, but
   * its {@code trigger} lists only these (a flood of requests must not make the events grow without bound).
   */
  static final int MAX_PENDING = 100;

  private static final class ModelRuns {
    boolean running;
    final Set<String> pending = new LinkedHashSet<>();
    long dropped;
  }

  private final TrainingState state;
  private final TrainingRunner runner;
  private final RunRecords records;
  private final Map<String, ModelRuns> models = new ConcurrentHashMap<>();
  private final ExecutorService runs;
  private final ScheduledExecutorService timers;
  private final Clock clock;

  RunScheduler(TrainingState state, TrainingRunner runner, RunRecords records, TrainingProperties properties, Clock clock) {
    this.clock = clock;
    this.state = state;
    this.runner = runner;
    this.records = records;
    AtomicInteger threads = new AtomicInteger();
    this.runs = Executors.newFixedThreadPool(Math.max(1, properties.maxConcurrentRuns()), task -> {
      Thread thread = new Thread(task, "training-run-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    this.timers = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "training-cooldown");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * After a start, every model checks its new rows once: data committed while the service was down, or a
   * run that a cooldown timer was holding back, would otherwise wait for the next batch.
   */
  @EventListener(ApplicationReadyEvent.class)
  void recheckAfterStart() {
    for (ModelSpec spec : state.modelSpecs()) {
      try {
        considerNewData(spec.name());
      } catch (RuntimeException e) {
        // One model's trouble must not stop the service from starting, nor the other models from training.
        log.error("Model {}: could not check for new data at start-up", spec.name(), e);
      }
    }
  }

  /** New data for a dataset: every model trained on it checks whether it should run. */
  public void newData(String dataset) {
    state.modelsOf(dataset).forEach(spec -> considerNewData(spec.name()));
  }

  /**
   * A request to retrain ({@code trigger} is the request's event id): runs now, or right after the current run. A
   * request taken before (a redelivery; the same scheduled firing asked for by two instances) is left alone.
   *
   * @return whether the request was new
   */
  public boolean request(String model, String trigger) {
    if (!state.takeRequest(model, trigger)) {
      log.info("Retraining request {} for model {} was taken before (a redelivery): it starts no second run", trigger, model);
      return false;
    }
    submit(model, trigger);
    return true;
  }

  public ModelStatus status(String model) {
    ModelRuns runs = models.get(model);
    if (runs == null) {
      return new ModelStatus(false, List.of());
    }
    synchronized (runs) {
      return new ModelStatus(runs.running, List.copyOf(runs.pending));
    }
  }

  void considerNewData(String model) {
    Optional<ModelSpec> found = state.modelSpec(model);
    if (found.isEmpty()) {
      return;
    }
    ModelSpec spec = found.get();
    long rows = state.newRows(spec);
    // A stored spec may break today's rules (minNewRows 0, a cooldown of centuries): a new row is always needed,
    // and no wait is longer than the longest cooldown a spec may have. Its run then fails naming its problems.
    long needed = Math.max(1, spec.minNewRows());
    if (rows < needed) {
      log.debug("Model {}: {} new rows of {} needed", model, rows, needed);
      return;
    }
    Duration cooldown = spec.cooldown() == null || spec.cooldown().isNegative() ? Duration.ZERO
        : spec.cooldown().compareTo(ModelSpec.MAX_COOLDOWN) > 0 ? ModelSpec.MAX_COOLDOWN : spec.cooldown();
    Optional<Instant> lastStart = state.lastRun(model).map(TrainingState.LastRun::startedAt);
    Duration wait = lastStart.map(start -> cooldown.minus(Duration.between(start, clock.instant()))).orElse(Duration.ZERO);
    if (!wait.isNegative() && !wait.isZero()) {
      log.info("Model {}: {} new rows, but its cooldown lasts {} more ms", model, rows, wait.toMillis());
      timers.schedule(() -> considerNewData(model), wait.toMillis() + 1, TimeUnit.MILLISECONDS);
      return;
    }
    log.info("Model {}: {} new rows (at least {} needed)", model, rows, needed);
    submit(model, TrainingRunner.NEW_DATA);
  }

  private void submit(String model, String trigger) {
    ModelRuns runs = models.computeIfAbsent(model, m -> new ModelRuns());
    synchronized (runs) {
      if (runs.running) {
        if (runs.pending.size() < MAX_PENDING || runs.pending.contains(trigger)) {
          runs.pending.add(trigger);
          log.info("Model {} is training; {} will start one run after it ({} waiting)", model, trigger, runs.pending.size());
        } else {
          runs.dropped++;
          log.info("Model {} is training; {} joins the {} requests waiting for one run after it, but is not listed in its trigger "
              + "(at most {} are)", model, trigger, runs.pending.size() + runs.dropped, MAX_PENDING);
        }
        return;
      }
      runs.running = true;
    }
    this.runs.submit(() -> runUntilNothingWaits(model, List.of(trigger)));
  }

  private void runUntilNothingWaits(String model, List<String> triggers) {
    ModelRuns runs = models.get(model);
    List<String> next = triggers;
    boolean recheckNewData = false;
    while (next != null) {
      try {
        runner.run(model, next);
      } catch (Throwable e) {
        // Even an Error (out of memory, a native library that cannot load) must not leave the model "running".
        log.error("Model {}: run ended unexpectedly", model, e);
      }
      synchronized (runs) {
        Set<String> waiting = new LinkedHashSet<>(runs.pending);
        runs.pending.clear();
        runs.dropped = 0;
        if (waiting.isEmpty() || waiting.equals(Set.of(TrainingRunner.NEW_DATA))) {
          // New data that arrived during the run must still reach the threshold on its own.
          recheckNewData = !waiting.isEmpty();
          runs.running = false;
          next = null;
        } else {
          next = new ArrayList<>(waiting);
        }
      }
    }
    if (recheckNewData) {
      considerNewData(model);
    }
  }

  /**
   * Runs other work of a run (the judging of an imported model) on the runs' threads, so that it counts against
   * {@code kloop.training.max-concurrent-runs} like a training run. It does not wait for the model's training run, nor
   * hold back the model's next one. The work waits in the executor's queue, which {@code kloop.training.max-pending-imports}
   * bounds (the imports waiting hold no file in memory: it waits in the artifact store).
   *
   * @throws java.util.concurrent.RejectedExecutionException when the service is shutting down
   */
  void execute(Runnable work) {
    runs.execute(() -> {
      try {
        work.run();
      } catch (Throwable e) {
        log.error("Work on the runs' threads ended unexpectedly", e);
      }
    });
  }

  /**
   * Cancels a run of this instance: its work stops at its next check and it ends as failed, in the phase it was
   * in, with the reason ({@code cancelled by <who>: <why>}).
   */
  public Cancellation cancel(String runId, String reason) {
    if (runner.stop(runId, reason).isPresent()) {
      log.info("Run {} cancelled: {}", runId, reason);
      return Cancellation.CANCELLING;
    }
    return runner.isRunning(runId) || records.find(runId).isPresent() ? Cancellation.NOT_RUNNING : Cancellation.UNKNOWN;
  }

  /**
   * A model was retired: what waits for it is dropped and its runs here are stopped: its training run, and its imports,
   * whether being judged or waiting for a thread (those fail at once).
   */
  public void retired(String model, String reason) {
    ModelRuns runs = models.get(model);
    if (runs != null) {
      synchronized (runs) {
        runs.pending.clear();
        runs.dropped = 0;
      }
    }
    runner.stopModel(model, reason).forEach(runId -> log.info("Run {} of retired model {} stopped", runId, model));
  }

  /** Why an import that waited for a thread when the service stopped failed. */
  static final String STOPPED_BEFORE_JUDGING = "the service stopped before judging it";

  /**
   * Stops the runs: training runs end without an announcement (a restart runs the models again); imports, which no
   * restart judges again, are announced as failed, those still waiting with {@value #STOPPED_BEFORE_JUDGING}.
   */
  @Override
  public void destroy() {
    runner.stopAll("the service stopped during the run", STOPPED_BEFORE_JUDGING);
    timers.shutdownNow();
    runs.shutdownNow();
    try {
      if (!runs.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("A training run did not stop within 30 s of shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
