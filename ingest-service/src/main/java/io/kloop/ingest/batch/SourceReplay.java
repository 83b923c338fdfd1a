package io.kloop.ingest.batch;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a range of offsets of one input partition again, outside the stream's own consumer: how an open
 * batch's rows, which are kept in memory only, are brought back after a restart or a task move.
 */
class SourceReplay {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final Map<String, Object> consumerConfig;

  SourceReplay(Map<String, Object> kafkaConfig) {
    Map<String, Object> config = new HashMap<>(kafkaConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, config.getOrDefault(ConsumerConfig.CLIENT_ID_CONFIG, "ingest-service") + "-batch-replay");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumerConfig = config;
  }

  /**
   * The offset from which the group (the Kafka Streams application) goes on reading the partition: the
   * offset committed with its last transaction. Read with {@code read_committed}, so the broker answers only
   * once no transaction that commits offsets for the partition is still open. Empty if none is committed.
   */
  OptionalLong committed(String group, TopicPartition partition) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    // Only asks for the group's offsets: never joins the group, never commits.
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      OffsetAndMetadata committed = consumer.committed(Set.of(partition), TIMEOUT).get(partition);
      return committed == null ? OptionalLong.empty() : OptionalLong.of(committed.offset());
    }
  }

  /** The partition's end for {@code read_committed} readers (its last stable offset). */
  long end(TopicPartition partition) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
      return consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
    }
  }

  /** Hands every record of {@code partition} from offset {@code from} up to, not including, {@code until} to {@code each}. */
  void read(TopicPartition partition, long from, long until, Consumer<ConsumerRecord<String, byte[]>> each) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, from);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (consumer.position(partition) < until) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot read " + partition + " offsets " + from + " to " + until + " within " + TIMEOUT
              + "; stopped at " + consumer.position(partition));
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() < until) {
            each.accept(record);
          }
        }
      }
    }
  }
}
