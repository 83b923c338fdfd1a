package io.kloop.monitor.performance;

import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Reads the performance stores (Kafka Streams interactive queries) for the HTTP API, as the drift's reader does: a
 * 503 while Kafka Streams is not running or its stores are restored. The topology always has the performance stores
 * ({@code MonitorTopology} wires the performance windows beside the drift windows).
 */
@Component
public class PerformanceReader {

  private final StreamsBuilderFactoryBean streams;

  PerformanceReader(StreamsBuilderFactoryBean streams) {
    this.streams = streams;
  }

  /** The model's recent reports of a kind, oldest first. */
  public List<PerformanceReported> reports(String model, PerformanceWindowKind kind) {
    List<PerformanceReported> found = new ArrayList<>();
    try (KeyValueIterator<String, PerformanceReported> entries = this.<PerformanceReported>store(PerformanceStores.REPORTS)
        .prefixScan(PerformanceStores.prefix(model, kind), new StringSerializer())) {
      entries.forEachRemaining(entry -> found.add(entry.value));
    }
    return found;
  }

  /** What the monitor remembers of the model's performance: the episode and the report count. */
  public Optional<PerformanceState> state(String model) {
    return Optional.ofNullable(this.<PerformanceState>store(PerformanceStores.MODELS).get(model));
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
    KafkaStreams kafkaStreams = streams.getKafkaStreams();
    if (kafkaStreams == null || !kafkaStreams.state().isRunningOrRebalancing()) {
      throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "the monitor is not running yet (Kafka Streams state "
          + (kafkaStreams == null ? "NOT_CREATED" : kafkaStreams.state()) + "); try again shortly");
    }
    try {
      return kafkaStreams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    } catch (InvalidStateStoreException e) {
      throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "the monitor's state is being restored from Kafka; try again shortly", e);
    }
  }
}
