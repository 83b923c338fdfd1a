package io.kloop.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.DataRecord;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.FeatureSummary;
import io.kloop.events.FeatureType;
import io.kloop.events.FeedbackOrigin;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.ingest.spec.DatasetSpecs;
import io.kloop.ingest.spec.Specs;
import io.kloop.ingest.spec.UnstartedSpecs;
import io.kloop.schemas.BatchFiles;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.service.kafka.KafkaPlatformAutoConfiguration;
import io.kloop.service.streams.EventProcessor;
import io.kloop.service.tracing.KloopTracing;
import io.kloop.test.TopologyDrivers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest topology ({@link IntakePipeline#build}) on a {@link TopologyTestDriver}, with the service's own
 * dataset specs, a local artifact store and the driver's clock: what goes in, which batches are sealed and
 * when, and what is dead-lettered with which reason.
 *
 * <p>The processor's {@link SourceReplay} is given consumer settings that point nowhere: it is used only
 * when a task starts with open batches to read again, and every driver here starts with empty stores (the
 * re-reading is covered on a real broker by {@code RecordPipelineIT} and {@code IngestCrashIT}).
 */
class IntakeTopologyTest {

  private static final Instant START = Instant.parse("2026-05-06T07:08:09Z");
  private static final Duration MAX_AGE = Duration.ofSeconds(30);
  private static final int MAX_RECORDS = 3;
  private static final String DATASET = "tumours";

  @TempDir Path home;
  @TempDir(factory = TopologyDrivers.RamDisk.class) Path state;
  private final DatasetSpecs specs = UnstartedSpecs.create();
  private final SimpleMeterRegistry meterRegistry = new SimpleMeterRegistry();
  private LocalArtifactStore store;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> records;
  private TestOutputTopic<String, DatasetBatchCommitted> batches;
  private TestOutputTopic<String, byte[]> deadLetters;

  private void start(KloopTracing tracing) {
    store = new LocalArtifactStore(home.resolve("artifacts"));
    // Never connected to: see the class comment.
    SourceReplay replay = new SourceReplay(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092"));
    IntakeSettings settings = new IntakeSettings(new SealingRules(MAX_RECORDS, MAX_AGE), 1_000);
    IntakeMeters meters = new IntakeMeters(meterRegistry);
    StreamsBuilder builder = new StreamsBuilder();
    IntakePipeline.build(builder, () -> new RecordIntakeProcessor(specs, store, replay, settings, meters, tracing));
    driver = new TopologyTestDriver(builder.build(), TopologyDrivers.config("ingest-topology-test", state), START);
    records = driver.createInputTopic(Topics.DATA_RECORD.name(), new StringSerializer(), new ByteArraySerializer());
    batches = driver.createOutputTopic(Topics.DATASET_BATCH_COMMITTED.name(), new StringDeserializer(),
        new EventDeserializer<>(DatasetBatchCommitted.class));
    deadLetters = driver.createOutputTopic(Topics.deadLetter(IngestServiceApplication.NAME).name(), new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  private static byte[] record(String dataset, String id, double radius) {
    Map<String, Object> features = new HashMap<>();
    features.put("radius", radius);
    features.put("site", "a");
    return new EventSerializer<DataRecord>().serialize(Topics.DATA_RECORD.name(), DataRecord.newBuilder().setEventId("e-" + id)
        .setEventTime(Instant.EPOCH).setProducer("test").setDataset(dataset).setRecordId(id).setFeatures(features).setLabel("benign").build());
  }

  private void send(String id, double radius) {
    records.pipeInput(DATASET, record(DATASET, id, radius));
  }

  private List<String> rowsOf(DatasetBatchCommitted batch) {
    return BatchFiles.read(store.read(batch.getArtifact())).stream().map(BatchFiles.Row::recordId).toList();
  }

  private static String reason(TestRecord<String, byte[]> letter) {
    return header(letter.headers(), KafkaPlatformAutoConfiguration.REASON_HEADER);
  }

  private static String header(Headers headers, String key) {
    return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  private double deadLettered(String reason) {
    var counter = meterRegistry.find("kloop.ingest.records.dead.lettered").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void sealsABatchOfMaxRecordsAndStoresItsRows() {
    start(KloopTracing.OFF);
    specs.declare(Specs.tumours(DATASET), null, "test");
    driver.advanceWallClockTime(Duration.ofSeconds(5));
    send("r0", 1.5);
    send("r1", 2.5);
    assertThat(batches.isEmpty()).as("two records of three").isTrue();
    send("r2", 3.5);

    TestRecord<String, DatasetBatchCommitted> sealed = batches.readRecord();
    DatasetBatchCommitted batch = sealed.value();
    assertThat(sealed.key()).isEqualTo(DATASET);
    assertThat(batch.getBatchId()).isEqualTo("tumours-v1-p0-0-2");
    assertThat(batch.getSpecVersion()).isEqualTo(1);
    assertThat(batch.getRowCount()).isEqualTo(3);
    assertThat(batch.getProducer()).isEqualTo(IngestServiceApplication.NAME);
    assertThat(batch.getEventTime()).as("the processor's clock").isEqualTo(START.plusSeconds(5));
    assertThat(sealed.timestamp()).isEqualTo(START.plusSeconds(5).toEpochMilli());
    assertThat(batch.getSchemaFingerprint()).isEqualTo(BatchFiles.rowSchemaFingerprint());
    assertThat(batch.getLabelCounts()).containsExactly(Map.entry("benign", 3L));
    assertThat(batch.getFeatures().get(0).getMean()).isEqualTo(2.5);
    assertThat(rowsOf(batch)).containsExactly("r0", "r1", "r2");
    assertThat(BatchFiles.read(store.read(batch.getArtifact()))).extracting(BatchFiles.Row::sourceOffset).containsExactly(0L, 1L, 2L);
    assertThat(sealed.headers().lastHeader("traceparent")).as("tracing is off").isNull();
    assertThat(meterRegistry.get("kloop.ingest.records.accepted").tag("dataset", DATASET).counter().count()).isEqualTo(3);
    assertThat(meterRegistry.get("kloop.ingest.batches.committed").tag("dataset", DATASET).counter().count()).isEqualTo(1);

    send("r3", 4.5);
    assertThat(batches.isEmpty()).as("the next batch is open").isTrue();
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void keepsTextInTheBatchAndSummarisesItsLengthInCharacters() {
    start(KloopTracing.OFF);
    specs.declare(Specs.plus(Specs.tumours(DATASET), Specs.text("notes", false, 20)), null, "test");
    List<String> texts = Arrays.asList("Fine, \"really\".", null, "\uD83D\uDE00 ok");
    for (int i = 0; i < texts.size(); i++) {
      Map<String, Object> features = new HashMap<>();
      features.put("radius", 1.0);
      features.put("notes", texts.get(i));
      records.pipeInput(DATASET, new EventSerializer<DataRecord>().serialize(Topics.DATA_RECORD.name(), DataRecord.newBuilder()
          .setEventId("t-" + i).setEventTime(Instant.EPOCH).setProducer("test").setDataset(DATASET).setRecordId("t" + i)
          .setFeatures(features).setLabel("benign").build()));
    }
    records.pipeInput(DATASET, new EventSerializer<DataRecord>().serialize(Topics.DATA_RECORD.name(), DataRecord.newBuilder()
        .setEventId("t-long").setEventTime(Instant.EPOCH).setProducer("test").setDataset(DATASET).setRecordId("long")
        .setFeatures(Map.of("radius", 1.0, "notes", "x".repeat(21))).setLabel("benign").build()));

    DatasetBatchCommitted batch = batches.readValue();
    assertThat(BatchFiles.read(store.read(batch.getArtifact()))).extracting(row -> row.features().get("notes"))
        .containsExactlyElementsOf(texts);
    FeatureSummary notes = batch.getFeatures().stream().filter(f -> f.getName().equals("notes")).findFirst().orElseThrow();
    // Lengths 15 and 4 (the emoji is one character), by hand: mean 9.5, sample variance 2 * 5.5^2 = 60.5.
    assertThat(notes.getType()).isEqualTo(FeatureType.TEXT);
    assertThat(notes.getCount()).isEqualTo(2);
    assertThat(notes.getMissing()).isEqualTo(1);
    assertThat(notes.getMin()).isEqualTo(4.0);
    assertThat(notes.getMax()).isEqualTo(15.0);
    assertThat(notes.getMean()).isEqualTo(9.5);
    assertThat(notes.getStdDev()).isCloseTo(Math.sqrt(60.5), within(1e-12));
    assertThat(notes.getQuantiles()).containsKey("0.5");
    assertThat(notes.getCategoryCounts()).isEmpty();
    assertThat(reason(deadLetters.readRecord())).contains("text of 21 characters is longer than the feature's maxLength 20");
  }

  @Test
  void sealsABatchWhenItsFirstRecordIsMaxAgeOld() {
    start(KloopTracing.OFF);
    specs.declare(Specs.tumours(DATASET), null, "test");
    send("r0", 1.5);
    driver.advanceWallClockTime(Duration.ofSeconds(10));
    send("r1", 2.5);

    driver.advanceWallClockTime(MAX_AGE.minusSeconds(11));
    assertThat(batches.isEmpty()).as("the first record is 29 s old").isTrue();
    driver.advanceWallClockTime(Duration.ofSeconds(1));

    DatasetBatchCommitted batch = batches.readValue();
    assertThat(batch.getBatchId()).isEqualTo("tumours-v1-p0-0-1");
    assertThat(batch.getEventTime()).isEqualTo(START.plus(MAX_AGE));
    assertThat(rowsOf(batch)).containsExactly("r0", "r1");
    driver.advanceWallClockTime(MAX_AGE.multipliedBy(2));
    assertThat(batches.isEmpty()).as("nothing open, nothing sealed").isTrue();
  }

  @Test
  void sealsTheOpenBatchWhenTheSpecVersionChanges() {
    start(KloopTracing.OFF);
    specs.declare(Specs.tumours(DATASET), null, "test");
    send("r0", 1.5);
    send("r1", 2.5);
    int version = specs.declare(Specs.plus(Specs.tumours(DATASET), Specs.bool("fasting", false)), null, "test").spec().version();
    assertThat(version).isEqualTo(2);
    assertThat(batches.isEmpty()).as("sealed by the next record, not by the declaration").isTrue();
    send("r2", 3.5);

    DatasetBatchCommitted first = batches.readValue();
    assertThat(first.getSpecVersion()).isEqualTo(1);
    assertThat(rowsOf(first)).containsExactly("r0", "r1");
    driver.advanceWallClockTime(MAX_AGE);
    DatasetBatchCommitted second = batches.readValue();
    assertThat(second.getSpecVersion()).isEqualTo(2);
    assertThat(second.getBatchId()).isEqualTo("tumours-v2-p0-2-2");
    assertThat(rowsOf(second)).containsExactly("r2");
  }

  @Test
  void deadLettersEveryBadRecordWithItsReasonAndCountsItsKind() {
    start(KloopTracing.OFF);
    specs.declare(Specs.tumours(DATASET), null, "test");
    send("r0", 1.5);
    send("r1", 77.0);
    send("r0", 2.5);
    records.pipeInput("nowhere", record("nowhere", "n0", 1.5));
    records.pipeInput("other\nkey", record(DATASET, "w0", 1.5));
    records.pipeInput(DATASET, (byte[]) null);
    records.pipeInput(DATASET, "garbage".getBytes(StandardCharsets.UTF_8));
    Map<String, Object> wide = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      wide.put("undeclared-feature-" + i, 1.0);
    }
    records.pipeInput(DATASET, new EventSerializer<DataRecord>().serialize(Topics.DATA_RECORD.name(), DataRecord.newBuilder()
        .setEventId("e-wide").setEventTime(Instant.EPOCH).setProducer("test").setDataset(DATASET).setRecordId("wide").setFeatures(wide)
        .setLabel("benign").build()));

    List<TestRecord<String, byte[]>> letters = deadLetters.readRecordsToList();
    assertThat(letters).extracting(TestRecord::key).containsExactly(DATASET, DATASET, "nowhere", "other\nkey", DATASET, DATASET, DATASET);
    assertThat(letters).extracting(IntakeTopologyTest::reason).satisfiesExactly(
        invalid -> assertThat(invalid).isEqualTo("invalid record r1 for dataset tumours (spec v1): radius: 77.0 is above the maximum 50.0"),
        duplicate -> assertThat(duplicate).isEqualTo(
            "invalid record r0 for dataset tumours (spec v1): id: duplicate record id r0 (accepted before from partition 0 offset 0)"),
        unknown -> assertThat(unknown).isEqualTo("unknown dataset nowhere; declare it with PUT /v1/datasets/nowhere"),
        wrongKey -> assertThat(wrongKey).isEqualTo(
            "record key 'other?key' must be the dataset name 'tumours', so that all records of a dataset share a partition"),
        tombstone -> assertThat(tombstone).isEqualTo("empty record (a tombstone has no meaning on " + Topics.DATA_RECORD.name() + ")"),
        undecodable -> assertThat(undecodable).contains("not an Avro single-object encoded event"),
        long_ -> assertThat(long_).startsWith("invalid record wide for dataset tumours (spec v1): ")
            .hasSize(EventProcessor.MAX_REASON_CHARS + 1).endsWith("…"));
    assertThat(new String(letters.get(5).value(), StandardCharsets.UTF_8)).as("the original bytes").isEqualTo("garbage");
    assertThat(letters.get(4).value()).as("a tombstone's dead letter has no bytes").isEmpty();
    assertThat(header(letters.get(1).headers(), "kafka_dlt-original-topic")).isEqualTo(Topics.DATA_RECORD.name());
    assertThat(List.of("invalid", "duplicate", "unknown-dataset", "wrong-key", "tombstone", "undecodable"))
        .extracting(this::deadLettered).containsExactly(2.0, 1.0, 1.0, 1.0, 1.0, 1.0);

    driver.advanceWallClockTime(MAX_AGE);
    assertThat(rowsOf(batches.readValue())).as("only the good record").containsExactly("r0");
  }

  /**
   * Feedback records (a served prediction with its ground truth) join the batch like any other, their rows
   * carrying their origin and the announcement counting them; a bad origin is a dead letter with every
   * problem named, and a redelivery (the same record id) a duplicate.
   */
  @Test
  void sealsFeedbackRecordsWithTheirOriginAndDeadLettersABadOrigin() {
    start(KloopTracing.OFF);
    specs.declare(Specs.tumours(DATASET), null, "test");
    records.pipeInput(DATASET, feedback("feedback-1", "scanner", 1, "p-1"));
    send("r1", 2.5);
    records.pipeInput(DATASET, feedback("feedback-bad", "Scanner", 0, "p\u0000"));
    records.pipeInput(DATASET, feedback("feedback-1", "scanner", 1, "p-1"));
    records.pipeInput(DATASET, feedback("feedback-2", "scanner", 2, "order 2"));

    DatasetBatchCommitted batch = batches.readValue();
    assertThat(batch.getRowCount()).isEqualTo(3);
    assertThat(batch.getFeedbackRows()).isEqualTo(2);
    assertThat(BatchFiles.read(store.read(batch.getArtifact()))).extracting(BatchFiles.Row::recordId, BatchFiles.Row::feedback).containsExactly(
        tuple("feedback-1", new BatchFiles.Feedback("scanner", 1, "p-1")),
        tuple("r1", null),
        tuple("feedback-2", new BatchFiles.Feedback("scanner", 2, "order 2")));
    assertThat(deadLetters.readRecordsToList()).extracting(IntakeTopologyTest::reason).containsExactly(
        "invalid record feedback-bad for dataset tumours (spec v1): feedback.model: 'Scanner' is not a model name: model names are 1 to 63"
            + " lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; feedback.version: a model version is 1 or more,"
            + " got 0; feedback.predictionId: prediction id contains a control or invisible character (U+0000) at position 1",
        "invalid record feedback-1 for dataset tumours (spec v1): id: duplicate record id feedback-1 (accepted before from partition 0 offset 0)");
    assertThat(List.of("invalid", "duplicate")).extracting(this::deadLettered).containsExactly(1.0, 1.0);

    send("r5", 1.0);
    driver.advanceWallClockTime(MAX_AGE);
    assertThat(batches.readValue().getFeedbackRows()).as("a batch without feedback").isZero();
  }

  private static byte[] feedback(String id, String model, int version, String predictionId) {
    return new EventSerializer<DataRecord>().serialize(Topics.DATA_RECORD.name(), DataRecord.newBuilder().setEventId("e-" + id)
        .setEventTime(Instant.EPOCH).setProducer("monitor-service").setDataset(DATASET).setRecordId(id).setFeatures(Map.of("radius", 4.0))
        .setLabel("malignant")
        .setFeedback(FeedbackOrigin.newBuilder().setModel(model).setVersion(version).setPredictionId(predictionId).build()).build());
  }

  @Test
  void tracesTheSealingOfABatchNotEachRecord() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    start(KloopTracing.of(OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build()));
    specs.declare(Specs.tumours(DATASET), null, "test");
    send("r0", 1.5);
    send("r1", 2.5);
    assertThat(spans.getFinishedSpanItems()).as("no span per record").isEmpty();
    send("r2", 3.5);

    SpanData seal = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("seal batch")).findFirst().orElseThrow();
    assertThat(spans.getFinishedSpanItems()).hasSize(1);
    assertThat(seal.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.PRODUCER);
    assertThat(seal.getAttributes().get(AttributeKey.stringKey("kloop.dataset"))).isEqualTo(DATASET);
    assertThat(seal.getAttributes().get(AttributeKey.stringKey("kloop.batch.id"))).isEqualTo("tumours-v1-p0-0-2");
    assertThat(seal.getAttributes().get(AttributeKey.longKey("kloop.batch.rows"))).isEqualTo(3L);
    assertThat(seal.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))).isEqualTo(Topics.DATASET_BATCH_COMMITTED.name());
    assertThat(header(batches.readRecord().headers(), "traceparent")).as("the batch carries the seal's trace context")
        .contains(seal.getTraceId()).contains(seal.getSpanId());
  }
}
