package io.kloop.monitor.performance;

import io.kloop.monitor.MonitorProperties;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * When a performance window closes and whether it is reported, apart from Kafka and the stores.
 *
 * <ul>
 *   <li>A count window closes when it holds {@code size} predictions. A time window closes {@code duration} after
 *       its first prediction came, by the processor's clock (checked at each prediction and every second), or when
 *       it holds {@value #MAX_TIME_WINDOW} predictions.
 *   <li>A model has open windows of at most {@code versions} versions per kind: the first prediction of a further
 *       version closes the least recently used one. A served prediction of a newer version also closes the windows
 *       of served predictions of older versions (the newer version took over).
 *   <li>A window closed before it is full (a time window, or one closed for another version) is reported only with
 *       at least {@code minPredictions}; fewer are dropped with a log line.
 * </ul>
 */
final class WindowRules {

  /** The most predictions a time window holds: it closes when it has that many. */
  static final int MAX_TIME_WINDOW = 100_000;

  private final MonitorProperties.PerformanceWindow settings;
  private final int versions;

  WindowRules(MonitorProperties.PerformanceWindow settings, int versions) {
    this.settings = settings;
    this.versions = versions;
  }

  /** Whether the window is full (after a prediction was added). */
  boolean full(OpenWindow window) {
    return window.count() >= (settings.byCount() ? settings.size() : MAX_TIME_WINDOW);
  }

  /** Whether a time window is over at {@code now}. */
  boolean expired(OpenWindow window, long now) {
    return !settings.byCount() && !window.isEmpty() && now - window.openedAt() >= settings.duration().toMillis();
  }

  /** Whether a window that closes is reported: full, or holding at least {@code minPredictions}. */
  boolean reported(OpenWindow window) {
    return full(window) || window.count() >= settings.minPredictions();
  }

  /**
   * The version whose windows make room when {@code version} opens its first one: the least recently used when
   * {@code versions} versions have windows already (of two as recently used, the older version), else none.
   *
   * @param windows the model's windows of the kind, by version
   */
  Optional<Integer> makeRoom(Map<Integer, OpenWindow> windows, int version) {
    if (windows.containsKey(version) || windows.size() < versions) {
      return Optional.empty();
    }
    return windows.entrySet().stream()
        .min(Comparator.comparingLong((Map.Entry<Integer, OpenWindow> entry) -> entry.getValue().usedAt()).thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getKey);
  }
}
