package io.kloop.monitor.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.monitor.MonitorProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every transition of a model's drift episodes, to the millisecond of the cooldown. */
class DriftEpisodesTest {

  private static final Duration COOLDOWN = Duration.ofMinutes(10);
  private static final Instant T0 = Instant.parse("2026-05-06T07:08:09Z");
  private final DriftEpisodes episodes = new DriftEpisodes(new MonitorProperties.Retraining(true, COOLDOWN, 3));

  /** Version 2, window 4 and report 9 next, a request made at {@code lastRequestAt}, in no episode. */
  private static ModelDriftState quiet(Long lastRequestAt) {
    return ModelDriftState.first(2).withNextSequence(4).withReports(9).withLastRequestAt(lastRequestAt);
  }

  /** Opened by report r1 with a request at T0. */
  private static ModelDriftState inEpisode(int cleanWindows) {
    return quiet(T0.toEpochMilli()).withEpisode("r1").withCleanWindows(cleanWindows);
  }

  @Test
  void shouldStartAModelAtItsFirstWindowAndKeepItsStateWhileTheVersionServes() {
    assertThat(DriftEpisodes.judging(null, 3)).isEqualTo(ModelDriftState.first(3))
        .extracting(ModelDriftState::nextSequence, ModelDriftState::episodeOpen, ModelDriftState::lastRequestAt, ModelDriftState::reports)
        .containsExactly(0L, false, null, 0L);
    ModelDriftState remembered = inEpisode(1);
    assertThat(DriftEpisodes.judging(remembered, 2)).isSameAs(remembered);
  }

  @Test
  void shouldNumberANewVersionsWindowsFromZeroAndLeaveItsPredecessorsEpisodeButNotTheModelsRequestOrReports() {
    ModelDriftState next = DriftEpisodes.judging(inEpisode(1), 3);

    assertThat(next).isEqualTo(quiet(T0.toEpochMilli()).withVersion(3).withNextSequence(0));
    assertThat(DriftEpisodes.judging(inEpisode(1), 1)).as("rolled back to an older version").isEqualTo(next.withVersion(1));
  }

  @Test
  void shouldOnlyCountAWindowWithoutDriftOutsideAnEpisode() {
    DriftEpisodes.Decision decision = episodes.judged(quiet(null), false, "r9", T0);

    assertThat(decision.next()).isEqualTo(quiet(null).withNextSequence(5).withReports(10));
    assertThat(decision.requestRetraining()).isFalse();
    assertThat(decision.news()).isEmpty();
  }

  @Test
  void shouldStartAnEpisodeAndAskForRetrainingAtTheFirstDrift() {
    DriftEpisodes.Decision decision = episodes.judged(quiet(null), true, "r9", T0);

    assertThat(decision.requestRetraining()).isTrue();
    assertThat(decision.next()).isEqualTo(quiet(T0.toEpochMilli()).withEpisode("r9").withNextSequence(5).withReports(10));
    assertThat(decision.news()).isEmpty();
  }

  @Test
  void shouldKeepTheEpisodeWithoutAskingAgainWhenDriftGoesOnWithinTheCooldown() {
    DriftEpisodes.Decision decision = episodes.judged(inEpisode(2), true, "r9", T0.plus(COOLDOWN).minusMillis(1));

    assertThat(decision.requestRetraining()).isFalse();
    assertThat(decision.next()).as("the clean windows start again").isEqualTo(inEpisode(0).withNextSequence(5).withReports(10));
    assertThat(decision.news()).isEmpty();
  }

  @Test
  void shouldStartANewEpisodeAndAskAgainWhenDriftOutlastsTheCooldown() {
    Instant later = T0.plus(COOLDOWN);
    DriftEpisodes.Decision decision = episodes.judged(inEpisode(1), true, "r9", later);

    assertThat(decision.requestRetraining()).isTrue();
    assertThat(decision.next()).isEqualTo(quiet(later.toEpochMilli()).withEpisode("r9").withNextSequence(5).withReports(10));
    assertThat(decision.news()).singleElement().asString().contains("after the request of episode r1").endsWith("a new episode starts");
  }

  @Test
  void shouldNotAskWithinTheCooldownOfTheLastRequestEvenInANewEpisode() {
    DriftEpisodes.Decision decision = episodes.judged(quiet(T0.toEpochMilli()), true, "r9", T0.plus(COOLDOWN).minusMillis(1));

    assertThat(decision.requestRetraining()).isFalse();
    assertThat(decision.next()).isEqualTo(quiet(T0.toEpochMilli()).withNextSequence(5).withReports(10));
    assertThat(decision.news()).singleElement().asString().contains("report r9").contains("no retraining request before " + T0.plus(COOLDOWN));
  }

  @Test
  void shouldAskAgainOnceTheCooldownOfTheLastRequestIsOver() {
    Instant later = T0.plus(COOLDOWN);
    DriftEpisodes.Decision decision = episodes.judged(quiet(T0.toEpochMilli()), true, "r9", later);

    assertThat(decision.requestRetraining()).isTrue();
    assertThat(decision.next()).isEqualTo(quiet(later.toEpochMilli()).withEpisode("r9").withNextSequence(5).withReports(10));
  }

  @Test
  void shouldCountCleanWindowsInAnEpisodeAndEndItAtClearWindows() {
    DriftEpisodes.Decision first = episodes.judged(inEpisode(0), false, "r9", T0);
    assertThat(first.next()).isEqualTo(inEpisode(1).withNextSequence(5).withReports(10));
    DriftEpisodes.Decision second = episodes.judged(first.next(), false, "r10", T0);
    assertThat(second.next()).isEqualTo(inEpisode(2).withNextSequence(6).withReports(11));
    assertThat(first.news()).isEmpty();
    assertThat(second.news()).isEmpty();

    DriftEpisodes.Decision third = episodes.judged(second.next(), false, "r11", T0);

    assertThat(third.next()).isEqualTo(quiet(T0.toEpochMilli()).withNextSequence(7).withReports(12));
    assertThat(third.requestRetraining()).isFalse();
    assertThat(third.news()).singleElement().asString().isEqualTo("drift episode of report r1 over after 3 window(s) without drift");
  }

  @Test
  void shouldNeverAskWhenRetrainingIsOff() {
    DriftEpisodes off = new DriftEpisodes(new MonitorProperties.Retraining(false, COOLDOWN, 3));

    DriftEpisodes.Decision decision = off.judged(quiet(null), true, "r9", T0);

    assertThat(decision.requestRetraining()).isFalse();
    assertThat(decision.next()).isEqualTo(quiet(null).withNextSequence(5).withReports(10));
    assertThat(decision.news()).isEmpty();
  }

  @Test
  void shouldAskNothingOnDriftWhenOnlyPerformanceMayAsk() {
    DriftEpisodes performanceOnly = new DriftEpisodes(new MonitorProperties.Retraining(true, COOLDOWN, 3, List.of("performance")));

    DriftEpisodes.Decision decision = performanceOnly.judged(quiet(null), true, "r9", T0);

    assertThat(decision.requestRetraining()).isFalse();
    assertThat(decision.next()).isEqualTo(quiet(null).withNextSequence(5).withReports(10));
  }

  @Test
  void shouldLeaveAnEpisodeOpenedBeforeRetrainingWasTurnedOffAsItWas() {
    DriftEpisodes off = new DriftEpisodes(new MonitorProperties.Retraining(false, COOLDOWN, 3));

    DriftEpisodes.Decision decision = off.judged(inEpisode(2), true, "r9", T0.plus(COOLDOWN));

    assertThat(decision.requestRetraining()).isFalse();
    assertThat(decision.next()).isEqualTo(inEpisode(2).withNextSequence(5).withReports(10));
    assertThat(decision.news()).singleElement().asString().endsWith("a new episode starts");
  }
}
