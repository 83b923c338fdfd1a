package io.kloop.ingest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.DataRecord;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.test.TestKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Ingest throughput against its baseline, in one run on one broker (a load driver, not a test of speed):
 *
 * <ul>
 *   <li><b>raw</b>: a plain Kafka producer (acks=all) sending the same encoded records to a plain topic,
 *       timed until the last is acknowledged;
 *   <li><b>kafka path</b>: the same producer sending the records to {@code mlops.ingest.data-record},
 *       timed until the last record is in a committed batch (validated, deduplicated, written to the
 *       artifact store, announced);
 *   <li><b>http path</b>: NDJSON requests of 1,000 records from 4 concurrent clients, timed until the
 *       last record is in a committed batch.
 * </ul>
 *
 * Run with {@code ./mvnw -B -ntp -pl ingest-service -am verify -Pbenchmark}; records per path with
 * {@code -Dbench.records=N} (default 50,000). The figures are printed and written to
 * {@code ingest-service/target/benchmark/ingest-throughput.md}.
 */
class IngestThroughputBenchmark {

  private static final int RECORDS = Integer.getInteger("bench.records", 50_000);
  private static final int FEATURES = 5;

  @TempDir Path home;

  @Test
  void measureRecordsPerSecondAgainstARawProducer() throws Exception {
    ConfigurableApplicationContext ingest = IngestServiceApplication.builder().run(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--spring.kafka.streams.application-id=ingest-bench-" + UUID.randomUUID(),
        "--spring.kafka.streams.state-dir=" + home.resolve("state"),
        "--kloop.ingest.artifact-root=" + home.resolve("artifacts"),
        "--kloop.ingest.batch-max-records=5000",
        "--kloop.ingest.batch-max-age=1s",
        "--kloop.ingest.max-request-bytes=52428800",
        "--logging.level.io.kloop=WARN");
    try {
      String base = "http://127.0.0.1:" + ingest.getEnvironment().getProperty("local.server.port");
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String kafkaDataset = "bench-kafka-" + UUID.randomUUID().toString().substring(0, 8);
      String httpDataset = "bench-http-" + UUID.randomUUID().toString().substring(0, 8);
      for (String dataset : List.of(kafkaDataset, httpDataset)) {
        HttpResponse<String> declared = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/datasets/" + dataset))
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(spec())).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(declared.statusCode()).isEqualTo(201);
      }
      String rawTopic = "bench.raw-" + UUID.randomUUID().toString().substring(0, 8);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafkaBroker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(rawTopic, Optional.of(Topics.DATA_RECORD.partitions()), Optional.empty())))
            .all().get(30, TimeUnit.SECONDS);
      }

      List<byte[]> kafkaRecords = encoded(kafkaDataset);
      int recordBytes = kafkaRecords.get(0).length;
      double raw = RECORDS / (produce(rawTopic, kafkaDataset, encoded(kafkaDataset)).toNanos() / 1e9);

      long kafkaStart = System.nanoTime();
      produce(Topics.DATA_RECORD.name(), kafkaDataset, kafkaRecords);
      awaitCommitted(kafkaDataset);
      double kafkaPath = RECORDS / ((System.nanoTime() - kafkaStart) / 1e9);

      long httpStart = System.nanoTime();
      postAll(http, base, httpDataset);
      awaitCommitted(httpDataset);
      double httpPath = RECORDS / ((System.nanoTime() - httpStart) / 1e9);

      String report = String.format(Locale.ROOT, """
          | path | records/s | ratio to raw producer |
          | --- | ---: | ---: |
          | raw Kafka producer (acks=all), same %d-byte records | %,.0f | 1.00 |
          | Kafka path (produce → committed batch) | %,.0f | %.2f |
          | HTTP path (NDJSON, 1,000 per request, 4 clients → committed batch) | %,.0f | %.2f |

          %,d records per path, %d numeric features, one in-JVM broker, %d cores, Java %s.
          """, recordBytes, raw, kafkaPath, kafkaPath / raw, httpPath, httpPath / raw,
          RECORDS, FEATURES, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
      System.out.println("\n" + report);
      Path out = Path.of("target/benchmark/ingest-throughput.md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report);
    } finally {
      ingest.close();
    }
  }

  private static String spec() {
    StringBuilder json = new StringBuilder("{\"idField\": \"id\", \"features\": [");
    for (int i = 1; i <= FEATURES; i++) {
      json.append(i == 1 ? "" : ", ").append("{\"name\": \"x").append(i).append("\", \"type\": \"numeric\"}");
    }
    return json.append("], \"label\": {\"name\": \"label\", \"classes\": [\"negative\", \"positive\"]}}").toString();
  }

  private static Map<String, Object> features(SplittableRandom random) {
    Map<String, Object> features = new LinkedHashMap<>();
    for (int i = 1; i <= FEATURES; i++) {
      features.put("x" + i, random.nextGaussian());
    }
    return features;
  }

  private static List<byte[]> encoded(String dataset) {
    SplittableRandom random = new SplittableRandom(1);
    EventSerializer<DataRecord> serializer = new EventSerializer<>();
    List<byte[]> records = new ArrayList<>(RECORDS);
    for (int i = 0; i < RECORDS; i++) {
      DataRecord record = DataRecord.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now())
          .setProducer("bench").setDataset(dataset).setRecordId("r" + i).setFeatures(features(random))
          .setLabel(random.nextBoolean() ? "positive" : "negative").build();
      records.add(serializer.serialize("t", record));
    }
    return records;
  }

  private static Duration produce(String topic, String key, List<byte[]> records) throws Exception {
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
      Future<?> last = null;
      for (byte[] record : records) {
        last = producer.send(new ProducerRecord<>(topic, key, record));
      }
      producer.flush();
      last.get(60, TimeUnit.SECONDS);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static void postAll(HttpClient http, String base, String dataset) {
    SplittableRandom random = new SplittableRandom(2);
    List<String> bodies = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < RECORDS; i++) {
      Map<String, Object> features = features(random);
      body.append("{\"id\": \"h").append(i).append('"');
      features.forEach((name, value) -> body.append(", \"").append(name).append("\": ").append(value));
      body.append(", \"label\": \"").append(random.nextBoolean() ? "positive" : "negative").append("\"}\n");
      if ((i + 1) % 1000 == 0 || i == RECORDS - 1) {
        bodies.add(body.toString());
        body.setLength(0);
      }
    }
    AtomicLong next = new AtomicLong();
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      clients.add(CompletableFuture.runAsync(() -> {
        for (long i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
          try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/datasets/" + dataset + "/records"))
                .header("Content-Type", "application/x-ndjson").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(bodies.get((int) i))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }));
    }
    clients.forEach(CompletableFuture::join);
  }

  private static void awaitCommitted(String dataset) {
    EventDeserializer<DatasetBatchCommitted> events = new EventDeserializer<>(DatasetBatchCommitted.class);
    AtomicLong committed = new AtomicLong();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.DATASET_BATCH_COMMITTED.name()));
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (dataset.equals(record.key())) {
            committed.addAndGet(events.deserialize("t", record.value()).getRowCount());
          }
        }
        return committed.get() >= RECORDS;
      });
    }
    assertThat(committed.get()).isEqualTo(RECORDS);
  }
}
