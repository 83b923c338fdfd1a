package io.kloop.training;

import static io.kloop.training.TrainingFixtures.shortId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ModelTrained;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.schemas.Topics;
import io.kloop.test.TestEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The schedule trigger on a real broker, its time from a clock the test moves (the service's {@code Clock}): no test
 * waits for a minute to pass. A firing asks for a run with a SCHEDULE request whose id is derived from the model and
 * the firing time, and the run starts; a spec changed to have no schedule, or a retired model, fires no more.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ScheduledTrainingIT {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
  /** The service's gauge of the time up to which its schedules were checked, as Prometheus names it. */
  private static final String CHECKED_GAUGE = "kloop_training_schedule_checked_time_seconds";

  @Test
  void shouldAskForARunAtEachFiringOfTheCurrentScheduleOfEveryModelThatHasOne(@TempDir Path home) {
    TrainingFixtures fixtures = new TrainingFixtures(home);
    // Stands still at a minute's 10th second until the test moves it.
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(10));
    String dataset = "bc-" + shortId();
    String model = "nightly-" + shortId();
    String retired = "retired-" + shortId();
    String later = "later-" + shortId();
    fixtures.declareBreastCancer(dataset);
    fixtures.commitBreastCancer(dataset, 300, "v1");
    try (ConfigurableApplicationContext training = fixtures.start(clock)) {
      WebTestClient http = TrainingFixtures.http(training);
      declare(http, model, dataset, "0 * * * * *");
      declare(http, retired, dataset, "0 * * * * *");
      http.post().uri("/v1/models/{name}/retire", retired).exchange().expectStatus().isOk();

      // The next minute starts: the schedule fires once (at second 0), however far past it the check looks.
      Instant firing = clock.instant().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
      clock.set(firing.plusSeconds(30));

      String requestId = UUID.nameUUIDFromBytes(("kloop-schedule:" + model + "@" + firing).getBytes(StandardCharsets.UTF_8)).toString();
      RetrainingRequested request = TestEvents.awaitAtLeast(Topics.RETRAINING_REQUESTED.name(), model, RetrainingRequested.class, 1, RUN_TIMEOUT)
          .get(0);
      assertThat(request.getEventId()).isEqualTo(requestId);
      assertThat(request.getReason()).isEqualTo(RetrainingReason.SCHEDULE);
      assertThat(request.getRequestedBy()).isEqualTo("training-service");
      assertThat(request.getEventTime()).isEqualTo(firing);
      assertThat(request.getComment()).isEqualTo("schedule '0 * * * * *' (UTC) fired at " + firing);
      ModelTrained trained = TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), model, ModelTrained.class, 1, RUN_TIMEOUT).get(0);
      assertThat(trained.getTrigger()).isEqualTo(requestId);
      http.get().uri("/v1/models/{name}/runs", model).exchange().expectStatus().isOk().expectBody()
          .jsonPath("$[0].causes[0]").isEqualTo("SCHEDULE requested by training-service (schedule '0 * * * * *' (UTC) fired at " + firing + ")");

      // The spec changes to no schedule, and the clock passes the next firing. Once a check has looked up to the new
      // time (the service's gauge says so), another model is declared with a schedule: that check did not know it, so
      // its firings are the ones after, not the one the check already passed. The clock then jumps over two of them:
      // they make one request, for the latest.
      declare(http, model, dataset, null);
      clock.set(firing.plus(Duration.ofMinutes(1)).plusSeconds(30));
      awaitCheckedUpTo(http, clock.instant());
      declare(http, later, dataset, "0 * * * * *");
      Instant laterFiring = firing.plus(Duration.ofMinutes(3));
      clock.set(laterFiring.plusSeconds(5));
      RetrainingRequested laterRequest = TestEvents.awaitAtLeast(Topics.RETRAINING_REQUESTED.name(), later, RetrainingRequested.class, 1,
          RUN_TIMEOUT).get(0);
      assertThat(laterRequest.getEventTime()).isEqualTo(laterFiring);
      assertThat(laterRequest.getEventId()).isEqualTo(
          UUID.nameUUIDFromBytes(("kloop-schedule:" + later + "@" + laterFiring).getBytes(StandardCharsets.UTF_8)).toString());

      // Every request of the checks up to now is acknowledged: the model without a schedule, and the retired one, have
      // none but the first (the checks passed three more firings of their old schedule).
      awaitCheckedUpTo(http, clock.instant());
      assertThat(TestEvents.read(Topics.RETRAINING_REQUESTED.name(), model, RetrainingRequested.class)).as("no schedule any more")
          .extracting(RetrainingRequested::getEventId).containsExactly(requestId);
      assertThat(TestEvents.read(Topics.RETRAINING_REQUESTED.name(), retired, RetrainingRequested.class)).as("retired").isEmpty();
      assertThat(TestEvents.read(Topics.RETRAINING_REQUESTED.name(), later, RetrainingRequested.class)).as("one firing of the later model")
          .extracting(RetrainingRequested::getEventTime).containsExactly(laterFiring);
      TestEvents.awaitAtLeast(Topics.MODEL_TRAINED.name(), later, ModelTrained.class, 1, RUN_TIMEOUT);
    }
  }

  /**
   * Waits until the service's gauge says a check has looked at the schedules up to {@code time} and asked for every
   * firing it found (Kafka acknowledged them).
   */
  private static void awaitCheckedUpTo(WebTestClient http, Instant time) {
    await().atMost(RUN_TIMEOUT).untilAsserted(() -> {
      String metrics = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class).returnResult()
          .getResponseBody();
      String line = metrics.lines().filter(l -> l.startsWith(CHECKED_GAUGE + " ") || l.startsWith(CHECKED_GAUGE + "{")).findFirst()
          .orElseThrow(() -> new AssertionError(CHECKED_GAUGE + " not exposed"));
      assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).isGreaterThanOrEqualTo(time.toEpochMilli() / 1000.0);
    });
  }

  private static void declare(WebTestClient http, String model, String dataset, String schedule) {
    http.put().uri("/v1/models/{name}", model).contentType(MediaType.APPLICATION_JSON).bodyValue("""
        {"dataset": "%s", "algorithms": [{"algorithm": "liblinear"}], "minNewRows": 100000, "schedule": %s}"""
        .formatted(dataset, schedule == null ? "null" : "\"" + schedule + "\""))
        .exchange().expectStatus().is2xxSuccessful();
  }
}
