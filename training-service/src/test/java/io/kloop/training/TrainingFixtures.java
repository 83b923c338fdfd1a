package io.kloop.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ArtifactRef;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.producer.SourceRecord;
import io.kloop.schemas.BatchFiles;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import io.kloop.training.run.TrainingDataAccess;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the training ITs share: the service started on the shared broker with its own artifact directory,
 * an HTTP client with a generous timeout, and the shipped breast-cancer data declared and committed as ingest
 * would, under names unique to the test.
 */
public final class TrainingFixtures {

  private static final List<SourceRecord> BREAST_CANCER = TrainingDataAccess.breastCancer();

  private final LocalArtifactStore store;
  private final Path home;

  /** Fixtures in the directory {@code home}; the platform's topics are created if the broker does not have them yet. */
  public TrainingFixtures(Path home) {
    this.home = home;
    this.store = new LocalArtifactStore(home.resolve("artifacts"));
    try {
      TestKafkaBroker.createPlatformTopics();
    } catch (Exception e) {
      throw new IllegalStateException("could not create the platform's topics", e);
    }
  }

  /** Starts the service (port chosen by the system) with the given extra {@code --key=value} arguments. */
  public ConfigurableApplicationContext start(String... arguments) {
    return TrainingServiceApplication.builder().run(arguments(arguments));
  }

  /** Starts the service as {@link #start(String...)} does, its time (the service's {@link Clock}) from {@code clock}. */
  public ConfigurableApplicationContext start(Clock clock, String... arguments) {
    return TrainingServiceApplication.builder()
        .initializers(context -> ((GenericApplicationContext) context).registerBean("testClock", Clock.class, () -> clock))
        .run(arguments(arguments));
  }

  private String[] arguments(String... arguments) {
    String[] base = {"--server.port=0", "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--kloop.training.artifact-root=" + home.resolve("artifacts")};
    return Stream.concat(Stream.of(base), Stream.of(arguments)).toArray(String[]::new);
  }

  public static String baseUrl(ConfigurableApplicationContext service) {
    return "http://127.0.0.1:" + service.getEnvironment().getProperty("local.server.port");
  }

  /** A client whose every exchange fails after 30 s rather than WebTestClient's default 5 s (CI machines are busy). */
  public static WebTestClient http(ConfigurableApplicationContext service) {
    return WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(30)).baseUrl(baseUrl(service)).build();
  }

  public static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  public List<SourceRecord> breastCancer() {
    return BREAST_CANCER;
  }

  public LocalArtifactStore store() {
    return store;
  }

  /** Publishes the breast-cancer spec as ingest would after PUT /v1/datasets/{name}. */
  public void declareBreastCancer(String dataset) {
    DatasetSpecDeclared spec = TrainingDataAccess.breastCancerSpec(dataset);
    TestEvents.publish(Topics.DATASET_SPEC_DECLARED.name(), dataset, spec);
  }

  /** Writes the shipped rows as batch files of {@code size} rows and announces each as ingest would. */
  public List<DatasetBatchCommitted> commitBreastCancer(String dataset, int size, String tag) {
    return commitBreastCancer(dataset, size, tag, null);
  }

  /**
   * Writes the shipped rows as batch files of {@code size} rows and announces each as ingest would; when
   * {@code feedbackFrom} names a model, every row is feedback (a served prediction of its version 1 with its ground
   * truth), and each announcement counts them in {@code feedbackRows}.
   */
  public List<DatasetBatchCommitted> commitBreastCancer(String dataset, int size, String tag, String feedbackFrom) {
    List<DatasetBatchCommitted> batches = new ArrayList<>();
    for (int start = 0; start < BREAST_CANCER.size(); start += size) {
      List<BatchFiles.Row> rows = new ArrayList<>();
      for (int i = start; i < Math.min(BREAST_CANCER.size(), start + size); i++) {
        SourceRecord record = BREAST_CANCER.get(i);
        rows.add(new BatchFiles.Row(record.id(), record.label(), record.features(), 0, i,
            feedbackFrom == null ? null : new BatchFiles.Feedback(feedbackFrom, 1, "prediction-" + record.id())));
      }
      String batchId = dataset + "-" + tag + "-p0-" + start + "-" + (start + rows.size() - 1);
      ArtifactRef artifact = store.put(BatchFiles.write(batchId, rows), BatchFiles.MEDIA_TYPE);
      DatasetBatchCommitted batch = DatasetBatchCommitted.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now())
          .setProducer("ingest-service").setDataset(dataset).setSpecVersion(1).setBatchId(batchId).setRowCount(rows.size())
          .setArtifact(artifact).setSchemaFingerprint(BatchFiles.rowSchemaFingerprint()).setFeatures(List.of()).setLabelCounts(Map.of())
          .setFeedbackRows(feedbackFrom == null ? 0 : rows.size()).build();
      TestEvents.publish(Topics.DATASET_BATCH_COMMITTED.name(), dataset, batch);
      batches.add(batch);
    }
    return batches;
  }

  /** Whether the work thread of the run is still alive in this JVM (the service runs in-process in these tests). */
  public static boolean workAlive(String runId) {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(thread -> thread.getName().equals("training-work-" + runId) && thread.isAlive());
  }

  /** The service's listener of new batches: its consumer group. */
  public static final String NEW_DATA_GROUP = "training-service-new-data";
  /** The service's listener of retraining requests: its consumer group. */
  public static final String RETRAINING_GROUP = "training-service-retraining";

  /**
   * Waits (up to {@code atMost}) until the consumer group has committed every record the topic holds: the
   * service has handled them all (its listeners commit after handling). A partition the group never committed
   * on counts from its first record, as the services read from the earliest offset.
   */
  public static void awaitNoLag(String group, String topic, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
        assertThat(lag(group, topic)).as("records of %s not yet handled by group %s", topic, group).isZero());
  }

  /** Records of the topic the group has not committed yet (end offset minus committed offset, over every partition). */
  public static long lag(String group, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafkaBroker.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS);
      List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
          .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(partitions.stream()
          .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get(30, TimeUnit.SECONDS);
      long lag = 0;
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata offset = committed.get(partition);
        lag += ends.get(partition).offset() - (offset == null ? 0 : offset.offset());
      }
      return lag;
    }
  }
}
