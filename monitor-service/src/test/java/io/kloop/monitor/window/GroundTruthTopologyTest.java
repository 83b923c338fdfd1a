package io.kloop.monitor.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.DataRecord;
import io.kloop.events.DriftReported;
import io.kloop.events.GroundTruthReported;
import io.kloop.events.PredictionLogged;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.monitor.truth.FeedbackSpecs;
import io.kloop.monitor.truth.TruthEvents;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.KafkaPlatformAutoConfiguration;
import io.kloop.service.tracing.KloopTracing;
import io.kloop.test.TopologyDrivers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * The ground-truth join in the monitor's whole topology, without a broker: predictions and labels in; feedback
 * records and dead letters (with their reasons) out, by the processor's clock, which the test drives. Predictions
 * wait 7 days for their label, labels 1 hour for their prediction (the defaults).
 */
class GroundTruthTopologyTest {

  private static final String MODEL = "churn";
  private static final String DATASET = "churn-data";
  private static final Instant START = Instant.parse("2026-03-04T05:06:07Z");
  private static final Map<String, Object> INPUTS = Map.of("x1", 0.5, "colour", "red", "flag", true, "count", 3L);

  @TempDir(factory = TopologyDrivers.RamDisk.class) Path state;
  private final ApprovedModels approvals = new ApprovedModels();
  private final FeedbackSpecs specs = new FeedbackSpecs();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> predictions;
  private TestInputTopic<String, byte[]> labels;

  @BeforeEach
  void start() {
    approvals.add(MonitorEvents.approval(MODEL, 1));
    specs.add(TruthEvents.spec(MODEL, DATASET, true));
    specs.add(TruthEvents.spec("quiet", "quiet-data", false));
    MonitorProperties properties = new MonitorProperties(new MonitorProperties.Window("count", 1000, Duration.ofMinutes(1), 100),
        new MonitorProperties.Drift(0.05, 0.1, 0.1, 0.5, true), new MonitorProperties.Retraining(true, Duration.ofMinutes(10), 3), 50,
        MonitorProperties.GroundTruth.DEFAULTS, MonitorProperties.Performance.defaults());
    StreamsBuilder builder = new StreamsBuilder();
    MonitorTopology topology = new MonitorTopology();
    KStream<String, byte[]> predictionLog = topology.predictionLog(builder);
    topology.driftWindows(builder, predictionLog, properties, approvals, meters, KloopTracing.OFF);
    topology.groundTruthJoin(builder, predictionLog, properties, approvals, specs, meters, KloopTracing.OFF);
    driver = new TopologyTestDriver(builder.build(), TopologyDrivers.config("ground-truth-topology-test", state), START);
    predictions = driver.createInputTopic(Topics.PREDICTION_LOGGED.name(), new StringSerializer(), new ByteArraySerializer());
    labels = driver.createInputTopic(Topics.GROUND_TRUTH_REPORTED.name(), new StringSerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void predict(String model, String id, String predicted) {
    PredictionLogged prediction = TruthEvents.prediction(model, 1, id, INPUTS, predicted, START);
    predictions.pipeInput(model, new EventSerializer<PredictionLogged>().serialize(Topics.PREDICTION_LOGGED.name(), prediction));
  }

  private void label(String model, String id, String label, Instant observed) {
    labels.pipeInput(model, new EventSerializer<GroundTruthReported>().serialize(Topics.GROUND_TRUTH_REPORTED.name(),
        TruthEvents.label(model, id, label, observed)));
  }

  private void label(GroundTruthReported label) {
    labels.pipeInput(label.getModel(), new EventSerializer<GroundTruthReported>().serialize(Topics.GROUND_TRUTH_REPORTED.name(), label));
  }

  private List<TestRecord<String, DataRecord>> feedback() {
    return driver.createOutputTopic(Topics.DATA_RECORD.name(), new StringDeserializer(), new EventDeserializer<>(DataRecord.class))
        .readRecordsToList();
  }

  private List<TestRecord<String, byte[]>> deadLetters() {
    return driver.createOutputTopic(Topics.deadLetter(MonitorServiceApplication.NAME).name(), new StringDeserializer(), new ByteArrayDeserializer())
        .readRecordsToList();
  }

  private static String header(TestRecord<String, byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private double count(String outcome) {
    return meters.counter("kloop.monitor.ground-truth", "outcome", outcome).count();
  }

  private static String uuid(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  @Test
  void shouldJoinAPredictionToItsLabelAndSendItBackAsARecordOfTheModelsDataset() {
    predict(MODEL, "order-1", "no");
    driver.advanceWallClockTime(Duration.ofHours(2));
    Instant observed = START.plus(Duration.ofHours(1));
    label(MODEL, "order-1", "yes", observed);

    assertThat(feedback()).singleElement().satisfies(record -> {
      assertThat(record.key()).isEqualTo(DATASET);
      DataRecord value = record.value();
      assertThat(value.getRecordId()).isEqualTo("feedback-" + uuid("churn\0order-1"));
      assertThat(value.getDataset()).isEqualTo(DATASET);
      assertThat(value.getFeatures()).isEqualTo(INPUTS);
      assertThat(value.getLabel()).isEqualTo("yes");
      assertThat(value.getFeedback().getModel()).isEqualTo(MODEL);
      assertThat(value.getFeedback().getVersion()).isEqualTo(1);
      assertThat(value.getFeedback().getPredictionId()).isEqualTo("order-1");
      assertThat(value.getEventTime()).as("the label's observed time").isEqualTo(observed);
      assertThat(value.getEventId()).isEqualTo(uuid("feedback-record\0churn\0order-1"));
      assertThat(value.getProducer()).isEqualTo(MonitorServiceApplication.NAME);
    });
    assertThat(deadLetters()).isEmpty();
    assertThat(count("joined")).isEqualTo(1);
    assertThat(meters.counter("kloop.monitor.ground-truth.feedback", "outcome", "published").count()).isEqualTo(1);
  }

  @Test
  void shouldDeadLetterEveryLabelThatDoesNotJoinWithItsReason() {
    predict(MODEL, "p-dup", "no");
    label(MODEL, "p-dup", "no", START);
    label(MODEL, "p-dup", "yes", START);               // duplicate
    predict(MODEL, "p-class", "no");
    label(MODEL, "p-class", "maybe", START);           // unknown class
    predict(MODEL, "p-late", "yes");
    label(MODEL, "ghost", "no", START);                // waits an hour for its prediction: unknown

    driver.advanceWallClockTime(Duration.ofDays(7));   // expiry: ghost is unknown, p-late and p-class unlabelled
    label(MODEL, "p-late", "yes", START.plus(Duration.ofDays(7)));  // late
    label(MODEL, "", "yes", START);                    // invalid

    List<TestRecord<String, byte[]>> letters = deadLetters();
    assertThat(letters).extracting(letter -> header(letter, KafkaPlatformAutoConfiguration.REASON_HEADER)).containsExactly(
        "prediction p-dup of model churn was joined to a label already",
        "label 'maybe' of prediction p-class is not one of model churn version 1's classes [no, yes]",
        "no prediction ghost of model churn came within 1h (before-horizon) of its label",
        "the label of prediction p-late of model churn came after the prediction's horizon: a prediction waits 7d (after-horizon) for its label",
        "predictionId is empty");
    assertThat(letters).allSatisfy(letter -> {
      assertThat(letter.key()).isEqualTo(MODEL);
      assertThat(header(letter, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.GROUND_TRUTH_REPORTED.name());
      GroundTruthReported label = new EventDeserializer<>(GroundTruthReported.class).deserialize("any", letter.value());
      assertThat(label.getModel()).as("the label as it came").isEqualTo(MODEL);
    });
    // The unknown label was dead-lettered from the store, an hour after it came: its record as it was read.
    TestRecord<String, byte[]> ghost = letters.get(2);
    assertThat(new EventDeserializer<>(GroundTruthReported.class).deserialize("any", ghost.value()).getPredictionId()).isEqualTo("ghost");
    assertThat(ByteBuffer.wrap(ghost.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET).value()).getLong()).isEqualTo(3);
    assertThat(List.of(count("joined"), count("duplicate"), count("unknown-class"), count("unknown"), count("late")))
        .containsExactly(1.0, 1.0, 1.0, 1.0, 1.0);
    assertThat(meters.counter("kloop.monitor.ground-truth.predictions", "outcome", "expired").count()).isEqualTo(2);
    assertThat(feedback()).hasSize(1);
  }

  @Test
  void shouldJoinALabelThatCameBeforeItsPredictionAndAnOldPredictionByRequestAndIndex() {
    label(MODEL, "early", "yes", START);
    driver.advanceWallClockTime(Duration.ofMinutes(59));
    predict(MODEL, "early", "yes");

    PredictionLogged old = TruthEvents.prediction(MODEL, 1, null, INPUTS, "no", START);
    predictions.pipeInput(MODEL, new EventSerializer<PredictionLogged>().serialize(Topics.PREDICTION_LOGGED.name(), old));
    label(MODEL, old.getRequestId() + "/0", "no", START);

    assertThat(feedback()).extracting(record -> record.value().getFeedback().getPredictionId())
        .containsExactly("early", old.getRequestId() + "/0");
    assertThat(deadLetters()).isEmpty();
    assertThat(count("joined")).isEqualTo(2);
  }

  @Test
  void shouldMakeNoFeedbackRecordForAModelThatTurnedItOffOrHasNoSpec() {
    approvals.add(MonitorEvents.approval("quiet", 1));
    approvals.add(MonitorEvents.approval("unspecified", 1));
    for (String model : List.of("quiet", "unspecified")) {
      predict(model, "p1", "no");
      label(model, "p1", "no", START);
    }

    assertThat(feedback()).isEmpty();
    assertThat(count("joined")).isEqualTo(2);
    assertThat(meters.counter("kloop.monitor.ground-truth.feedback", "outcome", "off").count()).isEqualTo(1);
    assertThat(meters.counter("kloop.monitor.ground-truth.feedback", "outcome", "no-spec").count()).isEqualTo(1);
  }

  @Test
  void shouldLeaveTheDriftWindowsTheirPredictions() {
    for (int i = 0; i < 1000; i++) {
      predict(MODEL, "w" + i, i % 2 == 0 ? "no" : "yes");
    }
    assertThat(driver.createOutputTopic(Topics.DRIFT_REPORTED.name(), new StringDeserializer(), new EventDeserializer<>(DriftReported.class))
        .readRecordsToList()).as("one window of 1,000 judged from the shared source").hasSize(1);
    assertThat(meters.counter("kloop.monitor.ground-truth.predictions", "outcome", "waiting").count()).isEqualTo(1000);
  }

  @Test
  void shouldDeadLetterOncePredictionsTheJoinAloneRefusesAndCountThem() {
    String tooLong = "x".repeat(257);
    predict(MODEL, tooLong, "no");                     // drift takes it; the join cannot: no label could name it
    predict("Bad Name", "p-1", "no");                  // refused by drift and by the join alike: drift's dead letter only

    List<TestRecord<String, byte[]>> letters = deadLetters();
    assertThat(letters).extracting(letter -> header(letter, KafkaPlatformAutoConfiguration.REASON_HEADER)).containsExactlyInAnyOrder(
        "predictionId is longer than 256 characters (257): the prediction cannot be joined to a label",
        "'Bad Name' is not a model name: model names are 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
    TestRecord<String, byte[]> own = letters.stream().filter(letter -> letter.key().equals(MODEL)).findFirst().orElseThrow();
    assertThat(header(own, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.PREDICTION_LOGGED.name());
    assertThat(new EventDeserializer<>(PredictionLogged.class).deserialize("any", own.value()).getPredictionId()).as("the record as it came")
        .isEqualTo(tooLong);
    assertThat(own.headers().lastHeader("kloop.truth.own-dead-letter")).as("the join's mark stays inside the topology").isNull();
    assertThat(meters.counter("kloop.monitor.ground-truth.predictions", "outcome", "invalid").count()).isEqualTo(1);
    assertThat(meters.counter("kloop.monitor.ground-truth.predictions", "outcome", "waiting").count()).isZero();
  }

  @Test
  void shouldDeadLetterLabelsObservedOutsideTheirTimeOrFromAnUnfitSourceOrTooLargeToHold() {
    predict(MODEL, "p-edge", "no");
    Instant latest = START.plus(Duration.ofDays(1));  // the driver's clock stands at START
    label(MODEL, "p-edge", "yes", latest);             // a day ahead of the monitor's clock: taken
    label(MODEL, "p-future", "yes", latest.plusMillis(1));
    label(MODEL, "p-past", "yes", Instant.EPOCH.minusMillis(1));
    label(GroundTruthReported.newBuilder(TruthEvents.label(MODEL, "p-bell", "yes", START)).setSource("lab\u0007").build());
    label(GroundTruthReported.newBuilder(TruthEvents.label(MODEL, "p-long", "yes", START)).setSource("s".repeat(257)).build());
    label(GroundTruthReported.newBuilder(TruthEvents.label(MODEL, "p-big", "yes", START)).setProducer("p".repeat(4_096)).build());

    List<TestRecord<String, byte[]>> letters = deadLetters();
    assertThat(letters).extracting(letter -> header(letter, KafkaPlatformAutoConfiguration.REASON_HEADER)).satisfiesExactly(
        reason -> assertThat(reason).isEqualTo("observedTime 2026-03-05T05:06:07.001Z is more than 1 day after the monitor's clock (2026-03-04T05:06:07Z)"),
        reason -> assertThat(reason).isEqualTo("observedTime 1969-12-31T23:59:59.999Z is before 1970-01-01T00:00:00Z"),
        reason -> assertThat(reason).startsWith("source contains a control or invisible character"),
        reason -> assertThat(reason).isEqualTo("source is longer than 256 characters (257)"),
        // 4,096 characters of producer alone make the record larger than 4,096 bytes.
        reason -> assertThat(reason).startsWith("the label's record is larger than 4096 bytes ("));
    assertThat(count("joined")).isEqualTo(1);
    assertThat(meters.counter("kloop.monitor.ground-truth.early").count()).as("the large label is not held").isZero();
  }
}
