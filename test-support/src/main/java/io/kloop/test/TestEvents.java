package io.kloop.test;

import static org.awaitility.Awaitility.await;

import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Platform events in tests: publish one as another service would, read back the ones about a key. */
public final class TestEvents {

  private TestEvents() {}

  /** Publishes the event with acks=all and waits for the broker's acknowledgement. */
  public static <T extends SpecificRecord> void publish(String topic, String key, T event) {
    try (KafkaProducer<String, T> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new EventSerializer<>())) {
      producer.send(new ProducerRecord<>(topic, key, event)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not publish to " + topic, e);
    }
  }

  /** Every committed event of the given type under the key, in log order. */
  public static <T extends SpecificRecord> List<T> read(String topic, String key, Class<T> type) {
    EventDeserializer<T> events = new EventDeserializer<>(type);
    return TestRecords.readToEnd(topic, TestRecords.keyed(key)).stream().map(r -> events.deserialize(topic, r.value())).toList();
  }

  /** Waits (up to {@code timeout}) until at least {@code count} such events exist, and returns them all. */
  public static <T extends SpecificRecord> List<T> awaitAtLeast(String topic, String key, Class<T> type, int count, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> read(topic, key, type).size() >= count);
    return read(topic, key, type);
  }
}
