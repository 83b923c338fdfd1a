package io.kloop.training.schedule;

import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.schemas.EventMetadata;
import io.kloop.training.TrainingServiceApplication;
import io.kloop.training.spec.CronSchedule;
import io.kloop.training.spec.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Which scheduled runs are due, and the request that asks for each: the rules of the schedule trigger, without
 * Kafka or a clock.
 *
 * <p>A firing asks for a run with a {@code RetrainingRequested} of reason SCHEDULE, so that it is traced, listed and
 * audited like any other request. Its event id is derived from the model and the firing time ({@link #requestId}):
 * every instance of training, and an instance started again, asks for the same firing with the same id, and the
 * instance that takes the requests starts one run for it (a request taken before starts none).
 */
public final class ScheduleFirings {

  /** One firing of a model's schedule. */
  public record Firing(String model, String schedule, Instant at) {}

  private ScheduleFirings() {}

  /**
   * The firings due in {@code (after, upTo]}: for each spec with a valid schedule, its latest firing in the interval
   * (several missed together make one). Specs without a schedule, or with one that breaks the rules, fire nothing;
   * retired models have no spec here.
   */
  public static List<Firing> due(List<ModelSpec> specs, Instant after, Instant upTo) {
    List<Firing> firings = new ArrayList<>();
    for (ModelSpec spec : specs) {
      Optional<CronSchedule> schedule = spec.cron();
      schedule.flatMap(cron -> cron.latestFiring(after, upTo)).ifPresent(at -> firings.add(new Firing(spec.name(), schedule.get().text(), at)));
    }
    return firings;
  }

  /**
   * The request's event id: a name-based UUID (version 3) of {@code kloop-schedule:<model>@<firing time, ISO-8601>},
   * the same for every instance that asks for the firing.
   */
  public static String requestId(String model, Instant at) {
    return UUID.nameUUIDFromBytes(("kloop-schedule:" + model + "@" + at).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** The request that asks for the firing's run: reason SCHEDULE, by training-service, at the firing time. */
  public static RetrainingRequested request(Firing firing) {
    return EventMetadata.of(requestId(firing.model(), firing.at()), firing.at(), TrainingServiceApplication.NAME)
        .build(RetrainingRequested.newBuilder()
            .setModel(firing.model())
            .setReason(RetrainingReason.SCHEDULE)
            .setRequestedBy(TrainingServiceApplication.NAME)
            .setComment("schedule '" + firing.schedule() + "' (UTC) fired at " + firing.at()));
  }
}
