package io.kloop.training.run;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a run is stopped: by a time limit, by a person (cancellation), or by the service shutting down.
 *
 * <p>The run's work goes on a thread of its own ({@link #execute}); the run's own thread waits for it, but
 * no longer than the time limit, and wakes at once when the run is stopped. The work stops at its next
 * {@link #check()}: between phases, batches and candidates, and before every SGD step. Work that cannot be
 * interrupted (a LibLinear fit in progress) is abandoned after {@link #STOP_GRACE}: the run ends as failed
 * regardless, and the abandoned thread ends when the fit does, its result discarded.
 */
final class RunControl {

  /** How long a stopped run's work may take to reach a check before it is abandoned. */
  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(RunControl.class);

  /** Why a run stopped; the run ends as failed with this reason in the phase it was in. */
  record Stop(String reason, boolean announce) {}

  /** Not a stop: the run's work is done and it is being announced; it can no longer be stopped. */
  private static final Stop FINISHING = new Stop(null, true);

  private final String runId;
  private final Duration stopGrace;
  private final AtomicReference<Stop> stop = new AtomicReference<>();
  private volatile String phase = "schedule";
  private volatile FutureTask<?> work;
  private volatile Thread worker;

  RunControl(String runId) {
    this(runId, STOP_GRACE);
  }

  RunControl(String runId, Duration stopGrace) {
    this.runId = runId;
    this.stopGrace = stopGrace;
  }

  /**
   * Asks the run to stop; the first reason given counts.
   *
   * @param announce whether the run's failure is announced ({@code TrainingFailed}); not when the service shuts
   *     down, so that a restart runs the model again
   * @return true when this call stopped the run, false when it had been stopped already
   */
  boolean stop(String reason, boolean announce) {
    if (!stop.compareAndSet(null, new Stop(reason, announce))) {
      return false;
    }
    FutureTask<?> running = work;
    if (running != null) {
      running.cancel(true);
    }
    return true;
  }

  /** Why the run was stopped, or null while it may go on (or is being announced). */
  Stop stopped() {
    Stop stopped = stop.get();
    return stopped == FINISHING ? null : stopped;
  }

  /**
   * The work is done: from now on the run cannot be stopped. Throws a {@link TrainingFailure} with the reason
   * when it was stopped before.
   */
  void finish() {
    if (!stop.compareAndSet(null, FINISHING)) {
      check();
    }
  }

  /** The phase the run is in. */
  String phase() {
    return phase;
  }

  /** The run enters a phase; throws when it was stopped. */
  void enter(String phase) {
    this.phase = phase;
    check();
  }

  /** Throws a {@link TrainingFailure} (in the current phase, with the stop's reason) when the run was stopped. */
  void check() {
    Stop stopped = stopped();
    if (stopped != null) {
      throw new TrainingFailure(phase, stopped.reason());
    }
  }

  /**
   * Runs the work on a thread of its own, waits for it within the time limit, and returns its result.
   *
   * @throws TrainingFailure when the work fails (an {@link Error} such as running out of memory too), runs out
   *     of time, or is stopped: in the phase it was in, with the reason
   */
  <T> T execute(Callable<T> callable, Duration timeLimit) {
    FutureTask<T> task = new FutureTask<>(callable);
    Thread thread = new Thread(task, "training-work-" + runId);
    thread.setDaemon(true);
    work = task;
    worker = thread;
    if (stop.get() != null) {
      task.cancel(true);
    }
    thread.start();
    try {
      return task.get(timeLimit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      stop("time limit of " + describe(timeLimit) + " reached (kloop.training.run-timeout) in phase " + phase, true);
    } catch (CancellationException e) {
      // stopped: handled below
    } catch (InterruptedException e) {
      // The service is shutting down (its run threads are interrupted).
      stop("the service stopped during the run", false);
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      if (stopped() == null) {
        throw failure(e.getCause());
      }
    }
    awaitEnd(thread);
    throw new TrainingFailure(phase, stopped().reason());
  }

  /** Whether the work's thread is still alive (an abandoned fit that has not finished yet). */
  boolean workAlive() {
    Thread thread = worker;
    return thread != null && thread.isAlive();
  }

  private void awaitEnd(Thread thread) {
    try {
      thread.join(stopGrace.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("Run {}: its work did not stop within {} of being stopped (a fit that cannot be interrupted); it is abandoned and its "
          + "result will be discarded", runId, describe(stopGrace));
    }
  }

  private TrainingFailure failure(Throwable cause) {
    if (cause instanceof TrainingFailure failure) {
      return failure;
    }
    if (cause instanceof OutOfMemoryError) {
      return new TrainingFailure(phase, "ran out of memory (" + cause.getMessage() + "); use a smaller window or grid, or give the "
          + "service more memory", cause);
    }
    if (cause instanceof StackOverflowError) {
      return new TrainingFailure(phase, "ran out of stack", cause);
    }
    return new TrainingFailure(phase, cause.getMessage() == null ? cause.toString() : cause.getClass().getSimpleName() + ": "
        + cause.getMessage(), cause);
  }

  static String describe(Duration duration) {
    return io.kloop.training.spec.ModelSpecDocument.formatDuration(duration);
  }
}
