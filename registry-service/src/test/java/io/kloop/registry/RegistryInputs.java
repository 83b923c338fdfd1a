package io.kloop.registry;

import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.kloop.test.TestKafkaBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The registry's input topics in tests. The test classes share one broker, so {@code mlops.registry.model-trained}
 * holds every earlier class's runs: a registry started under a fresh application id would read them all from
 * the beginning and decide each of them again before it reaches the test's own, which makes a class's timing
 * depend on the classes run before it. {@link #startAtTheEnd} lets it begin where the inputs end now.
 */
public final class RegistryInputs {

  /** What the registry reads (its topology's one source). */
  private static final List<Topic<String, ?>> INPUTS = List.of(Topics.MODEL_TRAINED, Topics.MODEL_DECISION_REQUESTED);

  private RegistryInputs() {}

  /**
   * Commits, for the registry's Kafka Streams application (its consumer group), the current end of every
   * partition of its input topics: a registry started under this application id then processes only what is
   * written from now on, by this test. Call it once, before the first registry of that id starts; one that
   * starts again under the same id goes on from where the last one committed.
   */
  public static void startAtTheEnd(String applicationId) {
    try {
      TestKafkaBroker.createPlatformTopics();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers()))) {
        Map<TopicPartition, OffsetSpec> partitions = INPUTS.stream()
            .flatMap(topic -> IntStream.range(0, topic.partitions()).mapToObj(p -> new TopicPartition(topic.name(), p)))
            .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        Map<TopicPartition, OffsetAndMetadata> ends = admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS).entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue().offset())));
        admin.alterConsumerGroupOffsets(applicationId, ends).all().get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the registry " + applicationId + " at the end of its input topics", e);
    }
  }
}
