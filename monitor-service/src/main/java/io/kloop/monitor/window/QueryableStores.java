package io.kloop.monitor.window;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * The monitor's state stores as the HTTP API reads them (Kafka Streams interactive queries): a 503 while Kafka
 * Streams is not running or its stores are restored. A model's state lives in the task of its partition; with one
 * monitor instance, all of it is here.
 */
@Component
public class QueryableStores {

  private final StreamsBuilderFactoryBean streams;

  QueryableStores(StreamsBuilderFactoryBean streams) {
    this.streams = streams;
  }

  /** The key-value store of that name, read-only. */
  public <V> ReadOnlyKeyValueStore<String, V> keyValue(String name) {
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
