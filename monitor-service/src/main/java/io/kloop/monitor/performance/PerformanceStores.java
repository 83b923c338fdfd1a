package io.kloop.monitor.performance;

import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.monitor.window.MonitorStores;
import io.kloop.schemas.EventSerde;
import io.kloop.service.kafka.JsonSerde;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The performance windows' state stores: local RocksDB stores backed by compacted changelog topics, written in the
 * same transaction as the reports and requests the monitor emits, so a restart loses no prediction of an open
 * window and counts none twice. Keys are strings: {@code model\0kind\0version} for a window (kind {@code L} or
 * {@code P}, the version zero-padded), {@code <window key>\0<index>} for one of its predictions, and
 * {@code model\0kind\0number} for a report; model names cannot hold {@code \0}, so a model's prefix is its own.
 *
 * <p>State size: a prediction in an open window is one entry of its key (the model name plus 23 bytes) and
 * {@link WindowItems}' 4 + 8k bytes (20 for two classes): about 50 bytes for a two-class model with a short name,
 * 25 KB for an open count window of 500, at most 2 kinds × {@code versions} open windows per model. A window's
 * entry is under 150 bytes, a model's state under 200, a report under 1 KB for two classes ({@code recent-reports} kept per model
 * and kind).
 */
public final class PerformanceStores {

  /** Model name to {@link PerformanceState}: report numbering and the performance episode. */
  public static final String MODELS = "performance-models";
  /** Window key to {@link OpenWindow}: each model's windows per kind and version. */
  public static final String WINDOWS = "performance-windows";
  /** Prediction key to its {@link WindowItems} bytes: the predictions of the open windows. */
  public static final String ITEMS = "performance-items";
  /** Report key to the window's {@code PerformanceReported}: each model's recent reports of each kind. */
  public static final String REPORTS = "performance-reports";

  /**
   * Every store the performance processor uses, to connect to it: its own four and the drift's
   * {@link MonitorStores#MODELS}, which holds each model's last retraining request (drift and performance share one
   * cooldown per model). The drift's store is added to the topology by the drift's wiring, not by {@link #builders}.
   */
  public static final List<String> NAMES = List.of(MODELS, WINDOWS, ITEMS, REPORTS, MonitorStores.MODELS);

  private static final char SEPARATOR = '\u0000';

  private PerformanceStores() {}

  /** The builders of the performance processor's own stores, to add to the topology. */
  public static List<StoreBuilder<?>> builders() {
    return List.of(
        store(MODELS, new JsonSerde<>(PerformanceState.class)),
        store(WINDOWS, new JsonSerde<>(OpenWindow.class)),
        store(ITEMS, Serdes.ByteArray()),
        store(REPORTS, new EventSerde<>(PerformanceReported.class)));
  }

  /** The prefix of every key of a model, and of no other model's keys. */
  public static String prefix(String model) {
    return model + SEPARATOR;
  }

  /** The prefix of a model's keys of one kind. */
  static String prefix(String model, PerformanceWindowKind kind) {
    return prefix(model) + letter(kind) + SEPARATOR;
  }

  static String windowKey(String model, PerformanceWindowKind kind, int version) {
    return prefix(model, kind) + String.format(Locale.ROOT, "%010d", version);
  }

  /** The version of a window key. */
  static int version(String windowKey) {
    return Integer.parseInt(windowKey.substring(windowKey.lastIndexOf(SEPARATOR) + 1));
  }

  static String itemPrefix(String windowKey) {
    return windowKey + SEPARATOR;
  }

  static String itemKey(String windowKey, int index) {
    return itemPrefix(windowKey) + String.format(Locale.ROOT, "%09d", index);
  }

  /** Key of a model's report; zero-padded so a model's reports of a kind sort in the order they were made. */
  static String reportKey(String model, PerformanceWindowKind kind, long number) {
    return prefix(model, kind) + String.format(Locale.ROOT, "%012d", number);
  }

  private static char letter(PerformanceWindowKind kind) {
    return kind == PerformanceWindowKind.LABELLED ? 'L' : 'P';
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values).withCachingEnabled();
  }
}
