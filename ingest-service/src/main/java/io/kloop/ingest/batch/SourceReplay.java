package io.kloop.ingest.batch;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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

  /** Hands every record of {@code partition} from {@code first} to {@code last} (inclusive) to {@code each}. */
  void read(TopicPartition partition, long first, long last, Consumer<ConsumerRecord<String, byte[]>> each) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, first);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (consumer.position(partition) <= last) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot read " + partition + " offsets " + first + ".." + last + " within " + TIMEOUT
              + "; stopped at " + consumer.position(partition));
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() <= last) {
            each.accept(record);
          }
        }
      }
    }
  }
}
