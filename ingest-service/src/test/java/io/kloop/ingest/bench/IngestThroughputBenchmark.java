package io.kloop.ingest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.DataRecord;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.ingest.IngestProperties;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.ingest.batch.AcceptedIds;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.test.BenchmarkReports;
import io.kloop.test.TestKafkaBroker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

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
 *       last record is in a committed batch;
 *   <li><b>pipeline drain</b> (reported beside the goal, not part of it): the same records produced while
 *       the pipeline is paused, timed from its resumption until the last is in a committed batch: the
 *       pipeline's capacity when no producer competes with it for the machine;
 *   <li><b>controls</b> (beside the goal too): the same drain through Kafka Streams applications with the
 *       pipeline's configuration that do nothing with the records, or only the accepted-id store's work
 *       (through the pipeline's {@code AcceptedIds}, in RocksDB as the pipeline keeps it, with a RocksDB
 *       write per id, also without the Bloom filters, or in memory), timed until their last record is processed: what Kafka Streams
 *       allows on this machine before any of the pipeline's own work;
 *   <li><b>kafka path controls</b> (beside the goal too): the Kafka path's producer while an application
 *       that does nothing with the records reads them, a plain consumer or Kafka Streams, timed from the
 *       first send until the last record is read or processed: the most any pipeline that reads the
 *       records back could reach here while the producer runs.
 * </ul>
 *
 * They are run in turn, round after round, each round on fresh datasets: first {@code bench.warmup}
 * rounds that are not counted (a fresh JVM spends most of its first seconds compiling), then
 * {@code bench.rounds} measured ones whose median is reported.
 *
 * <p>Run with {@code ./mvnw -B -ntp -pl ingest-service -am verify -Pbenchmark}; records per path and round
 * with {@code -Dbench.records=N} (default 200,000: at 50,000 the raw producer's window was half a second,
 * and its figure varied by half from round to round), rounds with {@code -Dbench.warmup=W} (default 4: with
 * 2, the JIT compilers still kept half a core busy during the measured Kafka path) and {@code -Dbench.rounds=R}
 * (default 3), extra service arguments with {@code -Dbench.args="--key=value ..."}. Beside records per
 * second, each phase's CPU time is reported ({@link CpuMeter}): the whole JVM's, the JIT compilers' and the
 * pipeline's stream thread's. The figures are printed and written to
 * {@code ingest-service/target/benchmark/ingest-throughput.md}.
 */
class IngestThroughputBenchmark {

  private static final int RECORDS = Integer.getInteger("bench.records", 200_000);
  private static final int WARMUP_ROUNDS = Integer.getInteger("bench.warmup", 4);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final int FEATURES = 5;
  /** The pipeline's stream thread in {@link CpuMeter}'s figures (the controls' are named after their application ids). */
  private static final String PIPELINE_THREAD = "ingest-service-StreamThread-N";

  @TempDir Path home;

  @Test
  void measureRecordsPerSecondAgainstARawProducer() throws Exception {
    List<String> args = new ArrayList<>(List.of(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--spring.kafka.streams.application-id=ingest-bench-" + UUID.randomUUID(),
        "--spring.kafka.streams.state-dir=" + home.resolve("state"),
        "--kloop.ingest.artifact-root=" + home.resolve("artifacts"),
        "--kloop.ingest.batch-max-records=5000",
        "--kloop.ingest.batch-max-age=1s",
        "--kloop.ingest.max-request-bytes=52428800",
        "--logging.level.io.kloop=WARN"));
    // Extra service arguments for experiments, separated by spaces: -Dbench.args="--a=1 --b=2".
    args.addAll(List.of(System.getProperty("bench.args", "").trim().split("\\s+")).stream().filter(a -> !a.isEmpty()).toList());
    ConfigurableApplicationContext ingest = IngestServiceApplication.builder().run(args.toArray(String[]::new));
    try {
      String base = "http://127.0.0.1:" + ingest.getEnvironment().getProperty("local.server.port");
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      List<double[]> measured = new ArrayList<>();
      List<CpuMeter.Usage[]> measuredCpu = new ArrayList<>();
      List<Double> measuredBlocked = new ArrayList<>();
      // What Kafka Streams itself allows here, with the pipeline's configuration: applications that do nothing
      // with the records, or only the accepted-id store's work. Each lives through all rounds, as the pipeline
      // does, so its store grows round after round as the pipeline's does.
      StreamsBuilderFactoryBean factory = ingest.getBean(StreamsBuilderFactoryBean.class);
      KafkaStreams pipeline = factory.getKafkaStreams();
      Properties streamsConfig = factory.getStreamsConfiguration();
      Map<IdStore, StreamsControl> controls = new LinkedHashMap<>();
      int recordBytes = 0;
      try {
        for (IdStore store : IdStore.values()) {
          controls.put(store, new StreamsControl(streamsConfig, ingest.getBean(IngestProperties.class).idFilterMaxIds(),
              home.resolve("control-state"), store));
        }
        for (int round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
          String kafkaDataset = declare(http, base, "bench-kafka-");
          String httpDataset = declare(http, base, "bench-http-");
          String rawTopic = "bench.raw-" + UUID.randomUUID().toString().substring(0, 8);
          try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafkaBroker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(rawTopic, Optional.of(Topics.DATA_RECORD.partitions()), Optional.empty())))
                .all().get(30, TimeUnit.SECONDS);
          }
          List<byte[]> kafkaRecords = encoded(kafkaDataset);
          recordBytes = kafkaRecords.get(0).length;
          CpuMeter rawMeter = new CpuMeter();
          double raw = RECORDS / (produce(rawTopic, kafkaDataset, kafkaRecords).toNanos() / 1e9);
          CpuMeter.Usage rawCpu = rawMeter.stop(RECORDS);

          double kafkaPath;
          double kafkaBlocked;
          CpuMeter.Usage kafkaCpu;
          try (CommittedBatches batches = new CommittedBatches()) {
            double blockedBefore = blockedNanos(pipeline);
            CpuMeter meter = new CpuMeter();
            long start = System.nanoTime();
            produce(Topics.DATA_RECORD.name(), kafkaDataset, kafkaRecords);
            long sent = System.nanoTime();
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20)).until(() -> accepted(ingest, kafkaDataset) >= RECORDS);
            long processed = System.nanoTime();
            kafkaBlocked = (blockedNanos(pipeline) - blockedBefore) / (processed - start);
            batches.awaitRows(kafkaDataset);
            long end = System.nanoTime();
            kafkaPath = RECORDS / ((end - start) / 1e9);
            System.out.printf(Locale.ROOT, "Kafka path, round %d: sent in %.2f s, processed in %.2f s, in committed batches in %.2f s; "
                + "the pipeline's stream thread blocked on Kafka %.2f of the time until processed%n", round + 1, (sent - start) / 1e9,
                (processed - start) / 1e9, (end - start) / 1e9, kafkaBlocked);
            kafkaCpu = meter.stop(RECORDS);
          }
          List<String> bodies = ndjson();
          double httpPath;
          CpuMeter.Usage httpCpu;
          try (CommittedBatches batches = new CommittedBatches()) {
            CpuMeter meter = new CpuMeter();
            long start = System.nanoTime();
            postAll(http, base, httpDataset, bodies);
            batches.awaitRows(httpDataset);
            httpPath = RECORDS / ((System.nanoTime() - start) / 1e9);
            httpCpu = meter.stop(RECORDS);
          }
          // The pipeline's capacity alone: the same records, produced while the pipeline is paused, timed from
          // its resumption until the last is in a committed batch (no producer competing for the cores).
          String drainDataset = declare(http, base, "bench-drain-");
          List<byte[]> drainRecords = encoded(drainDataset);
          double drain;
          pipeline.pause();
          double drainProcessed;
          CpuMeter.Usage drainCpu;
          try (CommittedBatches batches = new CommittedBatches()) {
            produce(Topics.DATA_RECORD.name(), drainDataset, drainRecords);
            CpuMeter meter = new CpuMeter();
            long start = System.nanoTime();
            pipeline.resume();
            // Also timed as the controls are: until the last record is processed, before its transaction commits
            // (up to commit.interval.ms later); the pipeline counts each accepted record as it processes it.
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(5)).until(() -> accepted(ingest, drainDataset) >= RECORDS);
            drainProcessed = RECORDS / ((System.nanoTime() - start) / 1e9);
            drainCpu = meter.stop(RECORDS);
            batches.awaitRows(drainDataset);
            drain = RECORDS / ((System.nanoTime() - start) / 1e9);
          } finally {
            if (pipeline.isPaused()) {
              pipeline.resume();
            }
          }
          double bareStreams = controls.get(IdStore.NONE).drain(drainRecords);
          double unfilteredStoreOnly = controls.get(IdStore.ROCKSDB_UNFILTERED).drain(drainRecords);
          double perKeyStoreOnly = controls.get(IdStore.ROCKSDB_PER_KEY).drain(drainRecords);
          double storeOnly = controls.get(IdStore.ROCKSDB).drain(drainRecords);
          double memoryStoreOnly = controls.get(IdStore.IN_MEMORY).drain(drainRecords);
          // What the Kafka path could be at most: the same producer while something reads the records back.
          CpuMeter.Usage[] consumerCpu = new CpuMeter.Usage[1];
          double consumerLive = consumerLive(drainRecords, consumerCpu);
          CpuMeter.Usage[] streamsCpu = new CpuMeter.Usage[1];
          double streamsLive = controls.get(IdStore.NONE).live(drainRecords, streamsCpu);
          CpuMeter.Usage[] cpu = {rawCpu, kafkaCpu, httpCpu, drainCpu, consumerCpu[0], streamsCpu[0]};
          System.out.printf(Locale.ROOT, "CPU of the JVM, round %d:%n  raw producer: %s%n  Kafka path: %s%n  HTTP path: %s%n"
                  + "  pipeline drain, processed: %s%n  Kafka path control, plain consumer: %s%n  Kafka path control, Kafka Streams: %s%n",
              round + 1, cpu[0], cpu[1], cpu[2], cpu[3], cpu[4], cpu[5]);
          boolean warmup = round < WARMUP_ROUNDS;
          System.out.printf(Locale.ROOT, "%s round %d: raw %,.0f/s, kafka path %,.0f/s (%.2f), http path %,.0f/s (%.2f), "
                  + "pipeline drain %,.0f/s (%.2f), processed %,.0f/s (%.2f); controls, processed: bare Kafka Streams %,.0f/s (%.2f), "
                  + "id store in RocksDB without filters %,.0f/s (%.2f), with, a write per id %,.0f/s (%.2f), with, writes batched %,.0f/s (%.2f), in memory %,.0f/s (%.2f); kafka path controls: plain consumer %,.0f/s (%.2f), "
                  + "bare Kafka Streams %,.0f/s (%.2f)%n",
              warmup ? "warm-up" : "measured", round + 1, raw, kafkaPath, kafkaPath / raw, httpPath, httpPath / raw, drain, drain / raw,
              drainProcessed, drainProcessed / raw, bareStreams, bareStreams / raw, unfilteredStoreOnly, unfilteredStoreOnly / raw,
              perKeyStoreOnly, perKeyStoreOnly / raw, storeOnly, storeOnly / raw, memoryStoreOnly, memoryStoreOnly / raw, consumerLive, consumerLive / raw, streamsLive, streamsLive / raw);
          if (!warmup) {
            measuredCpu.add(cpu);
            measuredBlocked.add(kafkaBlocked);
            measured.add(new double[] {raw, kafkaPath, httpPath, kafkaPath / raw, httpPath / raw, drain, drain / raw,
                drainProcessed, drainProcessed / raw, bareStreams, bareStreams / raw, storeOnly, storeOnly / raw,
                memoryStoreOnly, memoryStoreOnly / raw, consumerLive, consumerLive / raw, streamsLive, streamsLive / raw,
                unfilteredStoreOnly, unfilteredStoreOnly / raw, perKeyStoreOnly, perKeyStoreOnly / raw});
          }
        }
      } finally {
        for (StreamsControl control : controls.values()) {
          control.close();
        }
      }
      double raw = median(measured, 0);
      String report = String.format(Locale.ROOT, """
          | path | records/s | ratio to raw producer |
          | --- | ---: | ---: |
          | raw Kafka producer (acks=all), same %d-byte records | %,.0f | 1.00 |
          | Kafka path (produce → committed batch) | %,.0f | %.2f |
          | HTTP path (NDJSON, 1,000 per request, 4 clients → committed batch) | %,.0f | %.2f |

          Beside the goal, not part of it, drain rates: the same records produced while the application is
          paused, timed from its resumption, so no producer competes for the cores. The controls are Kafka
          Streams applications with the pipeline's configuration (exactly once, same commit interval), the
          same topic layout and records, and stores that live through all rounds: what Kafka Streams allows
          here. "Processed" stops the clock at the last record's processing, before its transaction commits.

          | drain | records/s | ratio to raw producer |
          | --- | ---: | ---: |
          | the pipeline, until the last record is in a committed batch | %,.0f | %.2f |
          | the pipeline, until the last record is processed | %,.0f | %.2f |
          | control: Kafka Streams doing nothing with the records, processed | %,.0f | %.2f |
          | control: Kafka Streams doing only the accepted-id store's work as the pipeline does it (`AcceptedIds`: Bloom filters, a changelog record per record, RocksDB writes batched by 10,000, a read only for ids the filters may hold), processed | %,.0f | %.2f |
          | control: the same work with a RocksDB write per record (the store before its writes were batched) | %,.0f | %.2f |
          | control: the same work without the filters (a RocksDB read and write per record) | %,.0f | %.2f |
          | control: the same work on an in-memory store (with the filters and the changelog), processed | %,.0f | %.2f |

          Beside the goal too, what the Kafka path could be at most here: the same producer while an application
          that does nothing with the records reads them back (read_committed, as the pipeline reads), timed from
          the first send until the last record is read or processed.

          | Kafka path control | records/s | ratio to raw producer |
          | --- | ---: | ---: |
          | a plain consumer | %,.0f | %.2f |
          | Kafka Streams with the pipeline's configuration | %,.0f | %.2f |

          Medians of %d measured rounds after %d warm-up rounds (ratios are medians of each round's ratio);
          %,d records per path and round, %d numeric features, one in-JVM broker, %d cores, Java %s.
          """, recordBytes, raw, median(measured, 1), median(measured, 3), median(measured, 2), median(measured, 4),
          median(measured, 5), median(measured, 6), median(measured, 7), median(measured, 8), median(measured, 9), median(measured, 10),
          median(measured, 11), median(measured, 12), median(measured, 21), median(measured, 22), median(measured, 19), median(measured, 20), median(measured, 13), median(measured, 14),
          median(measured, 15), median(measured, 16), median(measured, 17), median(measured, 18), ROUNDS, WARMUP_ROUNDS, RECORDS, FEATURES, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
      String[] phases = {"raw Kafka producer", "Kafka path", "HTTP path", "pipeline drain, until the last record is processed",
          "Kafka path control: a plain consumer", "Kafka path control: Kafka Streams doing nothing"};
      StringBuilder cpuTable = new StringBuilder(String.format(Locale.ROOT, """
          CPU time of the whole JVM (broker, producers, pipeline, controls) during each phase, per record and in
          cores kept busy (of %d here), with the JIT compilers' compile time (an upper bound of their CPU) and
          the cores the pipeline's stream thread kept busy; medians of the measured rounds. Where the cores are
          all busy, records per second are set by the CPU time each record costs. During the Kafka path, until
          its last record was processed, the pipeline's stream thread was blocked on Kafka (polling, committing;
          its blocked-time-ns-total) %.2f of the time.

          | phase | cores busy | CPU µs per record | JIT compile time (cores) | pipeline's stream thread (cores) |
          | --- | ---: | ---: | ---: | ---: |
          """, Runtime.getRuntime().availableProcessors(), medianOf(measuredBlocked, Double::doubleValue)));
      for (int phase = 0; phase < phases.length; phase++) {
        int column = phase;
        cpuTable.append(String.format(Locale.ROOT, "| %s | %.2f | %.1f | %.2f | %.2f |%n", phases[phase],
            medianOf(measuredCpu, usage -> usage[column].cores()), medianOf(measuredCpu, usage -> usage[column].microsPerRecord()),
            medianOf(measuredCpu, usage -> usage[column].cores(CpuMeter.Usage.JIT)),
            medianOf(measuredCpu, usage -> usage[column].cores(PIPELINE_THREAD))));
      }
      report = report + "\n" + cpuTable;
      System.out.println("\n" + report);
      Path out = BenchmarkReports.file("ingest-throughput.md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report);
    } finally {
      ingest.close();
    }
  }

  /** Nanoseconds the application's stream threads have spent blocked on Kafka since they started (KIP-761). */
  private static double blockedNanos(KafkaStreams streams) {
    return streams.metrics().entrySet().stream()
        .filter(metric -> metric.getKey().name().equals("blocked-time-ns-total") && metric.getKey().group().equals("stream-thread-metrics"))
        .mapToDouble(metric -> ((Number) metric.getValue().metricValue()).doubleValue()).sum();
  }

  /** Records of the dataset the pipeline has accepted so far ({@code kloop.ingest.records.accepted}). */
  private static double accepted(ConfigurableApplicationContext ingest, String dataset) {
    Counter counter = ingest.getBean(MeterRegistry.class).find("kloop.ingest.records.accepted").tag("dataset", dataset).counter();
    return counter == null ? 0 : counter.count();
  }

  private static <T> double medianOf(List<T> rounds, java.util.function.ToDoubleFunction<T> figure) {
    return median(rounds.stream().map(round -> new double[] {figure.applyAsDouble(round)}).toList(), 0);
  }

  private static double median(List<double[]> rounds, int column) {
    double[] values = rounds.stream().mapToDouble(round -> round[column]).sorted().toArray();
    return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
  }

  private static String declare(HttpClient http, String base, String prefix) throws Exception {
    String dataset = prefix + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<String> declared = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/datasets/" + dataset))
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(spec())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(declared.statusCode()).as(declared.body()).isEqualTo(201);
    return dataset;
  }

  /**
   * What the artifact store's fsync costs per seal (issue 22): batch files of the benchmark's size (5,000
   * rows of {@value #FEATURES} numeric features and a label, as the pipeline seals them) stored through
   * {@code LocalArtifactStore.put}, which forces the file and its directory to disk, against the same bytes
   * written to a temporary file and renamed into place without forcing anything, alternately in the same run.
   * Selectable alone: {@code -Dit.test=IngestThroughputBenchmark#measureTheFsyncCostPerSeal}; seals per
   * variant with {@code -Dbench.seals=N} (default 200, after 20 of each not counted).
   */
  @Test
  void measureTheFsyncCostPerSeal() throws Exception {
    int seals = Integer.getInteger("bench.seals", 200);
    int warmup = 20;
    SplittableRandom random = new SplittableRandom(22);
    io.kloop.schemas.BatchFiles.Builder rows = new io.kloop.schemas.BatchFiles.Builder();
    for (int i = 0; i < 5_000; i++) {
      rows.add(new io.kloop.schemas.BatchFiles.Row("r" + i, i % 2 == 0 ? "negative" : "positive", features(random), 0, i));
    }
    io.kloop.service.artifacts.LocalArtifactStore store = new io.kloop.service.artifacts.LocalArtifactStore(home.resolve("fsynced"));
    Path plain = Files.createDirectories(home.resolve("plain"));
    long[] fsynced = new long[seals];
    long[] notForced = new long[seals];
    long bytes = 0;
    for (int i = -warmup; i < seals; i++) {
      // Each seal's batch id changes the file's sync marker, so every put stores a new file.
      byte[] a = rows.write("fsync-bench-a-" + i);
      byte[] b = rows.write("fsync-bench-b-" + i);
      long start = System.nanoTime();
      store.put(a, io.kloop.schemas.BatchFiles.MEDIA_TYPE);
      long forcedNanos = System.nanoTime() - start;
      start = System.nanoTime();
      Path temporary = plain.resolve("." + i + ".tmp");
      Files.write(temporary, b);
      Files.move(temporary, plain.resolve("b-" + i), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      long plainNanos = System.nanoTime() - start;
      if (i >= 0) {
        fsynced[i] = forcedNanos;
        notForced[i] = plainNanos;
        bytes = a.length;
      }
    }
    java.util.Arrays.sort(fsynced);
    java.util.Arrays.sort(notForced);
    double forcedMicros = fsynced[seals / 2] / 1_000.0;
    double plainMicros = notForced[seals / 2] / 1_000.0;
    String report = String.format(Locale.ROOT, """
        | seal of a batch file (%,d bytes, 5,000 rows) | µs per seal, median of %d | 90th percentile |
        | --- | ---: | ---: |
        | LocalArtifactStore.put (file and directory fsynced) | %,.0f | %,.0f |
        | the same bytes written and renamed, nothing forced | %,.0f | %,.0f |
        | ratio | %.1f | |
        """, bytes, seals, forcedMicros, fsynced[seals * 9 / 10] / 1_000.0, plainMicros, notForced[seals * 9 / 10] / 1_000.0,
        forcedMicros / plainMicros);
    System.out.println(report);
    Files.writeString(BenchmarkReports.file("ingest-fsync.md"), report);
    assertThat(fsynced[0]).isPositive();
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

  /**
   * The producer sending the records to a topic of their own while a plain consumer (read_committed) reads
   * them back and does nothing with them; records per second from the first send until the last is read.
   */
  private static double consumerLive(List<byte[]> encoded, CpuMeter.Usage[] cpu) throws Exception {
    String topic = "bench.consumer-" + UUID.randomUUID().toString().substring(0, 8);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafkaBroker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(Topics.DATA_RECORD.partitions()), Optional.empty())))
          .all().get(30, TimeUnit.SECONDS);
      try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers(),
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
            .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        partitions.forEach(consumer::position);
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
          long read = 0;
          while (read < encoded.size() && !stop.get()) {
            read += consumer.poll(Duration.ofMillis(50)).count();
          }
          return System.nanoTime();
        });
        try {
          CpuMeter meter = new CpuMeter();
          long start = System.nanoTime();
          produce(topic, "control", encoded);
          long end = reader.get(10, TimeUnit.MINUTES);
          cpu[0] = meter.stop(encoded.size());
          return encoded.size() / ((end - start) / 1e9);
        } finally {
          // On a failure, the reader must let go of the consumer before it is closed.
          stop.set(true);
          reader.handle((end, failure) -> end).get(30, TimeUnit.SECONDS);
        }
      } finally {
        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static List<String> ndjson() {
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
    return bodies;
  }

  private static void postAll(HttpClient http, String base, String dataset, List<String> bodies) {
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

  /**
   * A Kafka Streams application with the pipeline's configuration (its own application id and state
   * directory) on a topic of its own laid out as the records topic: it reads the records and does nothing
   * with them, or only what the pipeline's accepted-id store does for each (a lookup and a put of an id,
   * with the store's changelog, through {@link AcceptedIds}), in RocksDB as the pipeline keeps it, with a
   * RocksDB write per id (with or without the filters), or in memory. Its drain is timed until the last
   * record produced is processed.
   */
  private static final class StreamsControl implements AutoCloseable {
    private static final String IDS = "ids";
    private final String topic = "bench.control-" + UUID.randomUUID().toString().substring(0, 8);
    private final String applicationId = "bench-control-" + UUID.randomUUID();
    private final KafkaStreams streams;
    /** The offset whose processing ends the current drain, and when it was processed (0 until then). */
    private final AtomicLong lastOffset = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong processedAt = new AtomicLong();
    private long produced;

    StreamsControl(Properties pipelineConfig, long idFilterMaxIds, Path stateDir, IdStore idStore) throws Exception {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafkaBroker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(topic, Optional.of(Topics.DATA_RECORD.partitions()), Optional.empty())))
            .all().get(30, TimeUnit.SECONDS);
      }
      Properties config = new Properties();
      config.putAll(pipelineConfig);
      config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
      config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
      // Its own thread names, so that the pipeline's stream thread is told apart in the CPU figures.
      config.put(StreamsConfig.CLIENT_ID_CONFIG, applicationId);
      StreamsBuilder builder = new StreamsBuilder();
      KStream<String, byte[]> records = builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()));
      if (idStore != IdStore.NONE) {
        builder.addStateStore(switch (idStore) {
          case ROCKSDB -> AcceptedIds.storeBuilder(IDS);
          case IN_MEMORY -> Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(IDS), Serdes.String(), Serdes.Long());
          default -> Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IDS), Serdes.String(), Serdes.Long());
        });
        records.process(() -> new IdStoreWork(this, idStore == IdStore.ROCKSDB_UNFILTERED ? 0 : idFilterMaxIds), IDS);
      } else {
        records.process(() -> new Processor<String, byte[], Void, Void>() {
          private ProcessorContext<Void, Void> context;

          @Override
          public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
          }

          @Override
          public void process(Record<String, byte[]> record) {
            processed(context);
          }
        });
      }
      streams = new KafkaStreams(builder.build(), config);
      try {
        streams.start();
        await().atMost(Duration.ofMinutes(2)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        streams.pause();
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    /** Notes when the drain's last record has been processed. */
    void processed(ProcessorContext<?, ?> context) {
      if (context.recordMetadata().orElseThrow().offset() >= lastOffset.get()) {
        processedAt.compareAndSet(0, System.nanoTime());
      }
    }

    /** Produces the records while paused, then resumes and returns records per second until the last is processed. */
    double drain(List<byte[]> encoded) throws Exception {
      produce(topic, "control", encoded);
      expect(encoded.size());
      long start = System.nanoTime();
      streams.resume();
      return processedSince(start, encoded.size());
    }

    /**
     * Produces the records while the application runs: records per second from the first send until the
     * last is processed.
     */
    double live(List<byte[]> encoded, CpuMeter.Usage[] cpu) throws Exception {
      expect(encoded.size());
      streams.resume();
      CpuMeter meter = new CpuMeter();
      long start = System.nanoTime();
      produce(topic, "control", encoded);
      double perSecond = processedSince(start, encoded.size());
      cpu[0] = meter.stop(encoded.size());
      return perSecond;
    }

    /** Makes the last of the next {@code records} records the one whose processing stops the clock. */
    private void expect(int records) {
      produced += records;
      processedAt.set(0);
      lastOffset.set(produced - 1); // one key, so one partition, whose offsets are 0, 1, ... (no transaction markers)
    }

    /** Waits until the expected record is processed, pauses, and returns records per second since start. */
    private double processedSince(long start, int records) {
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(10)).until(() -> processedAt.get() != 0);
      streams.pause();
      return records / ((processedAt.get() - start) / 1e9);
    }

    @Override
    public void close() {
      if (streams.close(Duration.ofSeconds(30))) {
        streams.cleanUp();
      }
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafkaBroker.bootstrapServers()))) {
        admin.deleteConsumerGroups(List.of(applicationId));
        admin.deleteTopics(admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
            .filter(name -> name.equals(topic) || name.startsWith(applicationId + "-")).toList());
      } catch (Exception e) {
        System.err.println("Could not delete the control's topics and group " + applicationId + ": " + e);
      }
    }
  }

  /** Which store a control keeps its ids in, if any. */
  private enum IdStore {
    NONE,
    /** RocksDB, a write per id, no filters: the store before the filters. */
    ROCKSDB_UNFILTERED,
    /** RocksDB, a write per id, with the filters: the store before its writes were batched. */
    ROCKSDB_PER_KEY,
    /** As the pipeline keeps it. */
    ROCKSDB,
    IN_MEMORY
  }

  /**
   * The accepted-id store's work for each record, through the pipeline's {@link AcceptedIds}: is its id
   * known, and if not, remember it with its offset.
   */
  private static final class IdStoreWork implements Processor<String, byte[], Void, Void> {
    private final StreamsControl control;
    private final long filterMaxIds;
    private ProcessorContext<Void, Void> context;
    private AcceptedIds ids;

    IdStoreWork(StreamsControl control, long filterMaxIds) {
      this.control = control;
      this.filterMaxIds = filterMaxIds;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      this.context = context;
      this.ids = AcceptedIds.load(context.getStateStore(StreamsControl.IDS), filterMaxIds);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      long offset = context.recordMetadata().orElseThrow().offset();
      String id = record.key() + '\u0000' + "r" + offset;
      ids.acceptIfNew(id, offset);
      control.processed(context);
    }
  }

  /** Counts the rows of committed batches per dataset, reading from the end of the topic as it was when opened. */
  private static final class CommittedBatches implements AutoCloseable {
    private final EventDeserializer<DatasetBatchCommitted> events = new EventDeserializer<>(DatasetBatchCommitted.class);
    private final KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());

    CommittedBatches() {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.DATASET_BATCH_COMMITTED.name()).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
    }

    void awaitRows(String dataset) {
      AtomicLong committed = new AtomicLong();
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          if (dataset.equals(record.key())) {
            committed.addAndGet(events.deserialize("t", record.value()).getRowCount());
          }
        }
        return committed.get() >= RECORDS;
      });
      assertThat(committed.get()).isEqualTo(RECORDS);
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
