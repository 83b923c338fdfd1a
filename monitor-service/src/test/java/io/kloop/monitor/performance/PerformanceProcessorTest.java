package io.kloop.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.ArtifactRef;
import io.kloop.events.Calibration;
import io.kloop.events.ClassCalibration;
import io.kloop.events.ConfusionMatrix;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelApproved;
import io.kloop.events.PerformanceEvidence;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.WindowKind;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.drift.SyntheticModel;
import io.kloop.monitor.truth.LabelledPrediction;
import io.kloop.monitor.truth.ServedPrediction;
import io.kloop.monitor.window.ApprovedModels;
import io.kloop.monitor.window.ModelDriftState;
import io.kloop.monitor.window.MonitorStores;
import io.kloop.service.kafka.JsonSerde;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The performance processor with Kafka Streams' MockProcessorContext and in-memory stores: windows of both kinds
 * closing into reports, a drop asking for retraining once with its evidence, the cooldown shared with drift, and a
 * re-initialised processor continuing its windows from the stores.
 */
class PerformanceProcessorTest {

  private static final String MODEL = "churn";
  private static final int WINDOW = 100;
  private static final Instant START = Instant.parse("2026-03-04T05:06:07Z");
  /** Both classes map below 0.5 to 0.1 and from 0.5 to 0.9: a served probability of 0.8 calibrates to 0.9. */
  private static final Calibration CALIBRATION = Calibration.newBuilder().setMethod("isotonic").setRows(1000).setClasses(List.of(
      ClassCalibration.newBuilder().setLabel("no").setThresholds(List.of(0.0, 0.5)).setValues(List.of(0.1, 0.9)).build(),
      ClassCalibration.newBuilder().setLabel("yes").setThresholds(List.of(0.0, 0.5)).setValues(List.of(0.1, 0.9)).build())).build();

  private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
  private final ApprovedModels approvals = new ApprovedModels();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final PerformanceGauges gauges = new PerformanceGauges(meters);
  private KeyValueStore<String, ModelDriftState> driftModels;
  private int served;

  PerformanceProcessorTest() {
    approvals.add(approval(1, CALIBRATION));
    for (StoreBuilder<?> builder : PerformanceStores.builders()) {
      add(builder);
    }
    driftModels = add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(MonitorStores.MODELS), Serdes.String(),
        new JsonSerde<>(ModelDriftState.class)));
    context.setCurrentSystemTimeMs(START.toEpochMilli());
  }

  /** The store of a builder, in memory (same name and serdes), added to the context. */
  @SuppressWarnings("unchecked")
  private <S extends org.apache.kafka.streams.processor.StateStore> S add(StoreBuilder<?> builder) {
    KeyValueStore<String, Object> store;
    if (builder.name().equals(MonitorStores.MODELS)) {
      store = (KeyValueStore<String, Object>) builder.withLoggingDisabled().build();
    } else {
      store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(builder.name()), Serdes.String(), (org.apache.kafka.common.serialization.Serde<Object>)
          serdeOf(builder.name())).withLoggingDisabled().build();
    }
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return (S) store;
  }

  private static org.apache.kafka.common.serialization.Serde<?> serdeOf(String store) {
    return switch (store) {
      case PerformanceStores.MODELS -> new JsonSerde<>(PerformanceState.class);
      case PerformanceStores.WINDOWS -> new JsonSerde<>(OpenWindow.class);
      case PerformanceStores.ITEMS -> Serdes.ByteArray();
      case PerformanceStores.REPORTS -> new io.kloop.schemas.EventSerde<>(PerformanceReported.class);
      default -> throw new IllegalArgumentException(store);
    };
  }

  private PerformanceProcessor started(MonitorProperties.Performance performance) {
    MonitorProperties properties = new MonitorProperties(new MonitorProperties.Window("count", 1000, Duration.ofMinutes(1), 100),
        new MonitorProperties.Drift(0.05, 0.1, 0.1, 0.5, true), new MonitorProperties.Retraining(true, Duration.ofMinutes(10), 3), 50, MonitorProperties.GroundTruth.DEFAULTS, performance);
    PerformanceProcessor processor = new PerformanceProcessor(properties, approvals, meters, gauges, KloopTracing.OFF);
    processor.init(context);
    return processor;
  }

  private static MonitorProperties.Performance counting(int size) {
    MonitorProperties.PerformanceWindow window = new MonitorProperties.PerformanceWindow("count", size, Duration.ofMinutes(1), 20);
    return new MonitorProperties.Performance(window, window, 0.05, List.of("accuracy", "macroF1"), false, 200, 24, 3);
  }

  private static ModelApproved approval(int version, Calibration calibration) {
    io.kloop.events.ReferenceProfile reference = SyntheticModel.reference(42, 500, 100);
    reference.setCalibration(calibration);
    return ModelApproved.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.EPOCH).setProducer("registry-service")
        .setModel(MODEL).setVersion(version).setRunId("run-" + version).setDecisionId(UUID.randomUUID().toString())
        .setActor("policy:auto").setReason("test").setPreviousVersion(version > 1 ? version - 1 : null)
        .setArtifact(ArtifactRef.newBuilder().setUri("file:///nowhere").setSha256("0".repeat(64)).setSizeBytes(1).setMediaType("application/onnx").build())
        .setSignature(SyntheticModel.signature())
        .setReferenceProfile(reference)
        .setMetrics(EvaluationMetrics.newBuilder().setSplit("test").setRows(200).setAccuracy(0.9).setMacroPrecision(0.9).setMacroRecall(0.9)
            .setMacroF1(0.9).setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(SyntheticModel.CLASSES)
                .setCounts(List.of(List.of(90L, 10L), List.of(10L, 90L))).build()).build())
        .build();
  }

  /** The next served prediction of {@code version}: classes alternate, each served with probability 0.8. */
  private ServedPrediction prediction(int version) {
    int i = served++;
    boolean yes = i % 2 == 0;
    return new ServedPrediction(MODEL, version, "p-" + i, yes ? "yes" : "no", Map.of("yes", yes ? 0.8 : 0.2, "no", yes ? 0.2 : 0.8),
        START.toEpochMilli() + i);
  }

  private void serve(PerformanceProcessor processor, int count, int version) {
    for (int i = 0; i < count; i++) {
      processor.process(new Record<>(MODEL, prediction(version), START.toEpochMilli()));
    }
  }

  /** Labels {@code count} predictions, every {@code wrongEvery}-th one with the other class. */
  private void label(PerformanceProcessor processor, int count, int wrongEvery, int version) {
    for (int i = 0; i < count; i++) {
      ServedPrediction prediction = prediction(version);
      boolean wrong = (i + 1) % wrongEvery == 0;
      String truth = wrong == prediction.predictedClass().equals("yes") ? "no" : "yes";
      processor.process(new Record<>(MODEL, new LabelledPrediction(prediction, truth, START.toEpochMilli() + 10_000), START.toEpochMilli()));
    }
  }

  private List<PerformanceReported> reports(PerformanceWindowKind kind) {
    return context.forwarded().stream().map(f -> f.record().value()).filter(PerformanceReported.class::isInstance).map(PerformanceReported.class::cast)
        .filter(r -> r.getKind() == kind).toList();
  }

  private List<RetrainingRequested> requests() {
    return context.forwarded().stream().map(f -> f.record().value()).filter(RetrainingRequested.class::isInstance)
        .map(RetrainingRequested.class::cast).toList();
  }

  @Test
  void shouldReportAWindowOfServedPredictionsWithCbpesEstimateOnly() {
    PerformanceProcessor processor = started(counting(WINDOW));
    serve(processor, WINDOW - 1, 1);
    assertThat(reports(PerformanceWindowKind.PREDICTED)).isEmpty();

    serve(processor, 1, 1);

    PerformanceReported report = reports(PerformanceWindowKind.PREDICTED).get(0);
    assertThat(report.getModel()).isEqualTo(MODEL);
    assertThat(report.getVersion()).isEqualTo(1);
    assertThat(report.getWindow().getKind()).isEqualTo(WindowKind.COUNT);
    assertThat(report.getWindow().getSequence()).isZero();
    assertThat(report.getWindow().getPredictions()).isEqualTo(WINDOW);
    assertThat(report.getWindow().getStart()).isEqualTo(START);
    assertThat(report.getWindow().getEnd()).isEqualTo(START.plusMillis(WINDOW - 1));
    assertThat(report.getRealized()).isNull();
    // every prediction's served class calibrates to 0.9
    assertThat(report.getEstimated().getAccuracy().getValue()).isCloseTo(0.9, within(1e-12));
    assertThat(report.getExpected().getAccuracy()).isEqualTo(0.9);
    assertThat(report.getDropped()).isEmpty();
    assertThat(requests()).isEmpty();
    assertThat(meters.get("kloop.monitor.performance.accuracy").tags("model", MODEL, "version", "1", "source", "estimated").gauge().value())
        .isCloseTo(0.9, within(1e-12));
  }

  @Test
  void shouldReportALabelledWindowWithRealizedFiguresBesideTheEstimate() {
    PerformanceProcessor processor = started(counting(WINDOW));

    label(processor, WINDOW, 10, 1);

    assertThat(reports(PerformanceWindowKind.LABELLED)).hasSize(1);
    PerformanceReported report = reports(PerformanceWindowKind.LABELLED).get(0);
    assertThat(report.getRealized().getLabelled()).isEqualTo(WINDOW);
    assertThat(report.getRealized().getAccuracy().getValue()).as("9 of every 10 right").isEqualTo(0.9);
    assertThat(report.getEstimated().getAccuracy().getValue()).isCloseTo(0.9, within(1e-12));
    assertThat(report.getRealized().getConfusionMatrix().getCounts().stream().flatMap(List::stream).mapToLong(Long::longValue).sum())
        .isEqualTo(WINDOW);
    assertThat(report.getDropped()).isEmpty();
    assertThat(report.getReportId()).isEqualTo(report.getEventId());
    assertThat(requests()).isEmpty();
    assertThat(meters.get("kloop.monitor.performance.labelled.windows").tags("model", MODEL, "version", "1").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void shouldAskForRetrainingOnceWhenLabelledAccuracyDropsWithTheEvidence() {
    PerformanceProcessor processor = started(counting(WINDOW));

    label(processor, WINDOW, 2, 1); // half right: accuracy 0.5 against 0.9

    PerformanceReported report = reports(PerformanceWindowKind.LABELLED).get(0);
    assertThat(report.getRealized().getAccuracy().getValue()).isEqualTo(0.5);
    assertThat(report.getDropped()).containsExactly("accuracy", "macroF1");
    assertThat(requests()).singleElement().satisfies(request -> {
      assertThat(request.getReason()).isEqualTo(RetrainingReason.PERFORMANCE);
      assertThat(request.getModel()).isEqualTo(MODEL);
      assertThat(request.getRequestedBy()).isEqualTo("monitor-service");
      assertThat(request.getDriftReportId()).isNull();
      assertThat(request.getComment()).startsWith("accuracy 0.500 [").contains("labelled window 0 of version 1").endsWith("0.900 - tolerance 0.050");
      PerformanceEvidence evidence = request.getPerformanceEvidence();
      assertThat(evidence.getReportId()).isEqualTo(report.getReportId());
      assertThat(evidence.getVersion()).isEqualTo(1);
      assertThat(evidence.getWindow()).isEqualTo(report.getWindow());
      assertThat(evidence.getEstimated()).isFalse();
      assertThat(evidence.getMetric()).isEqualTo("accuracy");
      assertThat(evidence.getExpected()).isEqualTo(0.9);
      assertThat(evidence.getObserved()).isEqualTo(report.getRealized().getAccuracy());
      assertThat(evidence.getTolerance()).isEqualTo(0.05);
    });
    assertThat(driftModels.get(MODEL).lastRequestAt()).as("the model's last request, shared with drift").isEqualTo(START.toEpochMilli());

    label(processor, WINDOW, 2, 1);
    assertThat(reports(PerformanceWindowKind.LABELLED)).hasSize(2);
    assertThat(reports(PerformanceWindowKind.LABELLED).get(1).getDropped()).containsExactly("accuracy", "macroF1");
    assertThat(requests()).as("the same episode").hasSize(1);
    assertThat(meters.counter("kloop.monitor.performance.retraining.requests").count()).isEqualTo(1.0);
  }

  @Test
  void shouldNotAskWithinTheCooldownOfADriftRequest() {
    driftModels.put(MODEL, ModelDriftState.first(1).withLastRequestAt(START.minus(Duration.ofMinutes(1)).toEpochMilli()));
    PerformanceProcessor processor = started(counting(WINDOW));

    label(processor, WINDOW, 2, 1);

    assertThat(reports(PerformanceWindowKind.LABELLED).get(0).getDropped()).isNotEmpty();
    assertThat(requests()).isEmpty();
  }

  @Test
  void shouldNotAskForAnEstimatedDropUnlessConfigured() {
    // yes served at 0.45: calibrated, yes 0.45 -> 0.1 and no 0.55 -> 0.9, so the served class is right with 0.1
    approvals.add(approval(2, CALIBRATION));
    PerformanceProcessor processor = started(counting(WINDOW));
    for (int i = 0; i < WINDOW; i++) {
      processor.process(new Record<>(MODEL, new ServedPrediction(MODEL, 2, "q-" + i, "yes", Map.of("yes", 0.45, "no", 0.55), START.toEpochMilli()),
          START.toEpochMilli()));
    }

    PerformanceReported report = reports(PerformanceWindowKind.PREDICTED).get(0);
    assertThat(report.getEstimated().getAccuracy().getValue()).as("yes 0.45 -> 0.1, no 0.55 -> 0.9").isCloseTo(0.1, within(1e-12));
    assertThat(report.getDropped()).containsExactly("accuracy", "macroF1");
    assertThat(requests()).isEmpty();
  }

  @Test
  void shouldContinueItsWindowsFromTheStoresWhenInitialisedAgain() {
    PerformanceProcessor first = started(counting(WINDOW));
    label(first, 60, 10, 1); // 6 wrong of 60
    serve(first, 70, 1);

    PerformanceProcessor again = started(counting(WINDOW));
    label(again, 40, 5, 1); // 8 wrong of 40
    serve(again, 30, 1);

    assertThat(reports(PerformanceWindowKind.LABELLED)).singleElement().satisfies(report -> {
      assertThat(report.getWindow().getPredictions()).isEqualTo(WINDOW);
      assertThat(report.getRealized().getAccuracy().getValue()).as("(54 + 32) of 100").isEqualTo(0.86);
    });
    assertThat(reports(PerformanceWindowKind.PREDICTED)).singleElement().satisfies(report -> {
      assertThat(report.getWindow().getPredictions()).isEqualTo(WINDOW);
      assertThat(report.getWindow().getSequence()).isZero();
    });
    label(again, WINDOW, 10, 1);
    assertThat(reports(PerformanceWindowKind.LABELLED)).hasSize(2);
    assertThat(reports(PerformanceWindowKind.LABELLED).get(1).getWindow().getSequence()).isEqualTo(1);
    assertThat(reports(PerformanceWindowKind.LABELLED).get(1).getRealized().getAccuracy().getValue()).isEqualTo(0.9);
  }

  @Test
  void shouldCloseTimeWindowsByTheClock() {
    MonitorProperties.PerformanceWindow time = new MonitorProperties.PerformanceWindow("time", 500, Duration.ofMinutes(1), 20);
    PerformanceProcessor processor = started(new MonitorProperties.Performance(time, time, 0.05, List.of("accuracy"), false, 200, 24, 3));
    serve(processor, 30, 1);
    context.setCurrentSystemTimeMs(START.plus(Duration.ofSeconds(59)).toEpochMilli());
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(context.currentSystemTimeMs());
    assertThat(reports(PerformanceWindowKind.PREDICTED)).isEmpty();

    context.setCurrentSystemTimeMs(START.plus(Duration.ofSeconds(60)).toEpochMilli());
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(context.currentSystemTimeMs());

    assertThat(reports(PerformanceWindowKind.PREDICTED)).singleElement().satisfies(report -> {
      assertThat(report.getWindow().getKind()).isEqualTo(WindowKind.TIME);
      assertThat(report.getWindow().getPredictions()).isEqualTo(30);
    });
  }

  @Test
  void shouldJudgeExpiredTimeWindowsWithinABudgetPerPunctuationTheEarliestOpenedFirst() {
    for (int version = 2; version <= 3; version++) {
      approvals.add(approval(version, CALIBRATION));
    }
    MonitorProperties.PerformanceWindow time = new MonitorProperties.PerformanceWindow("time", 500, Duration.ofMinutes(1), 20);
    MonitorProperties properties = new MonitorProperties(new MonitorProperties.Window("count", 1000, Duration.ofMinutes(1), 100),
        new MonitorProperties.Drift(0.05, 0.1, 0.1, 0.5, true), new MonitorProperties.Retraining(true, Duration.ofMinutes(10), 3), 50,
        MonitorProperties.GroundTruth.DEFAULTS, new MonitorProperties.Performance(time, time, 0.05, List.of("accuracy"), false, 200, 24, 3));
    // Each reading of this clock is 150 ms after the one before: the budget of 200 ms is spent after the second window.
    long[] nanos = {0};
    PerformanceProcessor processor = new PerformanceProcessor(properties, approvals, meters, gauges, KloopTracing.OFF,
        () -> nanos[0] += Duration.ofMillis(150).toNanos());
    processor.init(context);
    // labelled windows opened one second apart: version 2 first, then 1, then 3
    int[] openedInOrder = {2, 1, 3};
    for (int s = 0; s < openedInOrder.length; s++) {
      context.setCurrentSystemTimeMs(START.plusSeconds(s).toEpochMilli());
      label(processor, 30, 10, openedInOrder[s]);
    }
    assertThat(reports(PerformanceWindowKind.LABELLED)).isEmpty();

    context.setCurrentSystemTimeMs(START.plusSeconds(62).toEpochMilli());
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(context.currentSystemTimeMs());

    assertThat(reports(PerformanceWindowKind.LABELLED)).as("two windows judged, the third left for the next second")
        .extracting(PerformanceReported::getVersion).containsExactly(2, 1);

    context.setCurrentSystemTimeMs(START.plusSeconds(63).toEpochMilli());
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(context.currentSystemTimeMs());

    assertThat(reports(PerformanceWindowKind.LABELLED)).extracting(PerformanceReported::getVersion).containsExactly(2, 1, 3);
    assertThat(reports(PerformanceWindowKind.LABELLED)).allSatisfy(report -> {
      assertThat(report.getWindow().getSequence()).isZero();
      assertThat(report.getWindow().getPredictions()).isEqualTo(30);
    });

    context.setCurrentSystemTimeMs(START.plusSeconds(64).toEpochMilli());
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(context.currentSystemTimeMs());
    assertThat(reports(PerformanceWindowKind.LABELLED)).as("each window judged once").hasSize(3);
  }

  @Test
  void shouldCountAndSkipWhatItCannotMeasure() {
    PerformanceProcessor processor = started(counting(WINDOW));

    processor.process(new Record<>(MODEL, "not a prediction", START.toEpochMilli()));
    processor.process(new Record<>("someone-else", prediction(1), START.toEpochMilli()));
    processor.process(new Record<>(MODEL, new ServedPrediction(MODEL, 1, "x", "maybe", Map.of("yes", 0.5, "no", 0.5), 0), START.toEpochMilli()));
    processor.process(new Record<>(MODEL, new ServedPrediction(MODEL, 1, "y", "yes", Map.of("yes", 0.5), 0), START.toEpochMilli()));
    processor.process(new Record<>(MODEL, prediction(7), START.toEpochMilli()));

    assertThat(meters.counter("kloop.monitor.performance.ignored").count()).isEqualTo(4.0);
    assertThat(meters.counter("kloop.monitor.performance.skipped", "reason", "unapproved").count()).isEqualTo(1.0);
    assertThat(context.forwarded()).isEmpty();
  }

  @Test
  void shouldNoteThatAVersionWithoutCalibrationIsNotEstimated() {
    approvals.add(approval(3, null));
    PerformanceProcessor processor = started(counting(WINDOW));

    serve(processor, WINDOW, 3);

    PerformanceReported report = reports(PerformanceWindowKind.PREDICTED).get(0);
    assertThat(report.getEstimated()).isNull();
    assertThat(report.getNotes()).singleElement().asString().contains("no estimate").contains("no calibration");
  }

  @Test
  void shouldGiveNoEstimateButANoteForACalibrationItCannotApply() {
    // Version 4's maps are the classes' in the other order: applied by position, "no" would go through "yes"'s steps
    // and the estimate would be silently wrong. Version 5's "yes" map has one value for two thresholds: reading the
    // second step would throw inside the stream thread, in every restart again.
    approvals.add(approval(4, Calibration.newBuilder().setMethod("isotonic").setRows(1000).setClasses(List.of(
        ClassCalibration.newBuilder().setLabel("yes").setThresholds(List.of(0.0, 0.5)).setValues(List.of(0.1, 0.9)).build(),
        ClassCalibration.newBuilder().setLabel("no").setThresholds(List.of(0.0, 0.5)).setValues(List.of(0.3, 0.7)).build())).build()));
    approvals.add(approval(5, Calibration.newBuilder().setMethod("isotonic").setRows(1000).setClasses(List.of(
        ClassCalibration.newBuilder().setLabel("no").setThresholds(List.of(0.0, 0.5)).setValues(List.of(0.1, 0.9)).build(),
        ClassCalibration.newBuilder().setLabel("yes").setThresholds(List.of(0.0, 0.5)).setValues(List.of(0.1)).build())).build()));
    PerformanceProcessor processor = started(counting(WINDOW));

    serve(processor, WINDOW, 4);
    label(processor, WINDOW, 10, 4);
    serve(processor, WINDOW, 5);
    label(processor, WINDOW, 10, 5);

    assertThat(reports(PerformanceWindowKind.PREDICTED)).hasSize(2);
    assertThat(reports(PerformanceWindowKind.LABELLED)).hasSize(2);
    for (PerformanceReported report : context.forwarded().stream().map(f -> f.record().value()).filter(PerformanceReported.class::isInstance)
        .map(PerformanceReported.class::cast).toList()) {
      assertThat(report.getEstimated()).isNull();
      String why = report.getVersion() == 4 ? "its map 0 is of class yes, not no (the classes' order)" : "the map of class yes has 1 values for 2 thresholds";
      assertThat(report.getNotes()).singleElement().asString()
          .isEqualTo("no estimate: version " + report.getVersion() + "'s calibration cannot be applied: " + why);
    }
    PerformanceReported labelled = reports(PerformanceWindowKind.LABELLED).get(1);
    assertThat(labelled.getRealized().getAccuracy().getValue()).as("realized figures do not need the calibration").isEqualTo(0.9);
  }

  @Test
  void shouldCloseAnOlderVersionsServedWindowWhenANewerTakesOverAndKeepLabelledWindowsOfBoth() {
    approvals.add(approval(2, CALIBRATION));
    PerformanceProcessor processor = started(counting(WINDOW));
    serve(processor, 30, 1);
    label(processor, 30, 10, 1);

    serve(processor, 1, 2);
    assertThat(reports(PerformanceWindowKind.PREDICTED)).singleElement().satisfies(report -> {
      assertThat(report.getVersion()).isEqualTo(1);
      assertThat(report.getWindow().getPredictions()).isEqualTo(30);
      assertThat(report.getNotes()).contains("window closed early: version 2 took over");
    });

    label(processor, 10, 10, 2);
    label(processor, 70, 10, 1);
    assertThat(reports(PerformanceWindowKind.LABELLED)).as("version 1's late labels fill its own window").singleElement()
        .satisfies(report -> assertThat(report.getVersion()).isEqualTo(1));
  }

  @Test
  void shouldCloseTheLeastRecentlyUsedVersionsLabelledWindowToMakeRoom() {
    for (int version = 2; version <= 4; version++) {
      approvals.add(approval(version, CALIBRATION));
    }
    MonitorProperties.PerformanceWindow window = new MonitorProperties.PerformanceWindow("count", WINDOW, Duration.ofMinutes(1), 20);
    PerformanceProcessor processor = started(new MonitorProperties.Performance(window, window, 0.05, List.of("accuracy"), false, 200, 24, 2));
    label(processor, 25, 10, 1);
    label(processor, 10, 10, 2);
    assertThat(reports(PerformanceWindowKind.LABELLED)).isEmpty();

    label(processor, 1, 10, 3);

    assertThat(reports(PerformanceWindowKind.LABELLED)).singleElement().satisfies(report -> {
      assertThat(report.getVersion()).isEqualTo(1);
      assertThat(report.getWindow().getPredictions()).isEqualTo(25);
      assertThat(report.getNotes()).contains("window closed early: closed to make room for version 3");
    });
    label(processor, 1, 10, 4);
    assertThat(reports(PerformanceWindowKind.LABELLED)).as("version 2's 10 labels are fewer than the 20 a window needs").hasSize(1);
  }
}
