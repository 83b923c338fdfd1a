package io.kloop.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.DataRecord;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.ingest.IngestTestProperties;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.service.kafka.KafkaPlatformAutoConfiguration;
import io.kloop.test.ServiceProcess;
import io.kloop.test.TestKafkaBroker;
import io.kloop.test.TestRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * kill -9 in the middle of the stream: the packaged ingest runs in a JVM of its own while records of two
 * datasets that share a partition keep arriving, is killed without warning once it has sealed some batches
 * (almost always with batches open and a transaction under way), and a new instance on the same state
 * directory carries on. Every good record ends up in exactly one committed batch, every bad one in exactly
 * one dead letter.
 */
class IngestCrashIT {

  private static final int RECORDS = 1500;
  private static final int BATCH = 50;
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private final String dataset = "crash-" + UUID.randomUUID().toString().substring(0, 8);
  /** A second dataset on the same partition, so one task holds both. */
  private final String twin = PartitionTwins.of(dataset);
  private final AtomicBoolean stopProducing = new AtomicBoolean();

  @Test
  void shouldLoseAndDuplicateNothingWhenKilledWithoutWarning(@TempDir Path home) throws Exception {
    List<String> arguments = List.of(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--spring.kafka.streams.application-id=ingest-crash-" + dataset,
        "--spring.kafka.streams.state-dir=" + home.resolve("state"),
        "--kloop.ingest.artifact-root=" + home.resolve("artifacts"),
        "--kloop.ingest.batch-max-records=" + BATCH,
        // Batches of the killed instance are sealed by size only, so one is open when it dies.
        "--kloop.ingest.batch-max-age=10m",
        // The killed instance never leaves its group: let the broker notice within 6 s rather than 45.
        "--spring.kafka.streams.properties.session.timeout.ms=6000");
    TestKafkaBroker.createPlatformTopics();
    // Both instances process only what this test writes, whatever earlier tests left on the shared topic.
    IngestTestProperties.startAtTheEnd("ingest-crash-" + dataset);

    Map<String, List<String>> good = Map.of(dataset, new ArrayList<>(), twin, new ArrayList<>());
    Map<String, Map<String, Integer>> bad = Map.of(dataset, new HashMap<>(), twin, new HashMap<>());
    List<DataRecord> records = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      // The same ids in both datasets: ids are unique per dataset only.
      for (String name : List.of(dataset, twin)) {
        records.add(record(name, "r" + i, 10.0 + i % 40));
        good.get(name).add("r" + i);
        if (i % 10 == 9) {
          records.add(record(name, "r" + (i - 5), 1.0));
          bad.get(name).merge("r" + (i - 5), 1, Integer::sum);
        }
        if (i % 13 == 12) {
          records.add(record(name, "bad-" + i, 77.0));
          bad.get(name).merge("bad-" + i, 1, Integer::sum);
        }
      }
    }

    ServiceProcess ingest = ServiceProcess.start("ingest-service", "384m", home.resolve("ingest.log"), arguments);
    CompletableFuture<Void> producing = null;
    ConfigurableApplicationContext restarted = null;
    try {
      WebClient http = WebClient.create("http://127.0.0.1:" + ingest.port());
      for (String name : List.of(dataset, twin)) {
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> !ingest.isAlive() || http.put().uri("/v1/datasets/{name}", name)
            .contentType(MediaType.APPLICATION_JSON).bodyValue("""
                {"idField": "id",
                 "features": [{"name": "radius", "type": "numeric", "min": 0, "max": 50}],
                 "label": {"name": "diagnosis", "classes": ["benign", "malignant"]}}""")
            .retrieve().toBodilessEntity().block(Duration.ofSeconds(10)).getStatusCode().is2xxSuccessful());
      }
      assertThat(ingest.isAlive()).as("ingest output:%n%s", ingest.output()).isTrue();

      producing = CompletableFuture.runAsync(() -> publishOneByOne(records));
      await().atMost(TIMEOUT).until(() -> !ingest.isAlive() || CommittedBatches.of(dataset).size() + CommittedBatches.of(twin).size() >= 10);
      assertThat(ingest.isAlive()).as("ingest output:%n%s", ingest.output()).isTrue();
      ingest.kill();
      assertThat(CommittedBatches.rows(dataset)).as("killed in the middle of the stream").isLessThan(RECORDS);
      assertThat(CommittedBatches.rows(twin)).as("killed in the middle of the stream").isLessThan(RECORDS);

      restarted = IngestServiceApplication.builder().run(
          arguments.stream().map(a -> a.equals("--kloop.ingest.batch-max-age=10m") ? "--kloop.ingest.batch-max-age=2s" : a)
              .toList().toArray(String[]::new));
      producing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      LocalArtifactStore artifacts = new LocalArtifactStore(home.resolve("artifacts"));
      EventDeserializer<DataRecord> decoder = new EventDeserializer<>(DataRecord.class);
      for (String name : List.of(dataset, twin)) {
        await().atMost(TIMEOUT).until(() -> CommittedBatches.rows(name) >= RECORDS);
        List<DatasetBatchCommitted> batches = CommittedBatches.of(name);
        assertThat(CommittedBatches.recordIds(batches, artifacts)).as("every good record of %s in exactly one committed batch", name)
            .containsExactlyInAnyOrderElementsOf(good.get(name));
        assertThat(batches).extracting(DatasetBatchCommitted::getBatchId).doesNotHaveDuplicates();

        int badCount = bad.get(name).values().stream().mapToInt(Integer::intValue).sum();
        List<ConsumerRecord<byte[], byte[]>> deadLetters = TestRecords.awaitAtLeast(Topics.deadLetter("ingest").name(),
            TestRecords.keyed(name), badCount);
        Map<String, Integer> deadLettered = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> deadLetter : deadLetters) {
          String id = decoder.deserialize("t", deadLetter.value()).getRecordId();
          deadLettered.merge(id, 1, Integer::sum);
          String reason = new String(deadLetter.headers().lastHeader(KafkaPlatformAutoConfiguration.REASON_HEADER).value(), StandardCharsets.UTF_8);
          assertThat(reason).contains(id.startsWith("bad-") ? "radius: 77.0 is above the maximum 50.0" : "duplicate record id " + id);
        }
        assertThat(deadLettered).as("every bad record of %s in exactly one dead letter", name).isEqualTo(bad.get(name));
      }
    } finally {
      ingest.kill();
      stopProducing.set(true);
      if (restarted != null) {
        restarted.close();
      }
    }
  }

  private static DataRecord record(String dataset, String id, double radius) {
    return DataRecord.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now())
        .setProducer("test").setDataset(dataset).setRecordId(id).setFeatures(Map.<String, Object>of("radius", radius)).setLabel("benign").build();
  }

  /**
   * Publishes the records one by one, each acknowledged, so they keep arriving while ingest is killed; stops
   * early once the test ends.
   */
  private void publishOneByOne(List<DataRecord> records) {
    EventSerializer<DataRecord> serializer = new EventSerializer<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < records.size() && !stopProducing.get(); i++) {
        DataRecord record = records.get(i);
        producer.send(new ProducerRecord<>(Topics.DATA_RECORD.name(), record.getDataset().toString(), serializer.serialize("t", record)))
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not publish the records", e);
    }
  }
}
