package io.kloop.ingest;

import io.kloop.schemas.Topics;
import io.kloop.test.TestKafkaBroker;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Properties that keep a test's ingest-service out of the work tree and out of other tests' way: its state
 * and its artifacts in the temporary directory, and its own Kafka Streams application that starts at the
 * records topic's end ({@link #pipelineFromTheEnd}), so it never processes what earlier test classes left
 * on the shared topic. Test classes close their context when done ({@code @DirtiesContext}): two live
 * ingest pipelines would both process the shared records topic.
 */
public final class IngestTestProperties {

  public static final String TEMPORARY_STATE = "spring.kafka.streams.state-dir=${java.io.tmpdir}/kloop-ingest-test-state-${random.uuid}";
  public static final String TEMPORARY_ARTIFACTS = "kloop.ingest.artifact-root=${java.io.tmpdir}/kloop-ingest-test-artifacts";

  /** Every HTTP answer of a test may take this long on a busy 2-core machine (WebTestClient's default is 5 s). */
  public static final Duration HTTP_TIMEOUT = Duration.ofSeconds(60);

  private IngestTestProperties() {}

  /** For a {@code @DynamicPropertySource}: a fresh application id, whose pipeline starts at the records topic's end. */
  public static void pipelineFromTheEnd(DynamicPropertyRegistry registry) {
    String applicationId = "ingest-test-" + UUID.randomUUID();
    startAtTheEnd(applicationId);
    registry.add("spring.kafka.streams.application-id", () -> applicationId);
  }

  /**
   * Commits, for the Kafka Streams application (its consumer group), the current end of every partition of
   * the records topic: the pipeline then processes only records written from now on, by this test.
   */
  public static void startAtTheEnd(String applicationId) {
    try {
      TestKafkaBroker.createPlatformTopics();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers()))) {
        Map<TopicPartition, OffsetSpec> partitions = java.util.stream.IntStream.range(0, Topics.DATA_RECORD.partitions()).boxed()
            .collect(Collectors.toMap(p -> new TopicPartition(Topics.DATA_RECORD.name(), p), p -> OffsetSpec.latest()));
        Map<TopicPartition, OffsetAndMetadata> ends = admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS).entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue().offset())));
        admin.alterConsumerGroupOffsets(applicationId, ends).all().get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the pipeline of " + applicationId + " at the records topic's end", e);
    }
  }

  /** A client of the service at {@code baseUrl} that waits {@link #HTTP_TIMEOUT} for each answer. */
  public static WebTestClient http(String baseUrl) {
    return WebTestClient.bindToServer().baseUrl(baseUrl).responseTimeout(HTTP_TIMEOUT).build();
  }
}
