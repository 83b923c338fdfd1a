package io.kloop.schemas;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/** A Kafka {@code Serde} for one event type, for Kafka Streams topologies. */
public class EventSerde<T extends SpecificRecord> extends Serdes.WrapperSerde<T> {

  public EventSerde(Class<T> type) {
    super(new EventSerializer<>(), new EventDeserializer<>(type));
  }
}
