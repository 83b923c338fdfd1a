package io.kloop.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.kloop.events.DataRecord;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.FeatureSummary;
import io.kloop.events.FeedbackOrigin;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.ingest.IngestTestProperties;
import io.kloop.schemas.BatchFiles;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.service.kafka.KafkaPlatformAutoConfiguration;
import io.kloop.test.TestKafkaBroker;
import io.kloop.test.TestRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.groups.Tuple;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Both intake paths on a real broker, with ingest restarted in the middle: every good record ends up in
 * exactly one committed batch (read back from the artifact store, hash verified), every bad one in the
 * dead-letter topic or the HTTP answer, with its reason.
 */
class RecordPipelineIT {

  @TempDir Path home;
  private final String dataset = "pipeline-" + UUID.randomUUID().toString().substring(0, 8);
  /** A second dataset on the same partition: the restarted task resumes both open batches in one scan. */
  private final String twin = PartitionTwins.of(dataset);
  private final String appId = "ingest-pipeline-test-" + UUID.randomUUID();

  @Test
  void shouldPutEveryGoodRecordInExactlyOneBatchAcrossARestartAndDeadLetterEveryBadOne() throws Exception {
    List<String> good = new ArrayList<>();
    Map<String, String> badByKafka = new HashMap<>();

    // The first instance never seals by age, so that records k10 and k11 are left in an open batch.
    ConfigurableApplicationContext ingest = startIngest("10m");
    try {
      WebTestClient http = client(ingest);
      declareDataset(http, dataset);
      declareDataset(http, twin);

      try (KafkaProducer<String, byte[]> producer = producer()) {
        for (int i = 0; i < 12; i++) {
          send(producer, dataset, record("k" + i, 10.0 + i, i % 2 == 0 ? "a" : "b"));
          good.add("k" + i);
        }
        for (int i = 0; i < 3; i++) {
          send(producer, twin, record(twin, "t" + i, 5.0 + i, "a"));
        }
        send(producer, dataset, record("k3", 1.0, "a"));
        badByKafka.put("k3", "duplicate record id k3");
        send(producer, dataset, record("bad-range", 77.0, "a"));
        badByKafka.put("bad-range", "radius: 77.0 is above the maximum 50.0");
        producer.send(new ProducerRecord<>(Topics.DATA_RECORD.name(), dataset, "garbage".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        badByKafka.put("garbage", "not an Avro single-object encoded event");
      }
      http.post().uri("/v1/datasets/{name}/records", dataset).contentType(MediaType.parseMediaType("text/csv")).bodyValue("""
          id,radius,site,diagnosis
          h1,3.5,a,benign
          h2,-4,a,benign
          h3,4.5,,malignant
          """).exchange().expectStatus().isBadRequest()
          .expectBody().jsonPath("$.refused[0].recordId").isEqualTo("h2")
          .jsonPath("$.refused[0].violations[0].reason").isEqualTo("-4.0 is below the minimum 0.0");
      good.addAll(List.of("h1", "h3"));

      // Once the dead letter of the last Kafka record is committed, k0..k9 are sealed in two batches and
      // k10, k11 are accepted into the open third one, which must survive the restart, as must the twin's
      // open batch of t0..t2.
      TestRecords.awaitAtLeast(Topics.deadLetter("ingest").name(),
          r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(dataset) && new String(r.value(), StandardCharsets.UTF_8).equals("garbage"), 1);
      assertThat(CommittedBatches.of(dataset)).hasSize(2);
    } finally {
      ingest.close();
    }

    // Batches are sealed by size only: k10, k11, h1, h3 and the twin's t0..t2 complete their batches with
    // records sent after the restart, whenever the restarted task starts.
    ConfigurableApplicationContext restarted = startIngest("10m");
    try {
      try (KafkaProducer<String, byte[]> producer = producer()) {
        for (int i = 12; i < 23; i++) {
          send(producer, dataset, record("k" + i, 20.0 + i, "a"));
          good.add("k" + i);
        }
        send(producer, dataset, record("k15", 1.0, "a"));
        badByKafka.put("k15", "duplicate record id k15");
        // Accepted, and sealed, by the first instance: the restarted one must know it too.
        send(producer, dataset, record("k4", 1.0, "a"));
        badByKafka.put("k4", "duplicate record id k4");
        send(producer, "not-" + dataset, record("wrong-key", 1.0, "a"));
        badByKafka.put("wrong-key", "must be the dataset name");
        for (int i = 3; i < 10; i++) {
          send(producer, twin, record(twin, "t" + i, 5.0 + i, "a"));
        }
      }

      await().atMost(Duration.ofSeconds(120)).until(() -> CommittedBatches.rows(dataset) >= good.size());
      List<DatasetBatchCommitted> batches = CommittedBatches.of(dataset);
      LocalArtifactStore store = new LocalArtifactStore(home.resolve("artifacts"));
      List<String> inBatches = CommittedBatches.recordIds(batches, store);
      for (DatasetBatchCommitted batch : batches) {
        List<BatchFiles.Row> rows = BatchFiles.read(store.read(batch.getArtifact()));
        assertThat(batch.getSchemaFingerprint()).isEqualTo(BatchFiles.rowSchemaFingerprint());
        FeatureSummary radius = batch.getFeatures().get(0);
        assertThat(radius.getCount()).isEqualTo(batch.getRowCount());
        assertThat(radius.getMin()).isEqualTo(rows.stream().mapToDouble(r -> (Double) r.features().get("radius")).min().orElseThrow());
      }
      assertThat(inBatches).as("every good record in exactly one committed batch").containsExactlyInAnyOrderElementsOf(good);
      assertThat(batches).extracting(DatasetBatchCommitted::getBatchId).doesNotHaveDuplicates();
      assertThat(batches).as("the batch open at the restart is completed by the restarted instance").anySatisfy(batch ->
          assertThat(BatchFiles.read(store.read(batch.getArtifact()))).extracting(BatchFiles.Row::recordId).contains("k10", "k11", "k12"));
      await().atMost(Duration.ofSeconds(120)).until(() -> CommittedBatches.rows(twin) >= 10);
      List<DatasetBatchCommitted> twinBatches = CommittedBatches.of(twin);
      assertThat(CommittedBatches.recordIds(twinBatches, store)).as("every record of the twin dataset in exactly one committed batch")
          .containsExactlyInAnyOrder("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9");
      assertThat(twinBatches).as("the twin's open batch is resumed too").anySatisfy(batch ->
          assertThat(BatchFiles.read(store.read(batch.getArtifact()))).extracting(BatchFiles.Row::recordId).contains("t0", "t2", "t3"));

      List<ConsumerRecord<byte[], byte[]>> deadLetters = TestRecords.awaitAtLeast(Topics.deadLetter("ingest").name(),
          r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).endsWith(dataset), badByKafka.size());
      assertThat(deadLetters).hasSize(badByKafka.size());
      for (String expected : badByKafka.values()) {
        assertThat(deadLetters).anySatisfy(r -> assertThat(reason(r)).contains(expected));
      }
      assertThat(deadLetters).anySatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("garbage"));
    } finally {
      restarted.close();
    }
  }

  /**
   * Feedback records (served predictions joined to their ground truth, as the monitor publishes them) are
   * sealed with their origin in the batch file's rows and counted in the announcement, across a restart
   * with two of them in the open batch; a bad origin is dead-lettered with its reason, and a redelivery of a
   * sealed one, or of one in the batch open at the restart, is a duplicate, never a second row.
   */
  @Test
  void shouldSealFeedbackRecordsWithTheirOriginOnceAcrossARestart() throws Exception {
    String model = "scanner-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> predictions = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      predictions.add(UUID.randomUUID().toString());
    }
    ConfigurableApplicationContext ingest = startIngest("10m");
    try {
      declareDataset(client(ingest), dataset);
      try (KafkaProducer<String, byte[]> producer = producer()) {
        // f0..f4 fill the first batch (five records), f5 and f6 stay in the open second one.
        for (int i = 0; i < 7; i++) {
          send(producer, dataset, feedback(model, i % 2 + 1, predictions.get(i)));
        }
        send(producer, dataset, feedback("Not A Model", 0, "p\u0007"));
        send(producer, dataset, feedback(model, 1, predictions.get(2)));
      }
      TestRecords.awaitAtLeast(Topics.deadLetter("ingest").name(), TestRecords.keyed(dataset), 2);
      assertThat(CommittedBatches.of(dataset)).hasSize(1);
    } finally {
      ingest.close();
    }

    ConfigurableApplicationContext restarted = startIngest("10m");
    try {
      try (KafkaProducer<String, byte[]> producer = producer()) {
        send(producer, dataset, feedback(model, 2, predictions.get(5)));
        for (int i = 7; i < 9; i++) {
          send(producer, dataset, feedback(model, i % 2 + 1, predictions.get(i)));
        }
        send(producer, dataset, record("k0", 10.0, "a"));
      }
      await().atMost(Duration.ofSeconds(120)).until(() -> CommittedBatches.rows(dataset) >= 10);
      List<DatasetBatchCommitted> batches = CommittedBatches.of(dataset);
      LocalArtifactStore store = new LocalArtifactStore(home.resolve("artifacts"));
      assertThat(batches).hasSize(2);
      assertThat(batches).extracting(DatasetBatchCommitted::getRowCount, DatasetBatchCommitted::getFeedbackRows)
          .containsExactly(tuple(5L, 5L), tuple(5L, 4L));
      List<BatchFiles.Row> rows = new ArrayList<>();
      batches.forEach(batch -> rows.addAll(BatchFiles.read(store.read(batch.getArtifact()))));
      List<Tuple> expected = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        expected.add(tuple(feedbackId(model, predictions.get(i)), new BatchFiles.Feedback(model, i % 2 + 1, predictions.get(i))));
      }
      expected.add(tuple("k0", null));
      assertThat(rows).as("each prediction once, with its origin, the two open at the restart too")
          .extracting(BatchFiles.Row::recordId, BatchFiles.Row::feedback).containsExactlyElementsOf(expected);

      List<ConsumerRecord<byte[], byte[]>> deadLetters = TestRecords.awaitAtLeast(Topics.deadLetter("ingest").name(),
          TestRecords.keyed(dataset), 3);
      assertThat(deadLetters).extracting(RecordPipelineIT::reason).satisfiesExactly(
          invalid -> assertThat(invalid).startsWith("invalid record " + feedbackId("Not A Model", "p\u0007").substring(0, 40))
              .contains("feedback.model: 'Not A Model' is not a model name", "feedback.version: a model version is 1 or more, got 0",
                  "feedback.predictionId: prediction id contains a control or invisible character (U+0007) at position 1"),
          sealed -> assertThat(sealed).contains("duplicate record id " + feedbackId(model, predictions.get(2)).substring(0, 40)),
          open -> assertThat(open).contains("duplicate record id " + feedbackId(model, predictions.get(5)).substring(0, 40)));
    } finally {
      restarted.close();
    }
  }

  /**
   * The artifact store cannot be written when the first batch is sealed: the stream thread dies, is replaced
   * after a back-off (and again, while the store is still away), and once the store is back every record is
   * in exactly one batch, none dead-lettered as a duplicate of itself by a replayed attempt.
   */
  @Test
  void shouldLoseNothingWhileTheArtifactStoreIsAway() throws Exception {
    Path artifacts = home.resolve("artifacts");
    // A file where the store's directory should be: every write fails until it is replaced by a directory.
    Files.writeString(artifacts, "not a directory");
    // Kafka 4.2 keeps a replaced stream thread in the group until its session expires (45 s by default):
    // the shortest session the broker allows lets the replacement take the task back sooner.
    ConfigurableApplicationContext ingest = startIngest("10m", "--kloop.streams.failed-thread.first-backoff=200ms",
        "--spring.kafka.streams.properties.session.timeout.ms=6000");
    // Kafka Streams rethrows a replaced thread's exception as the thread ends, after the back-off. The
    // threads it starts with swallow it, and FailedStreamThreads gives the replacements (this test fails
    // twice) a handler that logs it, so it reaches neither stderr nor the JVM-wide handler, through which
    // Awaitility would fail whichever await is running.
    try {
      WebTestClient http = client(ingest);
      declareDataset(http, dataset);
      List<String> good = new ArrayList<>();
      try (KafkaProducer<String, byte[]> producer = producer()) {
        for (int i = 0; i < 12; i++) {
          send(producer, dataset, record("k" + i, 10.0 + i, "a"));
          good.add("k" + i);
        }
      }

      await().atMost(Duration.ofSeconds(120)).until(() -> ((Number) streamsHealth(http).get("failedThreads")).longValue() >= 2);
      Map<?, ?> health = streamsHealth(http);
      assertThat(health.get("state")).as("the client runs on with a replaced thread").isIn("RUNNING", "REBALANCING");
      assertThat(((Map<?, ?>) health.get("lastThreadFailure")).get("cause").toString()).contains("cannot store artifact");
      assertThat(CommittedBatches.of(dataset)).as("nothing is announced while the store is away").isEmpty();

      Files.delete(artifacts);
      // The failing thread may create it first, now that it can.
      Files.createDirectories(artifacts);
      try (KafkaProducer<String, byte[]> producer = producer()) {
        send(producer, dataset, record("bad-range", 77.0, "a"));
      }

      // k10 and k11 stay in the open third batch.
      await().atMost(Duration.ofSeconds(120)).until(() -> CommittedBatches.rows(dataset) >= 10);
      TestRecords.awaitAtLeast(Topics.deadLetter("ingest").name(), TestRecords.keyed(dataset), 1);
      List<DatasetBatchCommitted> batches = CommittedBatches.of(dataset);
      assertThat(CommittedBatches.recordIds(batches, new LocalArtifactStore(artifacts)))
          .containsExactlyInAnyOrderElementsOf(good.subList(0, 10));
      assertThat(TestRecords.readToEnd(Topics.deadLetter("ingest").name(), TestRecords.keyed(dataset)))
          .as("only the bad record is dead-lettered").singleElement()
          .satisfies(r -> assertThat(reason(r)).contains("radius: 77.0 is above the maximum 50.0"));
      // A follow-up rebalance may still be under way.
      await().atMost(Duration.ofSeconds(120)).until(() -> "RUNNING".equals(streamsHealth(http).get("state")));
    } finally {
      ingest.close();
    }
  }

  /**
   * The input's retention has removed the first record of an open batch while ingest was down: the
   * restarted pipeline stops at once, with the reason in its health, rather than seal the batch short or
   * replace its thread for ever.
   */
  @Test
  void shouldStopWhenAnOpenBatchCannotBeReadAgain() throws Exception {
    ConfigurableApplicationContext ingest = startIngest("10m");
    long lastOffset;
    try {
      declareDataset(client(ingest), dataset);
      try (KafkaProducer<String, byte[]> producer = producer()) {
        for (int i = 0; i < 3; i++) {
          send(producer, dataset, record("k" + i, 10.0 + i, "a"));
        }
        lastOffset = producer.send(new ProducerRecord<>(Topics.DATA_RECORD.name(), dataset, "garbage".getBytes(StandardCharsets.UTF_8)))
            .get(30, TimeUnit.SECONDS).offset();
      }
      // k0..k2 are in the open batch once the dead letter after them is committed.
      TestRecords.awaitAtLeast(Topics.deadLetter("ingest").name(), TestRecords.keyed(dataset), 1);
    } finally {
      ingest.close();
    }
    // What the retention would do after a long outage: the batch's first record is gone.
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers()))) {
      admin.deleteRecords(Map.of(new TopicPartition(Topics.DATA_RECORD.name(), PartitionTwins.partition(dataset)),
          RecordsToDelete.beforeOffset(lastOffset))).all().get(30, TimeUnit.SECONDS);
    }

    ConfigurableApplicationContext restarted = startIngest("10m");
    try {
      WebTestClient http = client(restarted);
      await().atMost(Duration.ofSeconds(120)).until(() -> "ERROR".equals(streamsHealth(http).get("state")));
      Map<?, ?> health = streamsHealth(http);
      assertThat(health.get("failedThreads")).as("not replaced and retried").isEqualTo(1);
      // The pipeline started at the topic's end: only this test's open batch can be the one lost.
      assertThat(((Map<?, ?>) health.get("lastThreadFailure")).get("cause").toString())
          .contains("UnrecoverableStreamException: the open batch of dataset " + dataset + " starts at offset ", "could not be read again");
      http.get().uri("/actuator/health").exchange().expectStatus().isEqualTo(503);
    } finally {
      restarted.close();
    }
  }

  @Test
  void shouldRefuseToStartWithoutExactlyOnceProcessing() {
    assertThatThrownBy(() -> startIngest("10m", "--spring.kafka.streams.properties.processing.guarantee=at_least_once").close())
        .rootCause().isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ingest needs spring.kafka.streams.properties.processing.guarantee=exactly_once_v2")
        .hasMessageContaining("not at_least_once");
  }

  private boolean started;

  private ConfigurableApplicationContext startIngest(String batchMaxAge, String... more) {
    if (!started) {
      // This test's pipeline processes only what it writes, whatever earlier tests left on the shared topic.
      IngestTestProperties.startAtTheEnd(appId);
      started = true;
    }
    return IngestServiceApplication.builder().run(Stream.concat(Stream.of(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--spring.kafka.streams.application-id=" + appId,
        "--spring.kafka.streams.state-dir=" + home.resolve("state"),
        "--kloop.ingest.artifact-root=" + home.resolve("artifacts"),
        "--kloop.ingest.batch-max-records=5",
        "--kloop.ingest.batch-max-age=" + batchMaxAge), Stream.of(more)).toArray(String[]::new));
  }

  private static void declareDataset(WebTestClient http, String name) {
    http.put().uri("/v1/datasets/{name}", name).contentType(MediaType.APPLICATION_JSON).bodyValue("""
        {"idField": "id",
         "features": [{"name": "radius", "type": "numeric", "min": 0, "max": 50},
                      {"name": "site", "type": "categorical", "categories": ["a", "b"], "required": false}],
         "label": {"name": "diagnosis", "classes": ["benign", "malignant"]}}""")
        .exchange().expectStatus().isCreated();
  }

  /** The details of the {@code kafkaStreams} health indicator, read over HTTP. */
  private static Map<?, ?> streamsHealth(WebTestClient http) {
    Map<?, ?> health = http.get().uri("/actuator/health").exchange().expectBody(Map.class).returnResult().getResponseBody();
    return (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) health.get("components")).get("kafkaStreams")).get("details");
  }

  private static WebTestClient client(ConfigurableApplicationContext context) {
    return IngestTestProperties.http("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
  }

  private DataRecord record(String id, double radius, String site) {
    return record(dataset, id, radius, site);
  }

  private static DataRecord record(String dataset, String id, double radius, String site) {
    Map<String, Object> features = new HashMap<>();
    features.put("radius", radius);
    features.put("site", site);
    return DataRecord.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now())
        .setProducer("test").setDataset(dataset).setRecordId(id).setFeatures(features).setLabel("benign").build();
  }

  /** A feedback record as the monitor publishes one: its id a name-based UUID of model and prediction id. */
  private DataRecord feedback(String model, int version, String predictionId) {
    Map<String, Object> features = new HashMap<>();
    features.put("radius", 4.0 + version);
    return DataRecord.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("monitor-service")
        .setDataset(dataset).setRecordId(feedbackId(model, predictionId)).setFeatures(features).setLabel("malignant")
        .setFeedback(FeedbackOrigin.newBuilder().setModel(model).setVersion(version).setPredictionId(predictionId).build()).build();
  }

  private static String feedbackId(String model, String predictionId) {
    return "feedback-" + UUID.nameUUIDFromBytes((model + "\u0000" + predictionId).getBytes(StandardCharsets.UTF_8));
  }

  private static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer());
  }

  private static void send(KafkaProducer<String, byte[]> producer, String key, DataRecord record) throws Exception {
    producer.send(new ProducerRecord<>(Topics.DATA_RECORD.name(), key, new EventSerializer<DataRecord>().serialize("t", record)))
        .get(30, TimeUnit.SECONDS);
  }

  private static String reason(ConsumerRecord<byte[], byte[]> record) {
    var header = record.headers().lastHeader(KafkaPlatformAutoConfiguration.REASON_HEADER);
    return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }
}
