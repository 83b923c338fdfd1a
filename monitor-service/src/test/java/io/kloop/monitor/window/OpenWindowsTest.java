package io.kloop.monitor.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.drift.SyntheticModel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bookkeeping of a processor's windows, rule by rule, on its clock in milliseconds. */
class OpenWindowsTest {

  private static final String MODEL = "churn";
  private static final long T0 = 1_000_000;
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private final ApprovedModels approvals = new ApprovedModels();
  private final SyntheticModel traffic = new SyntheticModel(3);

  OpenWindowsTest() {
    approvals.add(MonitorEvents.approval(MODEL, 1));
    approvals.add(MonitorEvents.approval(MODEL, 2));
  }

  /** Count windows of 5 predictions; a window closed early is judged from 3. */
  private OpenWindows byCount() {
    return new OpenWindows(new MonitorProperties.Window("count", 5, MINUTE, 3), approvals);
  }

  /** Time windows of a minute; judged from 3 predictions. */
  private OpenWindows byTime() {
    return new OpenWindows(new MonitorProperties.Window("time", 1_000, MINUTE, 3), approvals);
  }

  /** Places a prediction and adds it to its window, as the processor does. */
  private OpenWindows.Placement add(OpenWindows windows, int version, long eventTime, long now) {
    OpenWindows.Placement placement = windows.place(MODEL, version, eventTime, now);
    if (placement.window() != null) {
      placement.window().predictions().add(eventTime, traffic.next(SyntheticModel.Scenario.stationary()), traffic.predicted(), traffic.probabilities());
    }
    return placement;
  }

  @Test
  void shouldOpenAWindowOfThePredictionsVersionAtTheFirstOneAndFillItAfterwards() {
    OpenWindows windows = byCount();

    OpenWindows.Placement first = add(windows, 2, T0, T0 + 7);
    OpenWindows.Placement second = add(windows, 2, T0 + 1, T0 + 8);

    assertThat(first.closed()).isNull();
    assertThat(first.skip()).isNull();
    assertThat(first.window().version()).isEqualTo(2);
    assertThat(first.window().openedAt()).as("by the processor's clock, not the event's").isEqualTo(T0 + 7);
    assertThat(second.window()).isSameAs(first.window());
    assertThat(second.window().predictions().count()).isEqualTo(2);
  }

  @Test
  void shouldCloseACountWindowWhenItHoldsSizePredictionsAndJudgeIt() {
    OpenWindows windows = byCount();
    for (int i = 0; i < 4; i++) {
      add(windows, 1, T0 + i, T0);
      assertThat(windows.full(MODEL)).as("%d predictions", i + 1).isEmpty();
    }
    OpenWindow window = add(windows, 1, T0 + 4, T0).window();

    assertThat(windows.full(MODEL)).hasValueSatisfying(closed -> {
      assertThat(closed.window()).isSameAs(window);
      assertThat(closed.replaced()).isNull();
      assertThat(closed.judged()).isTrue();
    });
    assertThat(windows.full(MODEL)).as("taken out of the open ones").isEmpty();
    assertThat(add(windows, 1, T0 + 5, T0).window()).as("the next prediction opens the next window").isNotSameAs(window);
  }

  @Test
  void shouldLetANewerVersionTakeOverAndJudgeTheReplacedWindowOnlyWithMinPredictions() {
    OpenWindows windows = byCount();
    add(windows, 1, T0, T0);
    add(windows, 1, T0, T0);

    OpenWindows.Placement tooSmall = add(windows, 2, T0, T0);

    assertThat(tooSmall.closed().window().version()).isEqualTo(1);
    assertThat(tooSmall.closed().replaced()).isEqualTo("version 2 took over");
    assertThat(tooSmall.closed().judged()).as("2 predictions, fewer than 3").isFalse();
    assertThat(tooSmall.window().version()).isEqualTo(2);
    add(windows, 2, T0, T0);
    add(windows, 2, T0, T0);
    approvals.add(MonitorEvents.approval(MODEL, 3));

    OpenWindows.Placement enough = add(windows, 3, T0, T0);

    assertThat(enough.closed().judged()).as("3 predictions").isTrue();
    assertThat(enough.closed().window().version()).isEqualTo(2);
  }

  @Test
  void shouldSkipLatePredictionsOfAnOlderVersionThatIsNotTheChampion() {
    OpenWindows windows = byCount();
    OpenWindow current = add(windows, 2, T0, T0).window();

    OpenWindows.Placement late = add(windows, 1, T0, T0);

    assertThat(late).isEqualTo(new OpenWindows.Placement(null, null, OpenWindows.Skip.LATE));
    assertThat(add(windows, 2, T0, T0).window()).isSameAs(current);
  }

  @Test
  void shouldLetTheChampionTheModelWasRolledBackToTakeOver() {
    OpenWindows windows = byCount();
    add(windows, 2, T0, T0);
    approvals.add(MonitorEvents.approval(MODEL, 1));

    OpenWindows.Placement rolledBack = add(windows, 1, T0, T0);

    assertThat(rolledBack.closed().replaced()).isEqualTo("version 1 took over");
    assertThat(rolledBack.window().version()).isEqualTo(1);
  }

  @Test
  void shouldSkipAVersionWithoutAnApprovalTellingItOnce() {
    OpenWindows windows = byCount();
    add(windows, 1, T0, T0);

    OpenWindows.Placement first = add(windows, 7, T0, T0);
    OpenWindows.Placement again = add(windows, 7, T0, T0);

    assertThat(first.closed()).as("a newer version takes over even without an approval").isNotNull();
    assertThat(first.window()).isNull();
    assertThat(first.skip()).isEqualTo(OpenWindows.Skip.UNAPPROVED_FIRST);
    assertThat(again).isEqualTo(new OpenWindows.Placement(null, null, OpenWindows.Skip.UNAPPROVED));
    assertThat(windows.place("other", 7, T0, T0).skip()).as("told per model and version").isEqualTo(OpenWindows.Skip.UNAPPROVED_FIRST);
  }

  @Test
  void shouldForgetTheUnapprovedVersionsAllAtOnceWhenItRemembersTheMost() {
    OpenWindows windows = byCount();
    for (int v = 0; v < OpenWindows.MAX_UNKNOWN_VERSIONS; v++) {
      assertThat(windows.place(MODEL, 100 + v, T0, T0).skip()).isEqualTo(OpenWindows.Skip.UNAPPROVED_FIRST);
    }
    assertThat(windows.place("other", 5, T0, T0).skip()).as("one more is told, the rest forgotten").isEqualTo(OpenWindows.Skip.UNAPPROVED_FIRST);
    assertThat(windows.place("other", 5, T0, T0).skip()).isEqualTo(OpenWindows.Skip.UNAPPROVED);
    assertThat(windows.place(MODEL, 100, T0, T0).skip()).isEqualTo(OpenWindows.Skip.UNAPPROVED_FIRST);
  }

  @Test
  void shouldCloseATimeWindowWhenAPredictionComesADurationAfterItsEarliest() {
    OpenWindows windows = byTime();
    OpenWindow window = add(windows, 1, T0, T0).window();
    add(windows, 1, T0 + 10, T0);
    OpenWindows.Placement within = add(windows, 1, T0 + MINUTE.toMillis() - 1, T0);
    assertThat(within.closed()).isNull();
    assertThat(within.window()).isSameAs(window);

    OpenWindows.Placement after = add(windows, 1, T0 + MINUTE.toMillis(), T0 + 5);

    assertThat(after.closed().window()).isSameAs(window);
    assertThat(after.closed().replaced()).isNull();
    assertThat(after.closed().judged()).isTrue();
    assertThat(after.window()).isNotSameAs(window);
    assertThat(after.window().openedAt()).isEqualTo(T0 + 5);
  }

  @Test
  void shouldCloseTimeWindowsOpenedADurationAgoByTheClockAndJudgeOnlyThoseWithMinPredictions() {
    OpenWindows windows = byTime();
    add(windows, 1, T0, T0);
    add(windows, 1, T0, T0);
    assertThat(windows.place("other", 1, T0, T0).skip()).isEqualTo(OpenWindows.Skip.UNAPPROVED_FIRST);
    approvals.add(MonitorEvents.approval("busy", 1));
    for (int i = 0; i < 3; i++) {
      windows.place("busy", 1, T0, T0 + 1).window().predictions()
          .add(T0, traffic.next(SyntheticModel.Scenario.stationary()), traffic.predicted(), traffic.probabilities());
    }

    assertThat(windows.expired(T0 + MINUTE.toMillis() - 1)).isEmpty();
    assertThat(windows.expired(T0 + MINUTE.toMillis())).singleElement().satisfies(closed -> {
      assertThat(closed.model()).isEqualTo(MODEL);
      assertThat(closed.judged()).as("2 predictions, fewer than 3").isFalse();
    });
    assertThat(windows.expired(T0 + MINUTE.toMillis() + 1)).singleElement().satisfies(closed -> {
      assertThat(closed.model()).isEqualTo("busy");
      assertThat(closed.replaced()).isNull();
      assertThat(closed.judged()).isTrue();
    });
    assertThat(windows.expired(T0 + 10 * MINUTE.toMillis())).isEmpty();
  }

  @Test
  void shouldLeaveCountWindowsToTheirSizeWhateverTheClock() {
    OpenWindows windows = byCount();
    add(windows, 1, T0, T0);

    assertThat(windows.expired(T0 + 10 * MINUTE.toMillis())).isEmpty();
    assertThat(add(windows, 1, T0 + 10 * MINUTE.toMillis(), T0).closed()).as("nor by event time").isNull();
  }

  @Test
  void shouldForgetTheOpenWindowsWhenCleared() {
    OpenWindows windows = byCount();
    OpenWindow window = add(windows, 1, T0, T0).window();

    windows.clear();

    OpenWindows.Placement next = add(windows, 1, T0, T0);
    assertThat(next.closed()).isNull();
    assertThat(next.window()).isNotSameAs(window);
  }
}
