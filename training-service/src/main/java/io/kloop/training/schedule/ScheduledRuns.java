package io.kloop.training.schedule;

import io.kloop.schemas.Topics;
import io.kloop.service.kafka.Acknowledgements;
import io.kloop.training.spec.ModelSpec;
import io.kloop.training.state.TrainingState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The schedule trigger: every {@link #TICK} it reads the time from the service's {@link Clock} and, for every model
 * whose current spec has a schedule, asks for a run at each firing since the last check, by publishing a
 * {@code RetrainingRequested} of reason SCHEDULE ({@link ScheduleFirings}) to the retraining-requested topic; the
 * run then starts like any other requested run.
 *
 * <p>Firings count from the moment the service is ready: those missed while it was down are not made up (the next
 * firing asks again; {@code POST /v1/models/{name}/runs} asks at once). A spec changed or retired takes effect at
 * the next check; a firing whose request Kafka did not acknowledge is asked for again at the next check, unless the
 * model's schedule changed meanwhile. A clock that goes back fires nothing until it passes the last check again.
 *
 * <p>The gauge {@value #CHECKED_GAUGE} (seconds since the epoch) is the time up to which the schedules were checked and
 * every firing due was asked for (acknowledged by Kafka, or dropped): an operator sees a stuck trigger by its lag behind
 * the clock, and a test knows which firings a check has already looked at.
 */
@Component
class ScheduledRuns implements DisposableBean {

  /** How often the schedules are checked: a firing is asked for within about this long of its time. */
  static final Duration TICK = Duration.ofSeconds(1);

  /** The gauge of the time up to which every firing due was asked for. */
  static final String CHECKED_GAUGE = "kloop.training.schedule.checked.time";

  private static final Logger log = LoggerFactory.getLogger(ScheduledRuns.class);

  private final TrainingState state;
  private final KafkaTemplate<String, Object> template;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  /** Per model, its latest firing whose request is not acknowledged yet. */
  private final Map<String, ScheduleFirings.Firing> unsent = new LinkedHashMap<>();
  private Instant checkedUpTo;
  /** The time up to which every firing due was asked for (or dropped); null before the first check. */
  private volatile Instant askedUpTo;

  ScheduledRuns(TrainingState state, KafkaTemplate<String, Object> template, Clock clock, MeterRegistry meters) {
    this.state = state;
    this.template = template;
    this.clock = clock;
    Gauge.builder(CHECKED_GAUGE, this, runs -> runs.askedUpTo == null ? Double.NaN : runs.askedUpTo.toEpochMilli() / 1000.0)
        .description("time up to which the schedules were checked and every firing due was asked for")
        .baseUnit("seconds")
        .register(meters);
    this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "training-schedule");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts checking once the state is replayed and the service is ready; firings before now are not made up. */
  @EventListener(ApplicationReadyEvent.class)
  void start() {
    synchronized (this) {
      checkedUpTo = clock.instant();
    }
    timer.scheduleWithFixedDelay(() -> {
      try {
        check();
      } catch (RuntimeException e) {
        // The next check tries again; the timer must not die.
        log.error("The schedules could not be checked", e);
      }
    }, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks for the runs of every firing since the last check (and for those not acknowledged before). */
  synchronized void check() {
    if (checkedUpTo == null) {
      return;
    }
    Instant now = clock.instant();
    if (now.isAfter(checkedUpTo)) {
      ScheduleFirings.due(state.modelSpecs(), checkedUpTo, now).forEach(firing -> unsent.put(firing.model(), firing));
      checkedUpTo = now;
    }
    for (Iterator<ScheduleFirings.Firing> pending = unsent.values().iterator(); pending.hasNext(); ) {
      ScheduleFirings.Firing firing = pending.next();
      Optional<String> schedule = state.modelSpec(firing.model()).map(ModelSpec::schedule);
      if (!schedule.equals(Optional.of(firing.schedule()))) {
        log.info("Model {}: its schedule changed (or it was retired) before the run of {} was asked for; not asked", firing.model(), firing.at());
        pending.remove();
        continue;
      }
      try {
        Acknowledgements.await(template.send(Topics.RETRAINING_REQUESTED.name(), firing.model(), ScheduleFirings.request(firing)),
            "ask for the scheduled run of model " + firing.model());
        pending.remove();
        log.info("Model {}: schedule '{}' fired at {}; run requested ({})", firing.model(), firing.schedule(), firing.at(),
            ScheduleFirings.requestId(firing.model(), firing.at()));
      } catch (Acknowledgements.KafkaUnavailableException e) {
        log.warn("Model {}: the scheduled run of {} could not be asked for ({}); asking again at the next check", firing.model(),
            firing.at(), e.getMessage());
        return;
      } catch (RuntimeException e) {
        log.error("Model {}: the scheduled run of {} cannot be asked for; this firing is dropped", firing.model(), firing.at(), e);
        pending.remove();
      }
    }
    askedUpTo = checkedUpTo;
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
