package io.kloop.training.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CronScheduleTest {

  @ParameterizedTest
  @ValueSource(strings = {"0 0 3 * * *", "0 * * * * *", "30 */5 * * * MON-FRI", "@daily", "@hourly", "0 0 0 29 2 *", "0 0 12 ? * SUN"})
  void shouldAcceptSchedulesThatFireAtMostOnceAMinute(String text) {
    List<String> problems = new ArrayList<>();

    assertThat(CronSchedule.parse(text, problems)).isPresent();
    assertThat(problems).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"* * * * * *", "0,30 * * * * *", "*/10 0 3 * * *", "0-1 0 3 * * *", "*/59 * * * * *"})
  void shouldRefuseSchedulesThatFireMoreThanOnceAMinute(String text) {
    List<String> problems = new ArrayList<>();

    assertThat(CronSchedule.parse(text, problems)).isEmpty();
    assertThat(problems).singleElement().asString().contains("fires more than once a minute").contains("at most once a minute");
  }

  @Test
  void shouldNameWhatIsWrongWithATextThatIsNoScheduleAndRepeatItBounded() {
    assertThat(problems("0 3 * * *")).singleElement().asString()
        .startsWith("schedule '0 3 * * *' is not a cron expression of six fields").contains("6 fields");
    assertThat(problems("0 0 25 * * *")).singleElement().asString().startsWith("schedule '0 0 25 * * *' is not a cron expression");
    assertThat(problems("0 0 0 30 2 *")).containsExactly("schedule '0 0 0 30 2 *' never fires");
    assertThat(problems("  ")).containsExactly("schedule must not be blank (leave it out, or null, for no schedule)");
    assertThat(problems("0".repeat(101))).containsExactly("schedule must be at most 100 characters (it has 101)");
    assertThat(problems("0 0 3 * * *\u0007x")).singleElement().asString().doesNotContain("\u0007").hasSizeLessThan(500);
    assertThat(problems(null)).isEmpty();
  }

  @Test
  void shouldFireInUtc() {
    CronSchedule daily = schedule("0 0 3 * * *");

    // In July, 03:00 UTC, whatever the machine's zone and its summer time.
    assertThat(daily.next(Instant.parse("2026-07-01T00:00:00Z"))).contains(Instant.parse("2026-07-01T03:00:00Z"));
    assertThat(daily.next(Instant.parse("2026-07-01T03:00:00Z"))).as("strictly after").contains(Instant.parse("2026-07-02T03:00:00Z"));
  }

  @Test
  void shouldFindTheLatestFiringInAnIntervalThatExcludesItsStartAndIncludesItsEnd() {
    CronSchedule quarterly = schedule("0 */15 * * * *");

    assertThat(quarterly.latestFiring(Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-01T10:50:00Z")))
        .as("10:15, 10:30 and 10:45 make one: the latest").contains(Instant.parse("2026-03-01T10:45:00Z"));
    assertThat(quarterly.latestFiring(Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-01T10:14:59Z"))).isEmpty();
    assertThat(quarterly.latestFiring(Instant.parse("2026-03-01T09:59:59Z"), Instant.parse("2026-03-01T10:00:00Z")))
        .contains(Instant.parse("2026-03-01T10:00:00Z"));
    assertThat(quarterly.latestFiring(Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-01T10:00:00.900Z"))).isEmpty();
  }

  private static CronSchedule schedule(String text) {
    List<String> problems = new ArrayList<>();
    Optional<CronSchedule> schedule = CronSchedule.parse(text, problems);
    assertThat(problems).isEmpty();
    return schedule.orElseThrow();
  }

  private static List<String> problems(String text) {
    List<String> problems = new ArrayList<>();
    CronSchedule.parse(text, problems);
    return problems;
  }
}
