package io.kloop.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.monitor.MonitorProperties;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The stored form of a window's predictions and the rules of opening, closing and reporting windows. */
class WindowStateTest {

  private final WindowRules count = new WindowRules(new MonitorProperties.PerformanceWindow("count", 500, Duration.ofMinutes(1), 100), 3);
  private final WindowRules time = new WindowRules(new MonitorProperties.PerformanceWindow("time", 500, Duration.ofMinutes(1), 100), 3);

  @Test
  void shouldStoreAPredictionIn4Plus8kBytesAndReadItBackExactly() {
    double[] probabilities = {0.1 + 0.2, 0.7, Double.MIN_VALUE};
    byte[] bytes = WindowItems.encode(2, 1, probabilities);

    assertThat(bytes).hasSize(4 + 8 * 3);
    WindowItems.Item item = WindowItems.decode(bytes);
    assertThat(item.truth()).isEqualTo(2);
    assertThat(item.predicted()).isEqualTo(1);
    assertThat(item.probabilities()).containsExactly(probabilities);
    assertThat(WindowItems.decode(WindowItems.encode(-1, 0, new double[] {0.4, 0.6})).truth()).as("unlabelled").isEqualTo(-1);
  }

  @Test
  void shouldRefuseWhatItCannotStore() {
    assertThatThrownBy(() -> WindowItems.encode(-2, 0, new double[2])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WindowItems.encode(0, 40_000, new double[2])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WindowItems.decode(new byte[7])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldKeepTheWindowsCountTimesAndFirstArrival() {
    OpenWindow window = OpenWindow.empty(4).plus(1_000, 50).plus(900, 60).plus(1_100, 70);

    assertThat(window).isEqualTo(new OpenWindow(4, 3, 50, 900, 1_100, 70));
    assertThat(window.next()).isEqualTo(OpenWindow.empty(5));
    assertThat(window.next().isEmpty()).isTrue();
  }

  @Test
  void shouldCloseACountWindowWhenFull() {
    assertThat(count.full(new OpenWindow(0, 499, 0, 0, 0, 0))).isFalse();
    assertThat(count.full(new OpenWindow(0, 500, 0, 0, 0, 0))).isTrue();
    assertThat(count.expired(new OpenWindow(0, 499, 0, 0, 0, 0), Long.MAX_VALUE)).as("count windows do not expire").isFalse();
  }

  @Test
  void shouldCloseATimeWindowADurationAfterItsFirstPredictionOrWhenItHoldsTheMost() {
    OpenWindow opened = new OpenWindow(0, 10, 1_000, 0, 0, 1_000);
    assertThat(time.expired(opened, 1_000 + 59_999)).isFalse();
    assertThat(time.expired(opened, 1_000 + 60_000)).isTrue();
    assertThat(time.expired(OpenWindow.empty(3), 1_000_000)).as("nothing to close").isFalse();
    assertThat(time.full(new OpenWindow(0, 500, 0, 0, 0, 0))).as("size is for count windows").isFalse();
    assertThat(time.full(new OpenWindow(0, WindowRules.MAX_TIME_WINDOW, 0, 0, 0, 0))).isTrue();
  }

  @Test
  void shouldReportAWindowClosedEarlyOnlyWithEnoughPredictions() {
    assertThat(time.reported(new OpenWindow(0, 99, 0, 0, 0, 0))).isFalse();
    assertThat(time.reported(new OpenWindow(0, 100, 0, 0, 0, 0))).isTrue();
    assertThat(count.reported(new OpenWindow(0, 500, 0, 0, 0, 0))).isTrue();
    assertThat(count.reported(new OpenWindow(0, 99, 0, 0, 0, 0))).isFalse();
  }

  @Test
  void shouldMakeRoomByTheLeastRecentlyUsedVersion() {
    Map<Integer, OpenWindow> windows = new TreeMap<>(Map.of(
        1, new OpenWindow(0, 10, 0, 0, 0, 300), 2, new OpenWindow(0, 10, 0, 0, 0, 100), 3, new OpenWindow(0, 10, 0, 0, 0, 200)));

    assertThat(count.makeRoom(windows, 4)).contains(2);
    assertThat(count.makeRoom(windows, 3)).as("the version has its window").isEmpty();
    windows.remove(2);
    assertThat(count.makeRoom(windows, 4)).as("room for three").isEmpty();
    Map<Integer, OpenWindow> tied = new TreeMap<>(Map.of(5, OpenWindow.empty(0), 3, OpenWindow.empty(0), 4, OpenWindow.empty(0)));
    assertThat(count.makeRoom(tied, 6)).as("of equally recent ones, the older version").contains(3);
  }
}
