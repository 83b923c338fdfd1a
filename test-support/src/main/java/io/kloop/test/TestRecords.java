package io.kloop.test;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what tests wrote to the shared broker, as raw bytes and committed records only (read_committed).
 * Tests share topics, so every read filters: usually by a key unique to the test.
 */
public final class TestRecords {

  /** Generous: a wait may include a Kafka Streams application's start on a loaded two-core machine. */
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private TestRecords() {}

  /** Records whose key is the given string. */
  public static Predicate<ConsumerRecord<byte[], byte[]>> keyed(String key) {
    return record -> record.key() != null && key.equals(new String(record.key(), StandardCharsets.UTF_8));
  }

  /** Reads the topic from the beginning until at least {@code count} records match, failing after a minute. */
  public static List<ConsumerRecord<byte[], byte[]>> awaitAtLeast(
      String topic, Predicate<ConsumerRecord<byte[], byte[]>> filter, int count) {
    List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(TestKafkaBroker.bootstrapServers())) {
      consumer.subscribe(List.of(topic));
      await().atMost(TIMEOUT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> {
          if (filter.test(record)) {
            found.add(record);
          }
        });
        return found.size() >= count;
      });
    }
    return found;
  }

  /** Every matching record the topic holds now: reads each partition up to its current end offset. */
  public static List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic, Predicate<ConsumerRecord<byte[], byte[]>> filter) {
    return readToEnd(TestKafkaBroker.bootstrapServers(), topic, filter);
  }

  /** As {@link #readToEnd(String, Predicate)}, on another broker than the shared one. */
  public static List<ConsumerRecord<byte[], byte[]>> readToEnd(
      String bootstrapServers, String topic, Predicate<ConsumerRecord<byte[], byte[]>> filter) {
    List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await().atMost(TIMEOUT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> {
          if (filter.test(record)) {
            found.add(record);
          }
        });
        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
      });
    }
    return found;
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        // Exactly-once producers leave aborted records in the log; what counts is what was committed.
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
