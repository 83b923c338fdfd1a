package io.kloop.service.kafka;

import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.RandomEvents;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.test.TestKafkaBroker;
import io.kloop.test.TestRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every event type through a real broker: written by a plain producer configured by class name, read by a
 * plain consumer configured by class name, and copied by a Kafka Streams topology using the topics' serdes.
 */
class EventRoundTripIT {

  private static final int PER_TYPE = 5;

  @BeforeAll
  static void createTopics() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafkaBroker.bootstrapServers()))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<String, ?> topic : Topics.EVENT_TOPICS) {
        if (!existing.contains(topic.name())) {
          missing.add(topic.newTopic());
        }
        if (!existing.contains(copyOf(topic))) {
          missing.add(new NewTopic(copyOf(topic), Optional.of(topic.partitions()), Optional.empty()));
        }
      }
      admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldRoundTripEveryEventTypeThroughPlainClientsAndKafkaStreams() throws Exception {
    Map<String, List<SpecificRecord>> sent = new HashMap<>();
    try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(producerConfig())) {
      for (Topic<String, ?> topic : Topics.EVENT_TOPICS) {
        @SuppressWarnings("unchecked")
        List<SpecificRecord> events = (List<SpecificRecord>) RandomEvents.of(
            (Class<? extends SpecificRecord>) topic.valueType(), PER_TYPE, topic.name().hashCode());
        sent.put(topic.name(), events);
        for (SpecificRecord event : events) {
          producer.send(new ProducerRecord<>(topic.name(), "key-of-" + topic.name(), event)).get(30, TimeUnit.SECONDS);
        }
      }
    }

    for (Topic<String, ?> topic : Topics.EVENT_TOPICS) {
      assertThat(readValues(topic.name(), topic.valueType(), PER_TYPE))
          .as("plain consumer of %s", topic.name())
          .containsExactlyInAnyOrderElementsOf(sent.get(topic.name()));
    }

    KafkaStreams streams = copyEveryTopic();
    try {
      streams.start();
      for (Topic<String, ?> topic : Topics.EVENT_TOPICS) {
        assertThat(readValues(copyOf(topic), topic.valueType(), PER_TYPE))
            .as("Kafka Streams copy of %s", topic.name())
            .containsExactlyInAnyOrderElementsOf(sent.get(topic.name()));
      }
    } finally {
      // Bounded: close() alone waits without limit for the stream thread to stop.
      streams.close(Duration.ofSeconds(60));
    }
  }

  private static KafkaStreams copyEveryTopic() {
    StreamsBuilder builder = new StreamsBuilder();
    for (Topic<String, ?> topic : Topics.EVENT_TOPICS) {
      copy(builder, topic);
    }
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "round-trip-" + UUID.randomUUID());
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers());
    config.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/kloop-streams-" + UUID.randomUUID());
    config.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Other tests leave undecodable records on these topics; skip them as the services do.
    config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
    return new KafkaStreams(builder.build(), config);
  }

  private static <V> void copy(StreamsBuilder builder, Topic<String, V> topic) {
    builder.stream(topic.name(), Consumed.with(topic.keySerde(), topic.valueSerde()))
        .to(copyOf(topic), Produced.with(topic.keySerde(), topic.valueSerde()));
  }

  private static String copyOf(Topic<String, ?> topic) {
    return topic.name() + "-copy";
  }

  private static Map<String, Object> producerConfig() {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, EventSerializer.class.getName());
  }

  /**
   * The values of this test's records on a topic (other tests share the broker and may leave other records,
   * even garbage, on the same topics), decoded by a deserializer configured by class name.
   */
  private static List<Object> readValues(String topic, Class<?> type, int expected) {
    String key = "key-of-" + topic.replace("-copy", "");
    try (EventDeserializer<SpecificRecord> deserializer = new EventDeserializer<>()) {
      deserializer.configure(Map.of(EventDeserializer.EVENT_TYPE_CONFIG, type.getName()), false);
      return TestRecords.awaitAtLeast(topic, TestRecords.keyed(key), expected).stream()
          .map(record -> (Object) deserializer.deserialize(topic, record.value()))
          .toList();
    }
  }
}
