package io.kloop.training.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.training.spec.Algorithm;
import io.kloop.training.spec.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ScheduleFiringsTest {

  private static final Instant TEN = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant ELEVEN = Instant.parse("2026-03-01T11:00:00Z");

  @Test
  void shouldFireEachValidScheduleOnceForTheLatestFiringOfTheInterval() {
    List<ModelSpec> specs = List.of(spec("hourly").withSchedule("0 0 * * * *"), spec("unscheduled"),
        spec("too-often").withSchedule("* * * * * *"), spec("half-past").withSchedule("0 30 * * * *"),
        spec("minutely").withSchedule("0 * * * * *"));

    List<ScheduleFirings.Firing> due = ScheduleFirings.due(specs, TEN, ELEVEN);

    assertThat(due).containsExactly(
        new ScheduleFirings.Firing("hourly", "0 0 * * * *", ELEVEN),
        new ScheduleFirings.Firing("half-past", "0 30 * * * *", Instant.parse("2026-03-01T10:30:00Z")),
        new ScheduleFirings.Firing("minutely", "0 * * * * *", ELEVEN));
    assertThat(ScheduleFirings.due(specs, ELEVEN, ELEVEN.plusSeconds(59))).as("nothing fires within the next minute's first 59 s")
        .isEmpty();
  }

  @Test
  void shouldGiveEveryFiringOneIdThatEveryInstanceDerivesAlike() {
    String id = ScheduleFirings.requestId("tumours", ELEVEN);

    assertThat(id).isEqualTo(ScheduleFirings.requestId("tumours", Instant.parse("2026-03-01T11:00:00Z")))
        .isEqualTo(UUID.nameUUIDFromBytes("kloop-schedule:tumours@2026-03-01T11:00:00Z".getBytes(StandardCharsets.UTF_8)).toString())
        .isNotEqualTo(ScheduleFirings.requestId("tumours", ELEVEN.plusSeconds(60)))
        .isNotEqualTo(ScheduleFirings.requestId("tumours2", ELEVEN));
    assertThat(UUID.fromString(id).version()).isEqualTo(3);
  }

  @Test
  void shouldAskForTheRunWithAScheduleRequestNamingTheScheduleAndTheFiring() {
    RetrainingRequested request = ScheduleFirings.request(new ScheduleFirings.Firing("tumours", "0 0 * * * *", ELEVEN));

    assertThat(request.getEventId()).isEqualTo(ScheduleFirings.requestId("tumours", ELEVEN));
    assertThat(request.getEventTime()).isEqualTo(ELEVEN);
    assertThat(request.getProducer()).isEqualTo("training-service");
    assertThat(request.getModel()).isEqualTo("tumours");
    assertThat(request.getReason()).isEqualTo(RetrainingReason.SCHEDULE);
    assertThat(request.getRequestedBy()).isEqualTo("training-service");
    assertThat(request.getComment()).isEqualTo("schedule '0 0 * * * *' (UTC) fired at 2026-03-01T11:00:00Z");
  }

  private static ModelSpec spec(String name) {
    return new ModelSpec(name, "data", List.of(new ModelSpec.AlgorithmGrid(Algorithm.LIBLINEAR, Map.of())), 100, ModelSpec.Window.ALL,
        Duration.ZERO);
  }
}
