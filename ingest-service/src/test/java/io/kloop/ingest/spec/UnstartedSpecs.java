package io.kloop.ingest.spec;

import io.kloop.schemas.EventSerializer;
import java.time.Clock;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.mock.MockProducerFactory;

/**
 * The service's own {@link DatasetSpecs}, for tests without a broker: declared through its rules (the first is
 * v1, a compatible change the next version), each declaration serialized as the service would send it and
 * stored by Kafka's in-memory producer, which acknowledges it at once. Never started: it follows no topic, so it
 * knows exactly what the test declared.
 */
public final class UnstartedSpecs {

  private UnstartedSpecs() {}

  public static DatasetSpecs create() {
    EventSerializer<SpecificRecord> events = new EventSerializer<>();
    // The template closes its producer after a send: a new one each time.
    KafkaTemplate<String, Object> template = new KafkaTemplate<>(new MockProducerFactory<>(() -> new MockProducer<>(true, null,
        new StringSerializer(), (topic, event) -> events.serialize(topic, (SpecificRecord) event))));
    // The consumer settings are for start(), which a test never calls: nothing connects to them.
    return new DatasetSpecs(new DefaultKafkaConsumerFactory<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092")), template,
        Clock.systemUTC());
  }
}
