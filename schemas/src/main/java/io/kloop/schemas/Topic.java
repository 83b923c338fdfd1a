package io.kloop.schemas;

import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A platform topic: its name, the key and value it carries, how many partitions it has and whether it is
 * compacted (holds current state per key) or deleted by time (a log of facts).
 *
 * @param name topic name, {@code mlops.<owning-service>.<event-in-kebab-case>}
 * @param keyType type of the record key (every platform topic is keyed by the entity's name)
 * @param valueType type of the record value
 * @param partitions partition count; the unit of consumer parallelism
 * @param cleanupPolicy {@code compact} for state topics, {@code delete} for event logs, {@code keep} for ledgers
 * @param description what the topic holds, for operators
 */
public record Topic<K, V>(
    String name, Class<K> keyType, Class<V> valueType, int partitions, CleanupPolicy cleanupPolicy, String description) {

  /** What Kafka does with old records of a topic. */
  public enum CleanupPolicy {
    /** Keep the latest record per key for ever: the topic is a table of current state. */
    COMPACT(TopicConfig.CLEANUP_POLICY_COMPACT),
    /** Delete records after the retention time: the topic is a log of facts. */
    DELETE(TopicConfig.CLEANUP_POLICY_DELETE),
    /** Keep every record for ever ({@code retention.ms=-1}): the topic is a ledger that readers replay whole. */
    KEEP(TopicConfig.CLEANUP_POLICY_DELETE);

    private final String kafkaName;

    CleanupPolicy(String kafkaName) {
      this.kafkaName = kafkaName;
    }

    /** The value of the topic's {@code cleanup.policy} setting. */
    public String kafkaName() {
      return kafkaName;
    }
  }

  public Topic {
    if (!name.matches("mlops\\.[a-z]+(-[a-z]+)*\\.[a-z]+(-[a-z]+)*")) {
      throw new IllegalArgumentException("topic name " + name + " does not follow mlops.<service>.<event-in-kebab-case>");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("topic " + name + " needs at least one partition");
    }
  }

  /** Topic-level configs to create the topic with. */
  public Map<String, String> configs() {
    return cleanupPolicy == CleanupPolicy.KEEP
        ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy.kafkaName(), TopicConfig.RETENTION_MS_CONFIG, "-1")
        : Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy.kafkaName());
  }

  /**
   * How to create the topic: its partitions and configs, and no replication factor, so the broker's
   * {@code default.replication.factor} applies (1 on the embedded broker, 3 on a production cluster).
   */
  public NewTopic newTopic() {
    return new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs());
  }

  /** True when the topic carries platform events (Avro values) rather than raw bytes. */
  public boolean carriesEvents() {
    return SpecificRecord.class.isAssignableFrom(valueType);
  }

  /** Serde for the key (a UTF-8 string on event topics, raw bytes on dead-letter topics). */
  public Serde<K> keySerde() {
    return Serdes.serdeFrom(keyType);
  }

  /** Serde for the value (events only), for Kafka Streams. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Serde<V> valueSerde() {
    if (!carriesEvents()) {
      throw new IllegalStateException("topic " + name + " carries raw bytes, not events");
    }
    return (Serde<V>) new EventSerde(valueType);
  }
}
