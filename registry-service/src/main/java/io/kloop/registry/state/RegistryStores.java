package io.kloop.registry.state;

import io.kloop.events.ModelTrained;
import io.kloop.schemas.EventSerde;
import io.kloop.service.kafka.JsonSerde;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The registry's state stores. Each is a local RocksDB store backed by a compacted changelog topic
 * ({@code registry-service-<store>-changelog}) written in the same transaction as the events the registry
 * emits and the input offsets it consumes, so state, events and progress never disagree, and a restarted
 * or moved instance rebuilds the state from Kafka.
 */
public final class RegistryStores {

  /** Model name to {@link ModelEntry}. */
  public static final String MODELS = "models";
  /** {@code model\0version} to {@link VersionEntry}. */
  public static final String VERSIONS = "versions";
  /** {@code model\0version} to the version's {@code ModelTrained}, as training announced it. */
  public static final String TRAINED = "trained";
  /** {@code model\0run:<runId>} and {@code model\0request:<eventId>} to the version or audit entry they produced. */
  public static final String SEEN = "seen";
  /** {@code model\0sequence} to {@link Decision}: the audit trail. */
  public static final String AUDIT = "audit";

  private static final char SEPARATOR = '\u0000';

  private RegistryStores() {}

  /** Key of a model's numbered item (a version or an audit entry); zero-padded so keys sort by number. */
  public static String key(String model, long number) {
    return prefix(model) + String.format(Locale.ROOT, "%010d", number);
  }

  /** Key of a model's item named by an id. */
  static String key(String model, String kind, String id) {
    return prefix(model) + kind + ":" + id;
  }

  /** The prefix shared by every key of a model, and by no other model's keys. */
  public static String prefix(String model) {
    return model + SEPARATOR;
  }

  static StoreBuilder<KeyValueStore<String, ModelEntry>> models() {
    return store(MODELS, new JsonSerde<>(ModelEntry.class));
  }

  static StoreBuilder<KeyValueStore<String, VersionEntry>> versions() {
    return store(VERSIONS, new JsonSerde<>(VersionEntry.class));
  }

  static StoreBuilder<KeyValueStore<String, ModelTrained>> trained() {
    return store(TRAINED, new EventSerde<>(ModelTrained.class));
  }

  static StoreBuilder<KeyValueStore<String, Long>> seen() {
    return store(SEEN, Serdes.Long());
  }

  static StoreBuilder<KeyValueStore<String, Decision>> audit() {
    return store(AUDIT, new JsonSerde<>(Decision.class));
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
    KeyValueBytesStoreSupplier supplier = Stores.persistentKeyValueStore(name);
    return Stores.keyValueStoreBuilder(supplier, Serdes.String(), values);
  }
}
