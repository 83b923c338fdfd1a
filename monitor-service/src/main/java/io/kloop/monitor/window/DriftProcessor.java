package io.kloop.monitor.window;

import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.DriftWindow;
import io.kloop.events.ModelApproved;
import io.kloop.events.PredictionLogged;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.WindowKind;
import io.kloop.monitor.ModelNames;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.monitor.drift.DriftAnalyzer;
import io.kloop.monitor.drift.DriftAssessment;
import io.kloop.monitor.drift.DriftSettings;
import io.kloop.monitor.drift.DriftWindowAccumulator;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import io.kloop.service.streams.EventProcessor;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges windows of predictions, per model version, against the version's reference profile.
 *
 * <p>Each model's predictions arrive on one partition, in order. A model's open window collects its
 * predictions in memory (primitive arrays, see {@link DriftWindowAccumulator}); when it is full (count
 * windows) or old enough (time windows), it is judged by {@link DriftAnalyzer}, and the monitor emits the
 * window's {@code DriftReported}, a {@code DriftDetected} when the model is drifting, and at most one
 * {@code RetrainingRequested} per drift episode. Which window a prediction goes to, and when a window closes,
 * is {@link OpenWindows}'s; what a judged window means for the model's drift episode is {@link DriftEpisodes}'.
 *
 * <p>Runs under exactly-once processing: the reports, requests, the model's state (window numbers, episode,
 * last request) and the input offsets commit together. An open window lives in memory only: when the
 * instance stops or its partitions move, the predictions of the open windows are not judged (the next
 * window starts with the next prediction read). Records that are not a prediction of a possible model, keyed
 * by its name, go to the dead-letter topic ({@link EventProcessor}).
 *
 * <p>Traces: a prediction whose record carries a sampled trace context is processed in a span continuing
 * that trace ({@code process mlops.inference.prediction-logged}), the last span of the prediction's trace.
 * Judging a window is a span of its own trace ({@code judge drift window}), linked to the prediction that
 * closed it, and current while the window is judged: the reports and requests emitted carry its context.
 */
final class DriftProcessor extends EventProcessor<PredictionLogged> {

  private static final Logger log = LoggerFactory.getLogger(DriftProcessor.class);
  private static final Duration TIME_WINDOW_CHECK = Duration.ofSeconds(1);
  /** The longest comment of a retraining request. */
  static final int MAX_COMMENT = 500;

  private final MonitorProperties properties;
  private final DriftAnalyzer analyzer = new DriftAnalyzer();
  private final DriftSettings settings;
  private final DriftEpisodes episodes;
  private final OpenWindows open;
  private final EventDeserializer<PredictionLogged> decoder = new EventDeserializer<>(PredictionLogged.class);
  private final Counter judged;
  private final Counter skipped;
  private final DriftGauges gauges;
  private final KloopTracing tracing;

  private KeyValueStore<String, ModelDriftState> models;
  private KeyValueStore<String, DriftReported> reports;

  DriftProcessor(MonitorProperties properties, ApprovedModels approvals, MeterRegistry meters, DriftGauges gauges, KloopTracing tracing) {
    super(new Shape(MonitorServiceApplication.NAME, new Keying("model", "model name", "a model's windows are judged together on one partition"),
        ConsumerSpan.CONTINUE, null, tracing));
    this.properties = properties;
    this.settings = properties.drift().settings();
    this.episodes = new DriftEpisodes(properties.retraining());
    this.open = new OpenWindows(properties.window(), approvals);
    this.judged = meters.counter("kloop.monitor.windows.judged");
    this.skipped = meters.counter("kloop.monitor.predictions.skipped");
    this.gauges = gauges;
    this.tracing = tracing;
  }

  @Override
  protected void opened(ProcessorContext<String, Object> context) {
    // A processor can be closed and initialised again (a task revived after an unclean close): the records
    // of the windows that were open are read again from the last commit.
    open.clear();
    models = context.getStateStore(MonitorStores.MODELS);
    reports = context.getStateStore(MonitorStores.REPORTS);
    if (!properties.window().byCount()) {
      context.schedule(TIME_WINDOW_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> open.expired(now).forEach(this::close));
    }
  }

  @Override
  protected PredictionLogged read(String topic, byte[] value) throws EventDecodingException {
    return decoder.deserialize(topic, value);
  }

  @Override
  protected Optional<String> problem(PredictionLogged prediction) {
    return ModelNames.problem(prediction.getModel());
  }

  @Override
  protected String key(PredictionLogged prediction) {
    return prediction.getModel();
  }

  @Override
  protected void handle(PredictionLogged prediction, Record<String, byte[]> raw) {
    String model = prediction.getModel();
    int version = prediction.getVersion();
    long eventTime = prediction.getEventTime().toEpochMilli();
    OpenWindows.Placement placement = open.place(model, version, eventTime, now().toEpochMilli());
    if (placement.closed() != null) {
      close(placement.closed());
    }
    if (placement.skip() != null) {
      if (placement.skip() == OpenWindows.Skip.UNAPPROVED_FIRST) {
        log.warn("Predictions of model {} version {} are not judged: no approval of that version (with its reference profile) has been read",
            model, version);
      }
      skipped.increment();
      return;
    }
    try {
      placement.window().predictions().add(eventTime, prediction.getInputs(), prediction.getPredictedClass(), prediction.getProbabilities());
    } catch (RuntimeException e) {
      deadLetter(raw, "unusable", "cannot add the prediction to model " + model + " version " + version + "'s drift window: " + e);
      return;
    }
    open.full(model).ifPresent(this::close);
  }

  @Override
  public void close() {
    open.clear();
  }

  /** Judges a closed window (when it holds enough predictions) in a span of its own, current while its events are emitted. */
  private void close(OpenWindows.Closed closed) {
    if (!tracing.enabled()) {
      judge(closed);
      return;
    }
    // Linked to the prediction that closed the window, if it is traced (a time window's punctuation has none).
    Span judging = tracing.linkedTo("judge drift window", SpanKind.INTERNAL, List.of(Span.current().getSpanContext()));
    judging.setAttribute("kloop.model", closed.model());
    judging.setAttribute("kloop.model.version", closed.window().version());
    judging.setAttribute("kloop.window.predictions", closed.window().predictions().count());
    KloopTracing.within(judging, () -> judge(closed));
  }

  /** Judges the window and emits its report and what follows from it. */
  private void judge(OpenWindows.Closed closed) {
    String model = closed.model();
    String replaced = closed.replaced();
    ModelApproved approval = closed.window().approval();
    DriftWindowAccumulator predictions = closed.window().predictions();
    int count = predictions.count();
    int version = approval.getVersion();
    if (!closed.judged()) {
      log.info("Model {} version {}: a window of {} prediction(s) closed ({}) and is not judged: fewer than {}", model, version, count,
          replaced == null ? "time window over" : replaced, properties.window().minPredictions());
      return;
    }
    ModelDriftState state = DriftEpisodes.judging(models.get(model), version);
    long sequence = state.nextSequence();
    DriftAssessment assessment;
    try {
      assessment = analyzer.assess(approval.getReferenceProfile(), predictions, settings);
    } catch (RuntimeException e) {
      log.error("Model {} version {}: window {} of {} predictions cannot be judged and is skipped", model, version, sequence, count, e);
      return;
    }
    judged.increment();
    Instant now = now();
    DriftReported report = report(closed, state, assessment, now);
    remember(model, state.reports(), report);
    gauges.record(report);
    Span.current().setAttribute("kloop.drift.drifting", assessment.drifting());
    log.info("Model {} version {} window {} ({} predictions): {}; drifted features {} of {} ({}), output {}", model, version, sequence, count,
        assessment.drifting() ? "DRIFTING" : "no drift", assessment.driftedFeatures().size(), assessment.featureVerdicts().size(),
        assessment.driftedFeatures(), assessment.outputDrifted() ? "drifted" : "stable");
    if (assessment.drifting()) {
      detected(report);
    }
    DriftEpisodes.Decision decision = episodes.judged(state, assessment.drifting(), report.getReportId().toString(), now);
    decision.news().forEach(news -> log.info("Model {}: {}", model, news));
    if (decision.requestRetraining()) {
      requestRetraining(report);
    }
    models.put(model, decision.next());
  }

  /** Emits the window's report, numbered per model across versions so ids and store keys never repeat (not even after a rollback). */
  private DriftReported report(OpenWindows.Closed closed, ModelDriftState state, DriftAssessment assessment, Instant now) {
    DriftWindowAccumulator predictions = closed.window().predictions();
    String reportId = derivedId(closed.model() + "\0" + state.reports());
    DriftWindow window = DriftWindow.newBuilder()
        .setKind(properties.window().byCount() ? WindowKind.COUNT : WindowKind.TIME)
        .setSequence(state.nextSequence())
        .setStart(Instant.ofEpochMilli(predictions.earliestEventTime().orElse(now.toEpochMilli())))
        .setEnd(Instant.ofEpochMilli(predictions.latestEventTime().orElse(now.toEpochMilli())))
        .setPredictions(predictions.count())
        .build();
    List<String> notes = new ArrayList<>(assessment.notes());
    if (closed.replaced() != null) {
      notes.add("window closed early: " + closed.replaced());
    }
    return emit(closed.model(), metadata(reportId), DriftReported.newBuilder()
        .setReportId(reportId).setModel(closed.model()).setVersion(closed.window().version()).setWindow(window)
        .setFeatures(assessment.statistics())
        .setDriftedFeatures(assessment.driftedFeatures())
        .setDriftedShare(assessment.driftedShare())
        .setShareThreshold(properties.drift().driftedShare())
        .setOutputDrifted(assessment.outputDrifted())
        .setDrifting(assessment.drifting())
        .setNotes(notes));
  }

  /** A drifting window: its DriftDetected. */
  private void detected(DriftReported report) {
    emit(report.getModel().toString(), metadata(derivedId("detected\0" + report.getReportId())), DriftDetected.newBuilder()
        .setReportId(report.getReportId()).setModel(report.getModel()).setVersion(report.getVersion()).setWindow(report.getWindow())
        .setFeatures(report.getFeatures()).setDriftedShare(report.getDriftedShare()).setShareThreshold(report.getShareThreshold())
        .setOutputDrifted(report.getOutputDrifted()));
  }

  /** The request of a drift episode that starts with this report. */
  private void requestRetraining(DriftReported report) {
    String comment = comment(report);
    emit(report.getModel().toString(), metadata(derivedId("retrain\0" + report.getReportId())), RetrainingRequested.newBuilder()
        .setModel(report.getModel()).setReason(RetrainingReason.DRIFT).setDriftReportId(report.getReportId())
        .setRequestedBy(MonitorServiceApplication.NAME).setComment(comment));
    log.info("Model {}: drift episode starts (report {}); retraining requested: {}", report.getModel(), report.getReportId(), comment);
  }

  private static String derivedId(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * The retraining request's comment: the window, the version and the drifted features, at most
   * {@value #MAX_COMMENT} characters (features that do not fit are counted; the report has them all).
   */
  static String comment(DriftReported report) {
    String head = "drift in window " + report.getWindow().getSequence() + " of version " + report.getVersion() + ": drifted features [";
    String tail = "]" + (report.getOutputDrifted() ? ", output drifted" : "");
    StringBuilder listed = new StringBuilder();
    List<? extends CharSequence> features = report.getDriftedFeatures();
    int shown = 0;
    for (CharSequence feature : features) {
      String more = "… and " + (features.size() - shown) + " more";
      String next = (shown == 0 ? "" : ", ") + feature;
      if (head.length() + listed.length() + next.length() + more.length() + tail.length() > MAX_COMMENT) {
        listed.append(shown == 0 ? "" : ", ").append(more);
        break;
      }
      listed.append(next);
      shown++;
    }
    return head + listed + tail;
  }

  /** Keeps the report for the HTTP API, and only the model's most recent ones. */
  private void remember(String model, long number, DriftReported report) {
    reports.put(MonitorStores.reportKey(model, number), report);
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, DriftReported> all = reports.prefixScan(MonitorStores.prefix(model), new StringSerializer())) {
      all.forEachRemaining(entry -> keys.add(entry.key));
    }
    for (int i = 0; i < keys.size() - properties.recentReports(); i++) {
      reports.delete(keys.get(i));
    }
  }
}
