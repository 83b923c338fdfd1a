package io.kloop.monitor.window;

import io.kloop.events.DriftReported;
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
 * Reads the monitor's state stores (Kafka Streams interactive queries) for the HTTP API. A model's state
 * lives in the task of its partition; with one monitor instance, all of it is here.
 */
@Component
public class DriftReader {

  private final StreamsBuilderFactoryBean streams;

  DriftReader(StreamsBuilderFactoryBean streams) {
    this.streams = streams;
  }

  /** The model's recent reports, oldest first. */
  public List<DriftReported> reports(String model) {
    List<DriftReported> found = new ArrayList<>();
    try (KeyValueIterator<String, DriftReported> entries = this.<DriftReported>store(MonitorStores.REPORTS)
        .prefixScan(MonitorStores.prefix(model), new StringSerializer())) {
      entries.forEachRemaining(entry -> found.add(entry.value));
    }
    return found;
  }

  /** What the monitor remembers of the model: the version last judged, the drift episode, the last request. */
  public Optional<ModelDriftState> state(String model) {
    return Optional.ofNullable(this.<ModelDriftState>store(MonitorStores.MODELS).get(model));
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
