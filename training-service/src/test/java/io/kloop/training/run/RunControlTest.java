package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every test has a timeout: a run that cannot be stopped must fail the test, not hang the build. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunControlTest {

  private static final Duration NO_LIMIT = Duration.ofMinutes(10);

  @Test
  void shouldReturnTheWorksResult() {
    RunControl control = new RunControl("run-1");

    assertThat(control.<String>execute(() -> "trained", NO_LIMIT)).isEqualTo("trained");
    control.finish();
    assertThat(control.stop("too late", true)).as("a run being announced can no longer be stopped").isFalse();
    assertThat(control.stopped()).isNull();
  }

  @Test
  void shouldStopWorkThatChecksWhenCancelledAndFailInThePhaseItWasIn() throws InterruptedException {
    RunControl control = new RunControl("run-2");
    CountDownLatch training = new CountDownLatch(1);
    AtomicReference<Thread> worker = new AtomicReference<>();
    Thread canceller = new Thread(() -> {
      try {
        if (!training.await(60, TimeUnit.SECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
      control.stop("cancelled by alice over HTTP: wrong window", true);
    });
    canceller.start();

    assertThatThrownBy(() -> control.execute(() -> {
      worker.set(Thread.currentThread());
      control.enter("train");
      training.countDown();
      while (true) {
        control.check();
        Thread.onSpinWait();
      }
    }, NO_LIMIT)).isInstanceOfSatisfying(TrainingFailure.class, failure -> {
      assertThat(failure.phase()).isEqualTo("train");
      assertThat(failure.getMessage()).isEqualTo("cancelled by alice over HTTP: wrong window");
    });

    worker.get().join(60_000);
    assertThat(worker.get().isAlive()).as("the work stopped").isFalse();
    assertThat(control.stop("again", true)).as("the first reason counts").isFalse();
    assertThat(control.stopped().reason()).isEqualTo("cancelled by alice over HTTP: wrong window");
    canceller.join(60_000);
  }

  @Test
  void shouldStopWorkAtTheTimeLimitSayingSo() {
    RunControl control = new RunControl("run-3");

    assertThatThrownBy(() -> control.execute(() -> {
      control.enter("train");
      while (true) {
        control.check();
        Thread.onSpinWait();
      }
    }, Duration.ofMillis(300))).isInstanceOfSatisfying(TrainingFailure.class, failure -> {
      assertThat(failure.phase()).isEqualTo("train");
      assertThat(failure.getMessage()).isEqualTo("time limit of 300ms reached (kloop.training.run-timeout) in phase train");
    });
    assertThat(control.stopped().announce()).isTrue();
    assertThatThrownBy(control::finish).isInstanceOf(TrainingFailure.class);
  }

  @Test
  void shouldAbandonWorkThatCannotBeInterruptedAndStillEndTheRun() {
    RunControl control = new RunControl("run-4", Duration.ofMillis(200));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    Thread stopper = new Thread(() -> {
      try {
        if (!started.await(60, TimeUnit.SECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
      control.stop("cancelled", true);
    });
    stopper.start();

    try {
      assertThatThrownBy(() -> control.execute(() -> {
        started.countDown();
        // A fit that neither checks nor answers interrupts.
        while (release.getCount() > 0) {
          Thread.interrupted();
          Thread.onSpinWait();
        }
        return "late";
      }, NO_LIMIT)).isInstanceOfSatisfying(TrainingFailure.class, failure -> assertThat(failure.getMessage()).isEqualTo("cancelled"));

      assertThat(control.workAlive()).as("abandoned, still running").isTrue();
    } finally {
      // Whatever happened above, the spinning work must end (it would spin for the rest of the build).
      release.countDown();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> !control.workAlive());
  }

  @Test
  void shouldTurnRunningOutOfMemoryIntoAFailureWithAReason() {
    RunControl control = new RunControl("run-5");

    assertThatThrownBy(() -> control.execute(() -> {
      control.enter("train");
      List<long[]> hog = new ArrayList<>();
      while (true) {
        hog.add(new long[Integer.MAX_VALUE - 8]);
      }
    }, NO_LIMIT)).isInstanceOfSatisfying(TrainingFailure.class, failure -> {
      assertThat(failure.phase()).isEqualTo("train");
      assertThat(failure.getMessage()).startsWith("ran out of memory");
    });
  }

  @Test
  void shouldNotAnnounceARunStoppedBecauseTheServiceStops() {
    RunControl control = new RunControl("run-6");
    control.stop("the service stopped during the run", false);

    assertThatThrownBy(() -> control.execute(() -> "never", NO_LIMIT)).isInstanceOf(TrainingFailure.class);
    assertThat(control.stopped().announce()).isFalse();
  }
}
