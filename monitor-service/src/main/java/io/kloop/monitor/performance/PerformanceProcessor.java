package io.kloop.monitor.performance;

import io.kloop.events.DriftWindow;
import io.kloop.events.ModelApproved;
import io.kloop.events.PerformanceEvidence;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.WindowKind;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.monitor.truth.LabelledPrediction;
import io.kloop.monitor.truth.ServedPrediction;
import io.kloop.monitor.window.ApprovedModels;
import io.kloop.monitor.window.MonitorStores;
import io.kloop.monitor.window.ModelDriftState;
import io.kloop.schemas.EventMetadata;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.apache.avro.data.RecordBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live performance per model version, in two series of windows: labelled predictions ({@link LabelledPrediction},
 * in the order their labels arrive) with realized figures and CBPE's estimate beside them, and every served
 * prediction ({@link ServedPrediction}) with CBPE's estimate. Each closed window is a {@code PerformanceReported};
 * a drop in a window that can ask ({@link PerformanceEpisodes}) is at most one {@code RetrainingRequested}
 * (reason {@code PERFORMANCE}) per episode, under the model's retraining cooldown shared with drift.
 *
 * <p>Fed by the ground-truth join within the same stream task, keyed by model; anything else is counted
 * ({@code kloop.monitor.performance.ignored}) and logged. Everything lives in the stores of
 * {@link PerformanceStores#NAMES} and commits with the input offsets and the emitted events (exactly-once), so a
 * restart loses no prediction of an open window and counts none twice. Time is the processor's clock; time windows
 * are also closed by a wall-clock punctuation every second, which judges for at most {@link #PUNCTUATION_BUDGET}
 * and leaves the rest, the earliest opened first, to the next ones.
 *
 * <p>Judging a window is a span of its own trace ({@code judge performance window}), linked to the span current
 * when the window closed (the prediction or label that closed it, if traced); the events carry its context.
 */
public final class PerformanceProcessor implements Processor<String, Object, String, Object> {

  private static final Logger log = LoggerFactory.getLogger(PerformanceProcessor.class);
  private static final Duration TIME_WINDOW_CHECK = Duration.ofSeconds(1);
  /**
   * How long one punctuation goes on judging expired time windows (at least one is judged each time): the rest wait
   * for the next second, so that many windows over at once, each judged in up to a second or so, cannot outlast the
   * exactly-once transaction.
   */
  static final Duration PUNCTUATION_BUDGET = Duration.ofMillis(200);
  /** Model versions without an approval told in the log (each once), at most this many remembered. */
  static final int MAX_UNKNOWN_VERSIONS = 10_000;

  private final MonitorProperties properties;
  private final ApprovedModels approvals;
  private final PerformanceJudge judge;
  private final PerformanceEpisodes episodes;
  private final PerformanceGauges gauges;
  private final KloopTracing tracing;
  private final Counter ignored;
  private final Counter requests;
  private final MeterRegistry meters;
  private final Set<String> unknownVersions = new HashSet<>();
  private final Set<String> unusableCalibrations = new HashSet<>();
  private final LongSupplier nanoTime;

  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ModelDriftState> models;
  private KeyValueStore<String, PerformanceState> states;
  private KeyValueStore<String, PerformanceReported> reports;
  private PerformanceWindows windows;

  /**
   * @param properties the monitor's settings: {@code performance}, {@code retraining} and {@code recent-reports}
   * @param approvals every approval read, with each version's classes, test-split figures and calibration
   * @param meters the registry of the counters
   * @param gauges the gauges, one instance for all the processor's tasks
   * @param tracing the service's tracing
   */
  public PerformanceProcessor(MonitorProperties properties, ApprovedModels approvals, MeterRegistry meters, PerformanceGauges gauges,
      KloopTracing tracing) {
    this(properties, approvals, meters, gauges, tracing, System::nanoTime);
  }

  /** @param nanoTime the time source measuring a punctuation's judging against {@link #PUNCTUATION_BUDGET} */
  PerformanceProcessor(MonitorProperties properties, ApprovedModels approvals, MeterRegistry meters, PerformanceGauges gauges,
      KloopTracing tracing, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.properties = properties;
    this.approvals = approvals;
    this.judge = new PerformanceJudge(properties.performance());
    this.episodes = new PerformanceEpisodes(properties.retraining(), properties.performance().estimatedTrigger());
    this.gauges = gauges;
    this.tracing = tracing;
    this.meters = meters;
    this.ignored = meters.counter("kloop.monitor.performance.ignored");
    this.requests = meters.counter("kloop.monitor.performance.retraining.requests");
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    unknownVersions.clear();
    unusableCalibrations.clear();
    models = context.getStateStore(MonitorStores.MODELS);
    states = context.getStateStore(PerformanceStores.MODELS);
    reports = context.getStateStore(PerformanceStores.REPORTS);
    MonitorProperties.Performance settings = properties.performance();
    Map<PerformanceWindowKind, WindowRules> rules = new EnumMap<>(PerformanceWindowKind.class);
    rules.put(PerformanceWindowKind.LABELLED, new WindowRules(settings.labelled(), settings.versions()));
    rules.put(PerformanceWindowKind.PREDICTED, new WindowRules(settings.predicted(), settings.versions()));
    windows = new PerformanceWindows(context.getStateStore(PerformanceStores.WINDOWS), context.getStateStore(PerformanceStores.ITEMS), rules);
    if (!settings.labelled().byCount() || !settings.predicted().byCount()) {
      context.schedule(TIME_WINDOW_CHECK, PunctuationType.WALL_CLOCK_TIME, this::closeExpired);
    }
  }

  /**
   * Closes and judges the time windows over at {@code now}, the earliest opened first, until
   * {@link #PUNCTUATION_BUDGET} is spent; those left are still over at the next punctuation and closed then, in turn.
   */
  private void closeExpired(long now) {
    List<String> over = windows.expired(now);
    long start = nanoTime.getAsLong();
    int done = 0;
    for (String key : over) {
      if (done > 0 && nanoTime.getAsLong() - start >= PUNCTUATION_BUDGET.toNanos()) {
        log.info("{} expired performance window(s) left for the next punctuation: {} judged in {} ms", over.size() - done, done,
            (nanoTime.getAsLong() - start) / 1_000_000);
        return;
      }
      windows.closeIfExpired(key, now).ifPresent(this::closed);
      done++;
    }
  }

  @Override
  public void process(Record<String, Object> record) {
    Object value = record.value();
    if (value instanceof ServedPrediction served) {
      add(record.key(), PerformanceWindowKind.PREDICTED, served, null);
    } else if (value instanceof LabelledPrediction labelled) {
      add(record.key(), PerformanceWindowKind.LABELLED, labelled.prediction(), labelled.trueLabel());
    } else {
      ignore(record.key(), "it is no served or labelled prediction (" + (value == null ? "null" : value.getClass().getName()) + ")");
    }
  }

  private void add(String key, PerformanceWindowKind kind, ServedPrediction prediction, String trueLabel) {
    if (prediction == null || !prediction.model().equals(key)) {
      ignore(key, "its prediction is not of the model it is keyed by");
      return;
    }
    Optional<ModelApproved> approval = approvals.get(prediction.model(), prediction.version());
    if (approval.isEmpty()) {
      unapproved(prediction);
      return;
    }
    byte[] item;
    try {
      item = encode(approval.get().getSignature().getOutputClasses(), prediction, trueLabel);
    } catch (IllegalArgumentException e) {
      ignore(key, e.getMessage());
      return;
    }
    windows.add(prediction.model(), kind, prediction.version(), prediction.predictedAt(), item, now().toEpochMilli()).forEach(this::closed);
  }

  /** A prediction by class index in the signature's order; refused when a class is unknown or a probability missing. */
  static byte[] encode(List<String> classes, ServedPrediction prediction, String trueLabel) {
    int predicted = classes.indexOf(prediction.predictedClass());
    int truth = trueLabel == null ? -1 : classes.indexOf(trueLabel);
    if (predicted < 0 || trueLabel != null && truth < 0) {
      throw new IllegalArgumentException("its " + (predicted < 0 ? "predicted" : "true") + " class is none of version " + prediction.version()
          + "'s " + classes.size() + " classes");
    }
    double[] probabilities = new double[classes.size()];
    for (int c = 0; c < probabilities.length; c++) {
      Double p = prediction.probabilities() == null ? null : prediction.probabilities().get(classes.get(c));
      if (p == null || !Double.isFinite(p) || p < 0 || p > 1) {
        throw new IllegalArgumentException("it has no probability in [0, 1] for class " + c + " of version " + prediction.version());
      }
      probabilities[c] = p;
    }
    return WindowItems.encode(truth, predicted, probabilities);
  }

  private void unapproved(ServedPrediction prediction) {
    meters.counter("kloop.monitor.performance.skipped", "reason", "unapproved").increment();
    if (unknownVersions.size() >= MAX_UNKNOWN_VERSIONS) {
      unknownVersions.clear();
    }
    if (unknownVersions.add(prediction.model() + " " + prediction.version())) {
      log.warn("Predictions of model {} version {} are not measured: no approval of that version (with its classes and test figures) has been read",
          prediction.model(), prediction.version());
    }
  }

  /** Tells the log, once per version (at most {@link #MAX_UNKNOWN_VERSIONS} remembered), that its calibration is unusable. */
  private void unusableCalibration(String model, int version, String problem) {
    if (unusableCalibrations.size() >= MAX_UNKNOWN_VERSIONS) {
      unusableCalibrations.clear();
    }
    if (unusableCalibrations.add(model + " " + version)) {
      log.warn("Model {} version {}: no performance estimate, its calibration cannot be applied: {}", model, version, problem);
    }
  }

  private void ignore(String key, String why) {
    ignored.increment();
    log.warn("Ignoring a record keyed {} for the performance windows: {}", key, why);
  }

  /** A closed window: reported in a span of its own when it holds enough predictions, otherwise only logged. */
  private void closed(PerformanceWindows.Closed closed) {
    if (!closed.reported()) {
      log.info("Model {} version {}: a {} window of {} prediction(s) closed ({}) and is not reported: fewer than needed", closed.model(),
          closed.version(), closed.kind().name().toLowerCase(Locale.ROOT), closed.window().count(), closed.early() == null ? "time over" : closed.early());
      return;
    }
    if (!tracing.enabled()) {
      report(closed);
      return;
    }
    Span judging = tracing.linkedTo("judge performance window", SpanKind.INTERNAL, List.of(Span.current().getSpanContext()));
    judging.setAttribute("kloop.model", closed.model());
    judging.setAttribute("kloop.model.version", closed.version());
    judging.setAttribute("kloop.window.kind", closed.kind().name());
    judging.setAttribute("kloop.window.predictions", closed.window().count());
    KloopTracing.within(judging, () -> report(closed));
  }

  /** Judges the window, emits its report and, if it asks, the retraining request. */
  private void report(PerformanceWindows.Closed closed) {
    String model = closed.model();
    Optional<ModelApproved> approval = approvals.get(model, closed.version());
    if (approval.isEmpty()) {
      log.warn("Model {} version {}: the approval is gone; a window is not reported", model, closed.version());
      return;
    }
    List<String> classes = approval.get().getSignature().getOutputClasses();
    WindowData data = data(classes, closed);
    long seed = Seeds.of(properties.performance().seed(), model, closed.version(), closed.kind().name(), closed.window().sequence());
    PerformanceJudge.Judged judged = judge.judge(closed.kind(), approval.get(), data, seed);
    if (judged.unusableCalibration() != null) {
      unusableCalibration(model, closed.version(), judged.unusableCalibration());
    }
    PerformanceState state = Optional.ofNullable(states.get(model)).orElse(PerformanceState.FIRST);
    Instant now = now();
    PerformanceReported report = emitReport(closed, approval.get(), judged, state.reports(), now);
    remember(report, state.reports());
    gauges.record(report);
    log.info("Model {} version {} {} window {} ({} predictions): {}", model, closed.version(), closed.kind().name().toLowerCase(Locale.ROOT),
        closed.window().sequence(), data.size(), PerformanceComment.summary(report));
    PerformanceState next = state.withReports(state.reports() + 1);
    if (episodes.counts(closed.kind(), closed.version(), approvals.champion(model).orElse(null))) {
      ModelDriftState drift = models.get(model);
      PerformanceEpisodes.Decision decision = episodes.judged(next, closed.version(), !judged.drops().isEmpty(), report.getReportId(),
          drift == null ? null : drift.lastRequestAt(), now);
      decision.news().forEach(news -> log.info("Model {}: {}", model, news));
      if (decision.requestRetraining()) {
        requestRetraining(report, judged.drops().get(0));
        models.put(model, (drift == null ? ModelDriftState.first(closed.version()) : drift).withLastRequestAt(now.toEpochMilli()));
      }
      next = decision.next();
    }
    states.put(model, next);
  }

  private static WindowData data(List<String> classes, PerformanceWindows.Closed closed) {
    int n = closed.predictions().size();
    int[] truth = closed.kind() == PerformanceWindowKind.LABELLED ? new int[n] : null;
    int[] predicted = new int[n];
    double[][] probabilities = new double[n][];
    for (int i = 0; i < n; i++) {
      WindowItems.Item item = closed.predictions().get(i);
      if (truth != null) {
        truth[i] = item.truth();
      }
      predicted[i] = item.predicted();
      probabilities[i] = item.probabilities();
    }
    return new WindowData(classes, truth, predicted, probabilities);
  }

  private PerformanceReported emitReport(PerformanceWindows.Closed closed, ModelApproved approval, PerformanceJudge.Judged judged, long number,
      Instant now) {
    String model = closed.model();
    String reportId = derivedId("performance\0" + model + "\0" + closed.version() + "\0" + closed.kind() + "\0" + closed.window().sequence() + "\0" + number);
    MonitorProperties.PerformanceWindow settings = closed.kind() == PerformanceWindowKind.LABELLED ? properties.performance().labelled()
        : properties.performance().predicted();
    DriftWindow window = DriftWindow.newBuilder()
        .setKind(settings.byCount() ? WindowKind.COUNT : WindowKind.TIME)
        .setSequence(closed.window().sequence())
        .setStart(Instant.ofEpochMilli(closed.window().earliest()))
        .setEnd(Instant.ofEpochMilli(closed.window().latest()))
        .setPredictions(closed.predictions().size())
        .build();
    List<String> notes = new ArrayList<>(judged.notes());
    if (closed.early() != null) {
      notes.add("window closed early: " + closed.early());
    }
    return emit(model, reportId, PerformanceReported.newBuilder()
        .setReportId(reportId).setModel(model).setVersion(closed.version()).setKind(closed.kind()).setWindow(window)
        .setRealized(judged.realized()).setEstimated(judged.estimated()).setExpected(approval.getMetrics())
        .setDropped(judged.drops().stream().map(Drop::metric).toList())
        .setNotes(notes));
  }

  private void requestRetraining(PerformanceReported report, Drop drop) {
    PerformanceEvidence evidence = PerformanceEvidence.newBuilder()
        .setReportId(report.getReportId()).setVersion(report.getVersion()).setWindow(report.getWindow())
        .setEstimated(report.getKind() == PerformanceWindowKind.PREDICTED).setMetric(drop.metric()).setExpected(drop.expected())
        .setObserved(drop.observed()).setTolerance(judge.tolerance())
        .build();
    String comment = PerformanceComment.of(report, drop, judge.tolerance());
    emit(report.getModel(), derivedId("retrain\0" + report.getReportId()), RetrainingRequested.newBuilder()
        .setModel(report.getModel()).setReason(RetrainingReason.PERFORMANCE).setPerformanceEvidence(evidence)
        .setRequestedBy(MonitorServiceApplication.NAME).setComment(comment));
    requests.increment();
    log.info("Model {}: performance episode starts (report {}); retraining requested: {}", report.getModel(), report.getReportId(), comment);
  }

  /** Keeps the report for the HTTP API, and only the model's most recent ones of its kind. */
  private void remember(PerformanceReported report, long number) {
    String model = report.getModel();
    reports.put(PerformanceStores.reportKey(model, report.getKind(), number), report);
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, PerformanceReported> all = reports.prefixScan(PerformanceStores.prefix(model, report.getKind()),
        new StringSerializer())) {
      all.forEachRemaining(entry -> keys.add(entry.key));
    }
    for (int i = 0; i < keys.size() - properties.recentReports(); i++) {
      reports.delete(keys.get(i));
    }
  }

  /** Builds an event with metadata of now and emits it under {@code key}, carrying the current span's trace context. */
  private <T extends SpecificRecord> T emit(String key, String eventId, RecordBuilder<T> builder) {
    Instant now = now();
    T event = EventMetadata.of(eventId, now, MonitorServiceApplication.NAME).build(builder);
    Record<String, Object> record = new Record<>(key, event, now.toEpochMilli());
    tracing.inject(Span.current(), record.headers());
    context.forward(record);
    return event;
  }

  private Instant now() {
    return Instant.ofEpochMilli(context.currentSystemTimeMs());
  }

  private static String derivedId(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
