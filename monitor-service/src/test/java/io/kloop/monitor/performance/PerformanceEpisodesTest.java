package io.kloop.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.PerformanceWindowKind;
import io.kloop.monitor.MonitorProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which windows can ask, one request per episode, the shared cooldown, and a new version. */
class PerformanceEpisodesTest {

  private static final Duration COOLDOWN = Duration.ofMinutes(10);
  private static final Instant T0 = Instant.parse("2026-05-06T07:08:09Z");
  private final PerformanceEpisodes episodes = new PerformanceEpisodes(new MonitorProperties.Retraining(true, COOLDOWN, 3), false);

  @Test
  void shouldCountLabelledWindowsOfTheServingVersionAndEstimatesOnlyWhenConfigured() {
    assertThat(episodes.counts(PerformanceWindowKind.LABELLED, 2, 2)).isTrue();
    assertThat(episodes.counts(PerformanceWindowKind.LABELLED, 1, 2)).as("a replaced version's late labels").isFalse();
    assertThat(episodes.counts(PerformanceWindowKind.PREDICTED, 2, 2)).isFalse();
    PerformanceEpisodes estimated = new PerformanceEpisodes(new MonitorProperties.Retraining(true, COOLDOWN, 3), true);
    assertThat(estimated.counts(PerformanceWindowKind.PREDICTED, 2, 2)).isTrue();
    assertThat(estimated.counts(PerformanceWindowKind.PREDICTED, 1, 2)).isFalse();
  }

  @Test
  void shouldAskOnceAtTheFirstDropAndNotAgainWithinTheEpisode() {
    PerformanceEpisodes.Decision first = episodes.judged(PerformanceState.FIRST, 2, true, "p1", null, T0);

    assertThat(first.requestRetraining()).isTrue();
    assertThat(first.lastRequestAt()).isEqualTo(T0.toEpochMilli());
    assertThat(first.next()).isEqualTo(new PerformanceState(0, 2, true, "p1", 0));

    PerformanceEpisodes.Decision second = episodes.judged(first.next(), 2, true, "p2", first.lastRequestAt(), T0.plus(COOLDOWN).minusMillis(1));
    assertThat(second.requestRetraining()).isFalse();
    assertThat(second.next()).isEqualTo(first.next());
    assertThat(second.lastRequestAt()).isEqualTo(T0.toEpochMilli());
  }

  @Test
  void shouldNotAskWithinTheCooldownOfARequestOfAnotherReason() {
    // A drift request a minute ago: the model's last request, shared.
    PerformanceEpisodes.Decision decision = episodes.judged(PerformanceState.FIRST, 2, true, "p1", T0.toEpochMilli(), T0.plus(Duration.ofMinutes(1)));

    assertThat(decision.requestRetraining()).isFalse();
    assertThat(decision.next().episodeOpen()).isFalse();
    assertThat(decision.news()).singleElement().asString().startsWith("dropping (report p1); no retraining request before " + T0.plus(COOLDOWN));

    assertThat(episodes.judged(decision.next(), 2, true, "p2", T0.toEpochMilli(), T0.plus(COOLDOWN)).requestRetraining())
        .as("the next drop after the cooldown asks").isTrue();
  }

  @Test
  void shouldEndTheEpisodeAfterClearWindowsWithoutADrop() {
    PerformanceState open = new PerformanceState(7, 2, true, "p1", 0);
    PerformanceEpisodes.Decision one = episodes.judged(open, 2, false, "p2", T0.toEpochMilli(), T0);
    PerformanceEpisodes.Decision two = episodes.judged(one.next(), 2, false, "p3", T0.toEpochMilli(), T0);
    PerformanceEpisodes.Decision three = episodes.judged(two.next(), 2, false, "p4", T0.toEpochMilli(), T0);

    assertThat(one.next().cleanWindows()).isEqualTo(1);
    assertThat(two.next().cleanWindows()).isEqualTo(2);
    assertThat(three.next()).isEqualTo(new PerformanceState(7, 2, false, null, 0));
    assertThat(three.news()).containsExactly("performance episode of report p1 over after 3 window(s) without a drop");
  }

  @Test
  void shouldStartANewVersionWithoutThePredecessorsEpisodeButWithTheModelsCooldown() {
    PerformanceState open = new PerformanceState(7, 2, true, "p1", 0);

    PerformanceEpisodes.Decision soon = episodes.judged(open, 3, true, "p2", T0.toEpochMilli(), T0.plus(Duration.ofMinutes(1)));
    assertThat(soon.requestRetraining()).as("within the cooldown").isFalse();
    assertThat(soon.next()).isEqualTo(new PerformanceState(7, 3, false, null, 0));

    PerformanceEpisodes.Decision later = episodes.judged(open, 3, true, "p3", T0.toEpochMilli(), T0.plus(COOLDOWN));
    assertThat(later.requestRetraining()).isTrue();
    assertThat(later.next()).isEqualTo(new PerformanceState(7, 3, true, "p3", 0));
  }

  @Test
  void shouldAskAgainWhenStillDroppingACooldownAfterTheEpisodesRequest() {
    PerformanceState open = new PerformanceState(7, 2, true, "p1", 1);
    PerformanceEpisodes.Decision decision = episodes.judged(open, 2, true, "p9", T0.toEpochMilli(), T0.plus(COOLDOWN));

    assertThat(decision.requestRetraining()).isTrue();
    assertThat(decision.next()).isEqualTo(new PerformanceState(7, 2, true, "p9", 0));
    assertThat(decision.news()).singleElement().asString().startsWith("still dropping a cooldown (PT10M) after the request of episode p1");
  }

  @Test
  void shouldAskOnADropWhenOnlyPerformanceMayAskAndNotWhenOnlyDriftMay() {
    PerformanceEpisodes performanceOnly = new PerformanceEpisodes(new MonitorProperties.Retraining(true, COOLDOWN, 3, List.of("performance")), false);
    PerformanceEpisodes driftOnly = new PerformanceEpisodes(new MonitorProperties.Retraining(true, COOLDOWN, 3, List.of("drift")), false);

    assertThat(performanceOnly.judged(PerformanceState.FIRST, 2, true, "p1", null, T0).requestRetraining()).isTrue();
    assertThat(driftOnly.judged(PerformanceState.FIRST, 2, true, "p1", null, T0).requestRetraining()).isFalse();
  }

  @Test
  void shouldNeverAskWhenRetrainingIsOff() {
    PerformanceEpisodes off = new PerformanceEpisodes(new MonitorProperties.Retraining(false, COOLDOWN, 3), false);
    assertThat(off.judged(PerformanceState.FIRST, 2, true, "p1", null, T0).requestRetraining()).isFalse();
  }
}
