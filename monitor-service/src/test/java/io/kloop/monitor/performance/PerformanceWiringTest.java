package io.kloop.monitor.performance;

import static io.kloop.service.kafka.StreamsBranches.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.ArtifactRef;
import io.kloop.events.ConfusionMatrix;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelApproved;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.events.PredictionLogged;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.model.IsotonicCalibration;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.drift.SyntheticModel;
import io.kloop.monitor.truth.LabelledPrediction;
import io.kloop.monitor.truth.ServedPrediction;
import io.kloop.monitor.window.ApprovedModels;
import io.kloop.monitor.window.ModelDriftState;
import io.kloop.monitor.window.MonitorStores;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.JsonSerde;
import io.kloop.service.tracing.KloopTracing;
import io.kloop.test.TopologyDrivers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor wired as the monitor's topology will wire it (its stores from {@link PerformanceStores#builders},
 * connected by {@link PerformanceStores#NAMES}, the drift's {@code models} store beside them, outputs split by type
 * to their topics), with RocksDB stores under Kafka Streams' TopologyTestDriver. A stand-in for the ground-truth join
 * turns logged predictions into served or labelled ones. (A restart is not tested here: the driver deletes its state
 * directory when closed. {@link PerformanceProcessorTest} re-initialises the processor on its stores; the broker ITs
 * of the wired topology restart the service.)
 */
class PerformanceWiringTest {

  private static final String MODEL = "churn";
  private static final Instant START = Instant.parse("2026-03-04T05:06:07Z");
  private static final int WINDOW = 100;

  @TempDir(factory = TopologyDrivers.RamDisk.class) Path state;
  private final ApprovedModels approvals = new ApprovedModels();
  private final EventSerializer<PredictionLogged> serializer = new EventSerializer<>();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> input;
  private int sent;

  /** Forwards a logged prediction as served, or, with a {@code label} header, as labelled with that label. */
  static final class JoinStandIn implements Processor<String, byte[], String, Object> {
    private final EventDeserializer<PredictionLogged> decoder = new EventDeserializer<>(PredictionLogged.class);
    private ProcessorContext<String, Object> context;

    @Override
    public void init(ProcessorContext<String, Object> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
      PredictionLogged logged = decoder.deserialize(Topics.PREDICTION_LOGGED.name(), record.value());
      ServedPrediction served = new ServedPrediction(logged.getModel(), logged.getVersion(), logged.getRequestId() + "/" + logged.getInstanceIndex(),
          logged.getPredictedClass(), logged.getProbabilities(), logged.getEventTime().toEpochMilli());
      Header label = record.headers().lastHeader("label");
      Object value = label == null ? served : new LabelledPrediction(served, new String(label.value(), StandardCharsets.UTF_8), record.timestamp());
      context.forward(new Record<>(record.key(), value, record.timestamp()));
    }
  }

  private void start() {
    MonitorProperties.PerformanceWindow window = new MonitorProperties.PerformanceWindow("count", WINDOW, Duration.ofMinutes(1), 20);
    MonitorProperties properties = new MonitorProperties(new MonitorProperties.Window("count", 1000, Duration.ofMinutes(1), 100),
        new MonitorProperties.Drift(0.05, 0.1, 0.1, 0.5, true), new MonitorProperties.Retraining(true, Duration.ofMinutes(10), 3), 50, MonitorProperties.GroundTruth.DEFAULTS,
        new MonitorProperties.Performance(window, window, 0.05, List.of("accuracy", "macroF1"), false, 200, 24, 3));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    PerformanceGauges gauges = new PerformanceGauges(meters);

    StreamsBuilder builder = new StreamsBuilder();
    // What the drift's wiring adds already: its models store (here with the same name and serde).
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MonitorStores.MODELS), Serdes.String(),
        new JsonSerde<>(ModelDriftState.class)));
    for (StoreBuilder<?> store : PerformanceStores.builders()) {
      builder.addStateStore(store);
    }
    KStream<String, Object> out = builder.stream(Topics.PREDICTION_LOGGED.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .process(JoinStandIn::new, Named.as("join-stand-in"))
        .process(() -> new PerformanceProcessor(properties, approvals, meters, gauges, KloopTracing.OFF), Named.as("performance-windows"),
            PerformanceStores.NAMES.toArray(String[]::new));
    out.split(Named.as("performance-"))
        .branch((model, value) -> value instanceof PerformanceReported, to(Topics.PERFORMANCE_REPORTED))
        .branch((model, value) -> value instanceof RetrainingRequested, to(Topics.RETRAINING_REQUESTED))
        .noDefaultBranch();
    driver = new TopologyTestDriver(builder.build(), TopologyDrivers.config("performance-wiring-test", state), START);
    input = driver.createInputTopic(Topics.PREDICTION_LOGGED.name(), new StringSerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  PerformanceWiringTest() {
    // Version 1 serves with probability 0.8 for the class it serves; its calibration is fitted on a test split where
    // a served yes is right 4 times in 5 and a served no always: calibrated, 0.8 and 1.0, 0.9 over both.
    int[] truth = new int[1000];
    double[][] probabilities = new double[1000][];
    for (int i = 0; i < truth.length; i++) {
      boolean yes = i % 2 == 0;
      probabilities[i] = yes ? new double[] {0.2, 0.8} : new double[] {0.8, 0.2};
      boolean right = i % 10 != 2;
      truth[i] = yes == right ? 1 : 0;
    }
    ReferenceProfile reference = SyntheticModel.reference(42, 500, 100);
    reference.setCalibration(IsotonicCalibration.fit(SyntheticModel.CLASSES, truth, probabilities));
    approvals.add(ModelApproved.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.EPOCH).setProducer("registry-service")
        .setModel(MODEL).setVersion(1).setRunId("run-1").setDecisionId(UUID.randomUUID().toString()).setActor("policy:auto").setReason("test")
        .setArtifact(ArtifactRef.newBuilder().setUri("file:///nowhere").setSha256("0".repeat(64)).setSizeBytes(1).setMediaType("application/onnx").build())
        .setSignature(SyntheticModel.signature()).setReferenceProfile(reference)
        .setMetrics(EvaluationMetrics.newBuilder().setSplit("test").setRows(1000).setAccuracy(0.9).setMacroPrecision(0.9).setMacroRecall(0.9)
            .setMacroF1(0.9).setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(SyntheticModel.CLASSES)
                .setCounts(List.of(List.of(450L, 50L), List.of(50L, 450L))).build()).build())
        .build());
  }

  /** Sends {@code count} predictions; labelled ones wrong every {@code wrongEvery}-th time. */
  private void send(int count, boolean labelled, int wrongEvery) {
    for (int i = 0; i < count; i++) {
      int n = sent++;
      boolean yes = n % 2 == 0;
      PredictionLogged prediction = PredictionLogged.newBuilder()
          .setEventId(UUID.randomUUID().toString()).setEventTime(START.plusMillis(n)).setProducer("inference-service")
          .setRequestId("r" + n).setInstanceIndex(0).setModel(MODEL).setVersion(1).setInputs(new HashMap<>())
          .setPredictedClass(yes ? "yes" : "no").setProbabilities(new HashMap<>(Map.of("yes", yes ? 0.8 : 0.2, "no", yes ? 0.2 : 0.8)))
          .setLatencyMicros(50).build();
      RecordHeaders headers = new RecordHeaders();
      if (labelled) {
        boolean wrong = (i + 1) % wrongEvery == 0;
        headers.add("label", ((yes != wrong) ? "yes" : "no").getBytes(StandardCharsets.UTF_8));
      }
      input.pipeInput(new TestRecord<>(MODEL, serializer.serialize(Topics.PREDICTION_LOGGED.name(), prediction), headers, START.plusMillis(n)));
    }
  }

  private List<PerformanceReported> reports() {
    return driver.createOutputTopic(Topics.PERFORMANCE_REPORTED.name(), new StringDeserializer(), Topics.PERFORMANCE_REPORTED.valueSerde().deserializer())
        .readValuesToList();
  }

  private List<RetrainingRequested> requests() {
    return driver.createOutputTopic(Topics.RETRAINING_REQUESTED.name(), new StringDeserializer(), Topics.RETRAINING_REQUESTED.valueSerde().deserializer())
        .readValuesToList();
  }

  @Test
  void shouldReportBothKindsToTheirTopic() {
    start();
    send(60, true, 10); // 6 wrong
    send(70, false, 0);
    assertThat(reports()).isEmpty();

    send(40, true, 5); // 8 wrong
    send(30, false, 0);

    List<PerformanceReported> reports = reports();
    assertThat(reports).extracting(PerformanceReported::getKind).containsExactlyInAnyOrder(PerformanceWindowKind.LABELLED, PerformanceWindowKind.PREDICTED);
    PerformanceReported labelled = reports.stream().filter(r -> r.getKind() == PerformanceWindowKind.LABELLED).findFirst().orElseThrow();
    assertThat(labelled.getWindow().getPredictions()).isEqualTo(WINDOW);
    assertThat(labelled.getRealized().getAccuracy().getValue()).as("(54 + 32) of 100").isEqualTo(0.86);
    // half the window served yes (0.8 calibrated), half no (1.0)
    assertThat(labelled.getEstimated().getAccuracy().getValue()).isCloseTo(0.9, within(1e-12));
    assertThat(requests()).isEmpty();
  }

  @Test
  void shouldSendTheRetrainingRequestOfADropToItsTopic() {
    start();
    send(WINDOW, true, 2);

    assertThat(reports()).singleElement().satisfies(report -> assertThat(report.getDropped()).containsExactly("accuracy", "macroF1"));
    assertThat(requests()).singleElement().satisfies(request -> {
      assertThat(request.getReason()).isEqualTo(RetrainingReason.PERFORMANCE);
      assertThat(request.getPerformanceEvidence().getMetric()).isEqualTo("accuracy");
    });
  }
}
