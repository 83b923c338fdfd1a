package io.kloop.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.DataRecord;
import io.kloop.events.ModelApproved;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.RandomEvents;
import io.kloop.schemas.Topics;
import io.kloop.test.TestKafkaBroker;
import io.kloop.test.TestRecords;
import io.kloop.test.WithKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * Poison messages on a real broker: a service built on the shared setup receives garbage, an unknown
 * schema fingerprint, the wrong event and an event its handler cannot process, followed by a good event
 * on the same partition. Every bad record lands in the service's dead-letter topic with its original
 * bytes and the reason; the good one behind them is still processed.
 */
// Closed after the class: a cached context's clients would go on polling the shared broker through later classes.
@DirtiesContext
@SpringBootTest(
    classes = PoisonMessageIT.ProbeService.class,
    properties = "spring.application.name=poison-probe")
@WithKafkaBroker
class PoisonMessageIT {

  private static final String TOPIC = Topics.MODEL_APPROVED.name();
  private static final String DEAD_LETTER = "mlops.poison-probe.dead-letter";

  @Autowired ApprovedModelHandler handler;
  @Autowired DefaultErrorHandler errorHandler;

  @Test
  void shouldDeadLetterEveryPoisonRecordWithItsReasonAndKeepConsuming() throws Exception {
    String key = "poison-" + UUID.randomUUID();
    EventSerializer<org.apache.avro.specific.SpecificRecord> events = new EventSerializer<>();
    ModelApproved explodes = approved("explodes");
    ModelApproved healthy = approved("healthy-" + key);
    byte[] garbage = "this is not an event".getBytes(StandardCharsets.UTF_8);
    byte[] unknownFingerprint = events.serialize(TOPIC, approved("from-the-future"));
    Arrays.fill(unknownFingerprint, 2, 10, (byte) 0x11);
    byte[] wrongEvent = events.serialize(TOPIC, RandomEvents.of(DataRecord.class, 1, 42).get(0));
    byte[] failing = events.serialize(TOPIC, explodes);
    List<byte[]> poison = List.of(garbage, unknownFingerprint, wrongEvent, failing);

    Map<Long, Integer> failedDeliveries = new ConcurrentHashMap<>();
    errorHandler.setRetryListeners((record, exception, attempt) -> {
      if (key.equals(record.key())) {
        failedDeliveries.merge(record.offset(), 1, Integer::sum);
      }
    });
    List<Long> offsets = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
      for (byte[] value : poison) {
        RecordMetadata sent = producer.send(new ProducerRecord<>(TOPIC, key, value)).get(30, TimeUnit.SECONDS);
        offsets.add(sent.offset());
      }
      producer.send(new ProducerRecord<>(TOPIC, key, events.serialize(TOPIC, healthy))).get(30, TimeUnit.SECONDS);
    }

    await().atMost(Duration.ofSeconds(60)).until(() -> handler.served.contains(healthy.getModel()));
    // The good record sits behind the poison on the same partition: by now every dead letter is written.
    List<ConsumerRecord<byte[], byte[]>> deadLetters = TestRecords.readToEnd(DEAD_LETTER, TestRecords.keyed(key));

    assertThat(deadLetters).hasSize(4);
    for (int i = 0; i < poison.size(); i++) {
      ConsumerRecord<byte[], byte[]> dead = deadLetters.get(i);
      assertThat(dead.value()).as("original bytes of poison record %d", i).isEqualTo(poison.get(i));
      assertThat(header(dead, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(TOPIC);
      assertThat(Long.parseLong(header(dead, KafkaHeaders.DLT_ORIGINAL_OFFSET))).isEqualTo(offsets.get(i));
      assertThat(header(dead, KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP)).isEqualTo("poison-probe-approved-models");
    }
    assertThat(reason(deadLetters.get(0))).contains("not an Avro single-object encoded event");
    assertThat(reason(deadLetters.get(1))).contains("unknown schema fingerprint 1111111111111111");
    assertThat(reason(deadLetters.get(2))).contains("DataRecord");
    assertThat(reason(deadLetters.get(3))).contains("model explodes cannot be served");
    // Undecodable and unconvertible records are never retried; a failing handler is retried 3 times.
    assertThat(failedDeliveries).containsExactlyInAnyOrderEntriesOf(Map.of(
        offsets.get(0), 1, offsets.get(1), 1, offsets.get(2), 1, offsets.get(3), 4));
    assertThat(handler.attempts.get()).isEqualTo(4);
    assertThat(handler.served).doesNotContain("explodes");
  }

  private static ModelApproved approved(String model) {
    ModelApproved event = RandomEvents.of(ModelApproved.class, 1, model.hashCode()).get(0);
    event.setModel(model);
    return event;
  }

  private static String reason(ConsumerRecord<byte[], byte[]> record) {
    return header(record, KafkaPlatformAutoConfiguration.REASON_HEADER);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    byte[] value = header.value();
    if (name.equals(KafkaHeaders.DLT_ORIGINAL_OFFSET)) {
      return String.valueOf(java.nio.ByteBuffer.wrap(value).getLong());
    }
    return new String(value, StandardCharsets.UTF_8);
  }

  @SpringBootApplication
  @Import(ApprovedModelHandler.class)
  static class ProbeService {}

  /** A typical handler of a service: one event type, one listener, failures thrown. */
  static class ApprovedModelHandler {
    final List<String> served = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();

    @KafkaListener(id = "poison-probe-approved-models", topics = "mlops.registry.model-approved")
    void on(ModelApproved approved) {
      if (approved.getModel().equals("explodes")) {
        attempts.incrementAndGet();
        throw new IllegalStateException("model explodes cannot be served");
      }
      served.add(approved.getModel());
    }
  }
}
