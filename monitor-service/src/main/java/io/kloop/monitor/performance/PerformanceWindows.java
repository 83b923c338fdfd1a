package io.kloop.monitor.performance;

import io.kloop.events.PerformanceWindowKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The open performance windows, kept in the processor's stores only (nothing in memory): adding a prediction,
 * closing full, expired and displaced windows, by {@link WindowRules}. A re-initialised processor continues from
 * the stores as they were committed.
 */
final class PerformanceWindows {

  private final KeyValueStore<String, OpenWindow> windows;
  private final KeyValueStore<String, byte[]> items;
  private final Map<PerformanceWindowKind, WindowRules> rules;

  PerformanceWindows(KeyValueStore<String, OpenWindow> windows, KeyValueStore<String, byte[]> items, Map<PerformanceWindowKind, WindowRules> rules) {
    this.windows = windows;
    this.items = items;
    this.rules = Map.copyOf(rules);
  }

  /**
   * A window taken out of the open ones, with its predictions.
   *
   * @param model the model
   * @param kind the window's kind
   * @param version the version whose predictions it holds
   * @param window its number, count and times
   * @param predictions its predictions, in the order they came
   * @param early why it closed before it was full or over, or null
   * @param reported whether it is reported (full, over, or holding at least the fewest a window needs)
   */
  record Closed(String model, PerformanceWindowKind kind, int version, OpenWindow window, List<WindowItems.Item> predictions, String early,
      boolean reported) {}

  /**
   * Adds a prediction to its version's window of {@code kind}, opening one if needed; returns the windows that
   * closed, in order: those that made room or were taken over, one that was over before the prediction came, and
   * the prediction's own when it is full.
   */
  List<Closed> add(String model, PerformanceWindowKind kind, int version, long predictedAt, byte[] item, long now) {
    WindowRules rule = rules.get(kind);
    List<Closed> closed = new ArrayList<>();
    String key = PerformanceStores.windowKey(model, kind, version);
    OpenWindow window = windows.get(key);
    if (window == null) {
      Map<Integer, OpenWindow> others = windowsOf(model, kind);
      if (kind == PerformanceWindowKind.PREDICTED) {
        // Served in order: a newer version's prediction means it took over from the older versions.
        for (Map.Entry<Integer, OpenWindow> older : others.entrySet()) {
          if (older.getKey() < version && !older.getValue().isEmpty()) {
            closed.add(close(model, kind, older.getKey(), older.getValue(), "version " + version + " took over", false));
          }
        }
      }
      Optional<Integer> displaced = rule.makeRoom(others, version);
      if (displaced.isPresent()) {
        String displacedKey = PerformanceStores.windowKey(model, kind, displaced.get());
        OpenWindow current = windows.get(displacedKey);
        if (current.isEmpty()) {
          windows.delete(displacedKey);
        } else {
          closed.add(close(model, kind, displaced.get(), current, "closed to make room for version " + version, true));
        }
      }
      window = OpenWindow.empty(0);
    } else if (rule.expired(window, now)) {
      closed.add(close(model, kind, version, window, null, false));
      window = window.next();
    }
    window = window.plus(predictedAt, now);
    items.put(PerformanceStores.itemKey(key, window.count() - 1), item);
    windows.put(key, window);
    if (rule.full(window)) {
      closed.add(close(model, kind, version, window, null, false));
    }
    return closed;
  }

  /**
   * The keys of the time windows over at {@code now}, the earliest opened first, for {@link #closeIfExpired} to close
   * one at a time (a caller judging each may stop and leave the rest for later).
   */
  List<String> expired(long now) {
    List<KeyValue<String, OpenWindow>> over = new ArrayList<>();
    try (KeyValueIterator<String, OpenWindow> all = windows.all()) {
      all.forEachRemaining(entry -> {
        if (rules.get(kindOf(entry.key)).expired(entry.value, now)) {
          over.add(entry);
        }
      });
    }
    over.sort(Comparator.comparingLong((KeyValue<String, OpenWindow> entry) -> entry.value.openedAt()).thenComparing(entry -> entry.key));
    return over.stream().map(entry -> entry.key).toList();
  }

  /** Closes the window of {@code key} if it is still open and over at {@code now}. */
  Optional<Closed> closeIfExpired(String key, long now) {
    OpenWindow window = windows.get(key);
    if (window == null || !rules.get(kindOf(key)).expired(window, now)) {
      return Optional.empty();
    }
    String model = key.substring(0, key.indexOf('\u0000'));
    return Optional.of(close(model, kindOf(key), PerformanceStores.version(key), window, null, false));
  }

  /** A model's windows of a kind, by version. */
  Map<Integer, OpenWindow> windowsOf(String model, PerformanceWindowKind kind) {
    Map<Integer, OpenWindow> found = new TreeMap<>();
    try (KeyValueIterator<String, OpenWindow> entries = windows.prefixScan(PerformanceStores.prefix(model, kind), new StringSerializer())) {
      entries.forEachRemaining(entry -> found.put(PerformanceStores.version(entry.key), entry.value));
    }
    return found;
  }

  /**
   * Takes a window's predictions out of the store and leaves the next window (empty) in its place, or, when it
   * made room for another version, nothing.
   */
  private Closed close(String model, PerformanceWindowKind kind, int version, OpenWindow window, String early, boolean forget) {
    String key = PerformanceStores.windowKey(model, kind, version);
    List<String> keys = new ArrayList<>(window.count());
    List<WindowItems.Item> predictions = new ArrayList<>(window.count());
    try (KeyValueIterator<String, byte[]> entries = items.prefixScan(PerformanceStores.itemPrefix(key), new StringSerializer())) {
      entries.forEachRemaining(entry -> {
        keys.add(entry.key);
        predictions.add(WindowItems.decode(entry.value));
      });
    }
    keys.forEach(items::delete);
    if (forget) {
      windows.delete(key);
    } else {
      windows.put(key, window.next());
    }
    return new Closed(model, kind, version, window, predictions, early, rules.get(kind).reported(window) && !predictions.isEmpty());
  }

  private static PerformanceWindowKind kindOf(String windowKey) {
    int at = windowKey.indexOf('\u0000') + 1;
    return windowKey.charAt(at) == 'L' ? PerformanceWindowKind.LABELLED : PerformanceWindowKind.PREDICTED;
  }
}
