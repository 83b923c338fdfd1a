package io.kloop.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.ModelRejected;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.RandomEvents;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.kloop.test.TestKafkaBroker;
import io.kloop.test.TestRecords;
import io.kloop.test.WithKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.TopicBuilder;

/**
 * A Kafka Streams service on the shared setup meets undecodable bytes: they go to the service's
 * dead-letter topic with Kafka Streams' error headers (KIP-1034), and the stream goes on to the next record.
 */
// Closed after the class: a cached context's clients would go on polling the shared broker through later classes.
@DirtiesContext
@SpringBootTest(
    classes = StreamsPoisonMessageIT.ProbeStreams.class,
    properties = {"spring.application.name=poison-stream", "spring.kafka.streams.state-dir=${java.io.tmpdir}/poison-stream-${random.uuid}"})
@WithKafkaBroker
class StreamsPoisonMessageIT {

  private static final Topic<String, ModelRejected> INPUT = Topics.MODEL_REJECTED;
  private static final String OUTPUT = "poison-stream-models";
  private static final String DEAD_LETTER = "mlops.poison-stream.dead-letter";

  @Test
  void shouldDeadLetterUndecodableBytesAndKeepStreaming() throws Exception {
    String key = "stream-poison-" + UUID.randomUUID();
    byte[] garbage = "{\"model\": \"not avro\"}".getBytes(StandardCharsets.UTF_8);
    ModelRejected good = RandomEvents.of(ModelRejected.class, 1, key.hashCode()).get(0);
    good.setModel(key);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(INPUT.name(), key, garbage)).get(30, TimeUnit.SECONDS);
      producer.send(new ProducerRecord<>(INPUT.name(), key, new EventSerializer<ModelRejected>().serialize(INPUT.name(), good)))
          .get(30, TimeUnit.SECONDS);
    }

    ConsumerRecord<byte[], byte[]> modelOut = firstWithKey(OUTPUT, key);
    assertThat(new String(modelOut.value(), StandardCharsets.UTF_8)).isEqualTo(key);

    ConsumerRecord<byte[], byte[]> dead = firstWithKey(DEAD_LETTER, key);
    assertThat(dead.value()).isEqualTo(garbage);
    assertThat(header(dead, "__streams.errors.topic")).isEqualTo(INPUT.name());
    assertThat(header(dead, "__streams.errors.message")).contains("not an Avro single-object encoded event");
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s in %s", name, record.headers()).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private static ConsumerRecord<byte[], byte[]> firstWithKey(String topic, String key) {
    return TestRecords.awaitAtLeast(topic, TestRecords.keyed(key), 1).get(0);
  }

  @SpringBootApplication
  @EnableKafkaStreams
  static class ProbeStreams {

    @Bean
    NewTopic output() {
      return TopicBuilder.name(OUTPUT).partitions(1).build();
    }

    /** Names of rejected models, as a typical streams service would derive something from events. */
    @Bean
    KStream<String, ModelRejected> rejectedModelNames(StreamsBuilder builder) {
      KStream<String, ModelRejected> rejected = builder.stream(INPUT.name(), Consumed.with(INPUT.keySerde(), INPUT.valueSerde()));
      rejected.mapValues(ModelRejected::getModel).to(OUTPUT, Produced.with(INPUT.keySerde(), org.apache.kafka.common.serialization.Serdes.String()));
      return rejected;
    }
  }
}
