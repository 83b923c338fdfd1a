package io.kloop.registry.state;

import io.kloop.events.ModelTrained;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;

/**
 * Reads the registry's state stores (Kafka Streams interactive queries) for the HTTP API. Every model's
 * state lives in the task of its partition; with one registry instance, all of it is here.
 */
@Component
public class RegistryReader {

  private final StreamsBuilderFactoryBean streams;

  RegistryReader(StreamsBuilderFactoryBean streams) {
    this.streams = streams;
  }

  /** Every model, by name. */
  public List<ModelEntry> models() {
    List<ModelEntry> all = new ArrayList<>();
    try (KeyValueIterator<String, ModelEntry> entries = this.<ModelEntry>store(RegistryStores.MODELS).all()) {
      entries.forEachRemaining(entry -> all.add(entry.value));
    }
    all.sort(Comparator.comparing(ModelEntry::model));
    return all;
  }

  public Optional<ModelEntry> model(String model) {
    return Optional.ofNullable(this.<ModelEntry>store(RegistryStores.MODELS).get(model));
  }

  /** A model's versions, oldest first. */
  public List<VersionEntry> versions(String model) {
    return scan(RegistryStores.VERSIONS, model);
  }

  public Optional<VersionEntry> version(String model, int version) {
    return Optional.ofNullable(this.<VersionEntry>store(RegistryStores.VERSIONS).get(RegistryStores.key(model, version)));
  }

  /** The training record of a version. */
  public Optional<ModelTrained> trained(String model, int version) {
    return Optional.ofNullable(this.<ModelTrained>store(RegistryStores.TRAINED).get(RegistryStores.key(model, version)));
  }

  /** A model's audit trail, oldest first. */
  public List<Decision> audit(String model) {
    return scan(RegistryStores.AUDIT, model);
  }

  /** The decision an operator request produced, once the registry has applied it. */
  public Optional<Decision> decisionOf(String model, String requestId) {
    Long sequence = this.<Long>store(RegistryStores.SEEN).get(RegistryStores.key(model, "request", requestId));
    return sequence == null ? Optional.empty()
        : Optional.ofNullable(this.<Decision>store(RegistryStores.AUDIT).get(RegistryStores.key(model, sequence)));
  }

  private <V> List<V> scan(String storeName, String model) {
    List<V> found = new ArrayList<>();
    try (KeyValueIterator<String, V> entries = this.<V>store(storeName).prefixScan(RegistryStores.prefix(model), new StringSerializer())) {
      entries.forEachRemaining(entry -> found.add(entry.value));
    }
    return found;
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
    KafkaStreams kafkaStreams = streams.getKafkaStreams();
    if (kafkaStreams == null || !kafkaStreams.state().isRunningOrRebalancing()) {
      throw new RegistryUnavailableException("the registry is not running yet (Kafka Streams state "
          + (kafkaStreams == null ? "NOT_CREATED" : kafkaStreams.state()) + "); try again shortly", null);
    }
    try {
      return kafkaStreams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    } catch (InvalidStateStoreException e) {
      throw new RegistryUnavailableException("the registry's state is being restored from Kafka; try again shortly", e);
    }
  }
}
