package io.kloop.monitor.window;

import io.kloop.events.DriftReported;
import io.kloop.schemas.EventSerde;
import io.kloop.service.kafka.JsonSerde;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The monitor's state stores, local RocksDB stores backed by compacted changelog topics written in the same
 * transaction as the reports and requests the monitor emits.
 */
public final class MonitorStores {

  /** Model name to {@link ModelDriftState}. */
  public static final String MODELS = "models";
  /** {@code model\0number} to the window's {@code DriftReported}: each model's recent reports, numbered across versions. */
  public static final String REPORTS = "reports";

  private static final char SEPARATOR = '\u0000';

  private MonitorStores() {}

  /** Key of a model's report; zero-padded so a model's reports sort in the order they were made. */
  public static String reportKey(String model, long number) {
    return prefix(model) + String.format(Locale.ROOT, "%012d", number);
  }

  /** The prefix of every key of a model, and of no other model's keys. */
  public static String prefix(String model) {
    return model + SEPARATOR;
  }

  static StoreBuilder<KeyValueStore<String, ModelDriftState>> models() {
    return store(MODELS, new JsonSerde<>(ModelDriftState.class));
  }

  static StoreBuilder<KeyValueStore<String, DriftReported>> reports() {
    return store(REPORTS, new EventSerde<>(DriftReported.class));
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values);
  }
}
