package io.kloop.monitor.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.DriftStatistic;
import io.kloop.events.DriftTest;
import io.kloop.events.PredictionLogged;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.WindowKind;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.monitor.drift.SyntheticModel;
import io.kloop.monitor.drift.TextModel;
import io.kloop.monitor.truth.FeedbackSpecs;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.KafkaPlatformAutoConfiguration;
import io.kloop.service.tracing.KloopTracing;
import io.kloop.test.TopologyDrivers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
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
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor's topology without a broker: predictions in; reports, detections, retraining requests and dead
 * letters out, with the processor's clock driven by the test.
 */
class MonitorTopologyTest {

  private static final String MODEL = "churn";
  private static final int WINDOW = 200;
  private static final Instant START = Instant.parse("2026-03-04T05:06:07Z");
  private static final SyntheticModel.Scenario STATIONARY = SyntheticModel.Scenario.stationary();
  /** Every normal feature 1.5 standard deviations up and the colours reversed: a different world. */
  private static final SyntheticModel.Scenario DRIFTED = STATIONARY.withMeanShift(0, 1.5).withMeanShift(1, 1.5).withMeanShift(2, 1.5)
      .withMeanShift(3, 1.5).withColours(0.2, 0.3, 0.5);

  /** The driver's stores, on a RAM disk where there is one: the driver checkpoints them, with an fsync, after every record. */
  @TempDir(factory = TopologyDrivers.RamDisk.class) Path state;
  private final ApprovedModels approvals = new ApprovedModels();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final SyntheticModel traffic = new SyntheticModel(7);
  private final EventSerializer<PredictionLogged> serializer = new EventSerializer<>();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> predictions;
  private long sent;

  private void start(MonitorProperties.Window window) {
    start(window, KloopTracing.OFF);
  }

  private void start(MonitorProperties.Window window, KloopTracing tracing) {
    MonitorProperties properties = new MonitorProperties(window, new MonitorProperties.Drift(0.05, 0.1, 0.1, 0.5, true),
        new MonitorProperties.Retraining(true, Duration.ofMinutes(10), 3), 50,
        MonitorProperties.GroundTruth.DEFAULTS, MonitorProperties.Performance.defaults());
    StreamsBuilder builder = new StreamsBuilder();
    // The whole topology, as the application builds it: the drift windows share their source with the ground-truth join.
    MonitorTopology topology = new MonitorTopology();
    KStream<String, byte[]> predictionLog = topology.predictionLog(builder);
    topology.driftWindows(builder, predictionLog, properties, approvals, meters, tracing);
    topology.groundTruthJoin(builder, predictionLog, properties, approvals, new FeedbackSpecs(), meters, tracing);
    driver = new TopologyTestDriver(builder.build(), TopologyDrivers.config("monitor-topology-test", state), START);
    predictions = driver.createInputTopic(Topics.PREDICTION_LOGGED.name(), new StringSerializer(), new ByteArraySerializer());
  }

  private void startByCount() {
    start(new MonitorProperties.Window("count", WINDOW, Duration.ofMinutes(1), 100));
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  private <T extends SpecificRecord> List<TestRecord<String, T>> read(Topic<String, T> topic, Class<T> type) {
    return driver.createOutputTopic(topic.name(), new StringDeserializer(), new EventDeserializer<>(type)).readRecordsToList();
  }

  private List<TestRecord<String, byte[]>> deadLetters() {
    return driver.createOutputTopic(Topics.deadLetter(MonitorServiceApplication.NAME).name(), new StringDeserializer(), new ByteArrayDeserializer())
        .readRecordsToList();
  }

  private static String reason(TestRecord<String, byte[]> deadLetter) {
    return new String(deadLetter.headers().lastHeader(KafkaPlatformAutoConfiguration.REASON_HEADER).value(), StandardCharsets.UTF_8);
  }

  private byte[] prediction(String model, int version, SyntheticModel.Scenario scenario) {
    return serializer.serialize(Topics.PREDICTION_LOGGED.name(), MonitorEvents.prediction(traffic, model, version, scenario, START.plusMillis(sent++)));
  }

  private void predict(String model, int version, SyntheticModel.Scenario scenario, int count) {
    for (int i = 0; i < count; i++) {
      predictions.pipeInput(model, prediction(model, version, scenario));
    }
  }

  private static String derivedId(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  @Test
  void shouldJudgeATextInputByItsLengthUnseenTokensAndTopTokens() {
    approvals.add(MonitorEvents.textApproval("reviews", 1));
    startByCount();
    TextModel reviews = new TextModel(11);
    for (int i = 0; i < WINDOW; i++) {
      predictions.pipeInput("reviews", serializer.serialize(Topics.PREDICTION_LOGGED.name(),
          MonitorEvents.textPrediction(reviews, "reviews", 1, 0, START.plusMillis(sent++))));
    }
    // A window where about 30 % of the words were never seen in training.
    for (int i = 0; i < WINDOW; i++) {
      predictions.pipeInput("reviews", serializer.serialize(Topics.PREDICTION_LOGGED.name(),
          MonitorEvents.textPrediction(reviews, "reviews", 1, 0.3, START.plusMillis(sent++))));
    }

    List<DriftReported> reports = read(Topics.DRIFT_REPORTED, DriftReported.class).stream().map(TestRecord::value).toList();
    assertThat(reports).hasSize(2);
    DriftReported like = reports.get(0);
    DriftReported unseen = reports.get(1);
    assertThat(like.getFeatures()).extracting(statistic -> statistic.getFeature().toString())
        .contains("review:length", "review:unseen-tokens", "review:top-tokens", "output").doesNotContain("review");
    assertThat(like.getDrifting()).as("drifted %s", like.getDriftedFeatures()).isFalse();
    assertThat(like.getDriftedFeatures()).isEmpty();
    assertThat(unseen.getDrifting()).isTrue();
    assertThat(unseen.getDriftedFeatures()).contains("review:unseen-tokens");
    assertThat(unseen.getDriftedShare()).as("one input, the review, counted once").isEqualTo(1.0);
    assertThat(unseen.getFeatures()).filteredOn(statistic -> statistic.getFeature().toString().equals("review:unseen-tokens"))
        .extracting(DriftStatistic::getTest, DriftStatistic::getDrifted)
        .containsExactly(tuple(DriftTest.CHI_SQUARE, true), tuple(DriftTest.PSI, true), tuple(DriftTest.JENSEN_SHANNON, true));
    assertThat(unseen.getOutputDrifted()).isFalse();
    assertThat(read(Topics.DRIFT_DETECTED, DriftDetected.class)).singleElement()
        .satisfies(detected -> assertThat(detected.value().getReportId().toString()).isEqualTo(unseen.getReportId().toString()));
  }

  @Test
  void shouldReportEveryWindowDetectDriftAndAskForRetrainingOncePerEpisode() {
    approvals.add(MonitorEvents.approval(MODEL, 1));
    startByCount();
    driver.advanceWallClockTime(Duration.ofSeconds(30));

    predict(MODEL, 1, STATIONARY, WINDOW);
    predict(MODEL, 1, DRIFTED, 3 * WINDOW);
    predict(MODEL, 1, DRIFTED, WINDOW - 1);

    List<TestRecord<String, DriftReported>> reports = read(Topics.DRIFT_REPORTED, DriftReported.class);
    assertThat(reports).extracting(TestRecord::key).containsOnly(MODEL);
    assertThat(reports).extracting(r -> r.value().getWindow().getSequence(), r -> r.value().getDrifting()).containsExactly(
        tuple(0L, false), tuple(1L, true),
        tuple(2L, true), tuple(3L, true));
    Instant now = START.plusSeconds(30);
    assertThat(reports).allSatisfy(r -> {
      assertThat(r.value().getEventId()).isEqualTo(r.value().getReportId());
      assertThat(r.value().getProducer()).isEqualTo(MonitorServiceApplication.NAME);
      assertThat(r.value().getEventTime()).as("by the processor's clock").isEqualTo(now);
      assertThat(r.timestamp()).isEqualTo(now.toEpochMilli());
      assertThat(r.value().getVersion()).isEqualTo(1);
      assertThat(r.value().getWindow().getKind()).isEqualTo(WindowKind.COUNT);
      assertThat(r.value().getWindow().getPredictions()).isEqualTo(WINDOW);
    });
    assertThat(reports).extracting(r -> r.value().getReportId()).containsExactly(derivedId(MODEL + "\0" + 0), derivedId(MODEL + "\0" + 1),
        derivedId(MODEL + "\0" + 2), derivedId(MODEL + "\0" + 3));
    assertThat(reports.get(0).value().getWindow().getStart()).isEqualTo(START);
    assertThat(reports.get(0).value().getWindow().getEnd()).isEqualTo(START.plusMillis(WINDOW - 1));
    assertThat(reports.get(1).value().getDriftedFeatures()).contains("x1", "x2", "x3", "x4", "colour").doesNotContain("skewed", "flag");

    List<TestRecord<String, DriftDetected>> detected = read(Topics.DRIFT_DETECTED, DriftDetected.class);
    assertThat(detected).extracting(d -> d.value().getReportId()).containsExactlyElementsOf(
        reports.subList(1, 4).stream().map(r -> r.value().getReportId()).toList());
    assertThat(detected).allSatisfy(d -> {
      assertThat(d.key()).isEqualTo(MODEL);
      assertThat(d.value().getEventId()).isEqualTo(derivedId("detected\0" + d.value().getReportId()));
      assertThat(d.value().getProducer()).isEqualTo(MonitorServiceApplication.NAME);
      assertThat(d.value().getEventTime()).isEqualTo(now);
    });

    String episode = reports.get(1).value().getReportId();
    assertThat(read(Topics.RETRAINING_REQUESTED, RetrainingRequested.class)).singleElement().satisfies(request -> {
      assertThat(request.key()).isEqualTo(MODEL);
      assertThat(request.value().getEventId()).isEqualTo(derivedId("retrain\0" + episode));
      assertThat(request.value().getEventTime()).isEqualTo(now);
      assertThat(request.value().getProducer()).isEqualTo(MonitorServiceApplication.NAME);
      assertThat(request.value().getReason()).isEqualTo(RetrainingReason.DRIFT);
      assertThat(request.value().getDriftReportId()).isEqualTo(episode);
      assertThat(request.value().getRequestedBy()).isEqualTo(MonitorServiceApplication.NAME);
      assertThat(request.value().getComment()).startsWith("drift in window 1 of version 1: drifted features [").contains("x1");
    });
    assertThat(deadLetters()).isEmpty();
    assertThat(meters.counter("kloop.monitor.windows.judged").count()).isEqualTo(4);
  }

  @Test
  void shouldReportStationaryTrafficWithoutDriftAndAskForNothing() {
    approvals.add(MonitorEvents.approval(MODEL, 1));
    startByCount();

    predict(MODEL, 1, STATIONARY, 3 * WINDOW);

    assertThat(read(Topics.DRIFT_REPORTED, DriftReported.class)).hasSize(3)
        .allSatisfy(r -> assertThat(r.value().getDrifting()).as("drifted %s", r.value().getDriftedFeatures()).isFalse());
    assertThat(read(Topics.DRIFT_DETECTED, DriftDetected.class)).isEmpty();
    assertThat(read(Topics.RETRAINING_REQUESTED, RetrainingRequested.class)).isEmpty();
  }

  @Test
  void shouldNumberANewVersionsWindowsAfreshAndSkipLateAndUnapprovedPredictions() {
    approvals.add(MonitorEvents.approval(MODEL, 1));
    approvals.add(MonitorEvents.approval(MODEL, 2));
    startByCount();

    predict(MODEL, 1, STATIONARY, WINDOW + 150);
    predict(MODEL, 2, STATIONARY, 10);
    predict(MODEL, 1, STATIONARY, 5);
    predict(MODEL, 3, STATIONARY, 5);

    List<TestRecord<String, DriftReported>> reports = read(Topics.DRIFT_REPORTED, DriftReported.class);
    assertThat(reports).extracting(r -> r.value().getVersion(), r -> r.value().getWindow().getSequence(), r -> r.value().getWindow().getPredictions())
        .containsExactly(tuple(1, 0L, (long) WINDOW), tuple(1, 1L, 150L));
    assertThat(reports.get(1).value().getNotes()).contains("window closed early: version 2 took over");
    assertThat(meters.counter("kloop.monitor.predictions.skipped").count()).as("late version 1, unapproved version 3").isEqualTo(10);

    approvals.add(MonitorEvents.approval(MODEL, 3));
    predict(MODEL, 3, STATIONARY, WINDOW);
    assertThat(read(Topics.DRIFT_REPORTED, DriftReported.class)).as("version 2's window of 10 is too small to judge").singleElement()
        .satisfies(r -> {
          assertThat(r.value().getVersion()).isEqualTo(3);
          assertThat(r.value().getWindow().getSequence()).isEqualTo(0L);
          assertThat(r.value().getReportId()).isEqualTo(derivedId(MODEL + "\0" + 2));
        });
  }

  @Test
  void shouldCloseTimeWindowsByTheWallClock() {
    approvals.add(MonitorEvents.approval(MODEL, 1));
    approvals.add(MonitorEvents.approval("sparse", 1));
    start(new MonitorProperties.Window("time", 1_000, Duration.ofMinutes(1), 100));

    predict(MODEL, 1, STATIONARY, 150);
    predict("sparse", 1, STATIONARY, 99);
    driver.advanceWallClockTime(Duration.ofSeconds(59));
    assertThat(read(Topics.DRIFT_REPORTED, DriftReported.class)).as("a minute is not over").isEmpty();

    driver.advanceWallClockTime(Duration.ofSeconds(1));

    assertThat(read(Topics.DRIFT_REPORTED, DriftReported.class)).as("99 predictions are too few to judge").singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo(MODEL);
      assertThat(r.value().getWindow().getKind()).isEqualTo(WindowKind.TIME);
      assertThat(r.value().getWindow().getPredictions()).isEqualTo(150);
      assertThat(r.value().getEventTime()).isEqualTo(START.plusSeconds(60));
    });
    driver.advanceWallClockTime(Duration.ofMinutes(5));
    assertThat(read(Topics.DRIFT_REPORTED, DriftReported.class)).as("each window is closed once").isEmpty();
  }

  @Test
  void shouldDeadLetterWhatIsNoPredictionOfAPossibleModelKeyedByItsName() {
    approvals.add(MonitorEvents.approval(MODEL, 1));
    startByCount();

    predictions.pipeInput(MODEL, "not avro".getBytes(StandardCharsets.UTF_8));
    predictions.pipeInput(MODEL, (byte[]) null);
    predictions.pipeInput("Bad Name", prediction("Bad Name", 1, STATIONARY));
    predictions.pipeInput("someone-else", prediction(MODEL, 1, STATIONARY));
    predict(MODEL, 1, STATIONARY, WINDOW);

    List<TestRecord<String, byte[]>> letters = deadLetters();
    assertThat(letters).extracting(TestRecord::key).containsExactly(MODEL, MODEL, "Bad Name", "someone-else");
    assertThat(letters).extracting(MonitorTopologyTest::reason).satisfiesExactly(
        reason -> assertThat(reason).contains("is not an Avro single-object encoded event"),
        reason -> assertThat(reason).isEqualTo("empty record (a tombstone has no meaning on " + Topics.PREDICTION_LOGGED.name() + ")"),
        reason -> assertThat(reason).isEqualTo("'Bad Name' is not a model name: model names are 1 to 63 lower-case letters, "
            + "digits, '.', '_' or '-', starting with a letter or digit"),
        reason -> assertThat(reason).isEqualTo("record key 'someone-else' must be the model name '" + MODEL
            + "', so that a model's windows are judged together on one partition"));
    assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).as("the original bytes").isEqualTo("not avro");
    assertThat(read(Topics.DRIFT_REPORTED, DriftReported.class)).as("the model's window is judged as if they were not there").singleElement()
        .satisfies(r -> assertThat(r.value().getWindow().getPredictions()).isEqualTo(WINDOW));
  }

  @Test
  void shouldJudgeAWindowInASpanOfItsOwnLinkedToThePredictionThatClosedItAndCarryItOn() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    KloopTracing tracing = KloopTracing.of(OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build());
    approvals.add(MonitorEvents.approval(MODEL, 1));
    start(new MonitorProperties.Window("count", WINDOW, Duration.ofMinutes(1), 100), tracing);
    predict(MODEL, 1, DRIFTED, WINDOW - 1);
    Span sent = tracing.linkedTo("send " + Topics.PREDICTION_LOGGED.name(), SpanKind.PRODUCER, List.of());
    RecordHeaders headers = new RecordHeaders();
    tracing.inject(sent, headers);
    sent.end();

    predictions.pipeInput(new TestRecord<>(MODEL, prediction(MODEL, 1, DRIFTED), headers));

    SpanData consumed = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process " + Topics.PREDICTION_LOGGED.name())).findFirst()
        .orElseThrow();
    assertThat(consumed.getParentSpanId()).isEqualTo(sent.getSpanContext().getSpanId());
    SpanData judging = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("judge drift window")).findFirst().orElseThrow();
    assertThat(judging.getTraceId()).as("a trace of its own").isNotEqualTo(consumed.getTraceId());
    assertThat(judging.getLinks()).extracting(link -> link.getSpanContext().getSpanId()).containsExactly(consumed.getSpanId());
    assertThat(judging.getAttributes().get(AttributeKey.booleanKey("kloop.drift.drifting"))).isTrue();
    String traceparent = "00-" + judging.getTraceId() + "-" + judging.getSpanId() + "-";
    assertThat(read(Topics.DRIFT_REPORTED, DriftReported.class)).singleElement().satisfies(r -> assertThat(header(r)).startsWith(traceparent));
    assertThat(read(Topics.DRIFT_DETECTED, DriftDetected.class)).singleElement().satisfies(r -> assertThat(header(r)).startsWith(traceparent));
    assertThat(read(Topics.RETRAINING_REQUESTED, RetrainingRequested.class)).singleElement()
        .satisfies(r -> assertThat(header(r)).startsWith(traceparent));
  }

  private static String header(TestRecord<String, ?> record) {
    return new String(record.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8);
  }
}
