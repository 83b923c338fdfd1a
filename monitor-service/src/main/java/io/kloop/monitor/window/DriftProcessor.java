package io.kloop.monitor.window;

import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.DriftWindow;
import io.kloop.events.ModelApproved;
import io.kloop.events.PredictionLogged;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.WindowKind;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.monitor.ModelNames;
import io.kloop.monitor.drift.DriftAnalyzer;
import io.kloop.monitor.drift.DriftAssessment;
import io.kloop.monitor.drift.DriftSettings;
import io.kloop.monitor.drift.DriftWindowAccumulator;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import io.kloop.service.kafka.StreamsDeadLetters;
import io.kloop.schemas.Topics;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
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
 * {@code RetrainingRequested} per drift episode. A prediction of a newer version closes the old version's
 * window (judged if it holds enough predictions) and opens one for the new version, as does the champion's
 * when the model was rolled back to an older version; other older versions' predictions arriving late are
 * counted and skipped.
 *
 * <p>Runs under exactly-once processing: the reports, requests, the model's state (window numbers, episode,
 * last request) and the input offsets commit together. An open window lives in memory only: when the
 * instance stops or its partitions move, the predictions of the open windows are not judged (the next
 * window starts with the next prediction read). Undecodable records go to the dead-letter topic.
 *
 * <p>Traces: a prediction whose record carries a sampled trace context is processed in a span continuing
 * that trace ({@code process mlops.inference.prediction-logged}), the last span of the prediction's trace.
 * Judging a window is a span of its own trace ({@code judge drift window}), linked to the prediction that
 * closed it; the reports and requests it emits carry its trace context.
 */
final class DriftProcessor implements Processor<String, byte[], String, Object> {

  private static final Logger log = LoggerFactory.getLogger(DriftProcessor.class);
  private static final Duration TIME_WINDOW_CHECK = Duration.ofSeconds(1);
  private static final String TRACEPARENT = "traceparent";
  /** Model versions without an approval whose predictions were logged as skipped (each once). */
  static final int MAX_UNKNOWN_VERSIONS = 10_000;
  /** The longest comment of a retraining request. */
  static final int MAX_COMMENT = 500;

  private final MonitorProperties properties;
  private final ApprovedModels approvals;
  private final DriftAnalyzer analyzer = new DriftAnalyzer();
  private final DriftSettings settings;
  private final EventDeserializer<PredictionLogged> decoder = new EventDeserializer<>(PredictionLogged.class);
  private final Map<String, OpenWindow> open = new HashMap<>();
  private final Set<String> unknownVersions = new HashSet<>();
  private final Counter judged;
  private final Counter skipped;
  private final DriftGauges gauges;
  private final KloopTracing tracing;
  /** The span of the window being judged, whose context the emitted events carry. */
  private Span judging = Span.getInvalid();

  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ModelDriftState> models;
  private KeyValueStore<String, DriftReported> reports;

  /** A model's window being filled. */
  private record OpenWindow(ModelApproved approval, DriftWindowAccumulator predictions, long openedAt) {}

  DriftProcessor(MonitorProperties properties, ApprovedModels approvals, MeterRegistry meters, DriftGauges gauges, KloopTracing tracing) {
    this.properties = properties;
    this.approvals = approvals;
    this.settings = properties.drift().settings();
    this.judged = meters.counter("kloop.monitor.windows.judged");
    this.skipped = meters.counter("kloop.monitor.predictions.skipped");
    this.gauges = gauges;
    this.tracing = tracing;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    // A processor can be closed and initialised again (a task revived after an unclean close): the records
    // of the windows that were open are read again from the last commit.
    open.clear();
    models = context.getStateStore(MonitorStores.MODELS);
    reports = context.getStateStore(MonitorStores.REPORTS);
    if (!properties.window().byCount()) {
      context.schedule(TIME_WINDOW_CHECK, PunctuationType.WALL_CLOCK_TIME, this::closeExpiredWindows);
    }
  }

  @Override
  public void process(Record<String, byte[]> raw) {
    if (!tracing.enabled() || raw.headers().lastHeader(TRACEPARENT) == null) {
      judge(raw);
      return;
    }
    Span span = tracing.continueFrom("process " + Topics.PREDICTION_LOGGED.name(), SpanKind.CONSUMER, raw.headers());
    if (!span.isRecording()) {
      judge(raw);
      return;
    }
    RecordMetadata source = context.recordMetadata().orElseThrow();
    span.setAttribute("messaging.system", "kafka");
    span.setAttribute("messaging.destination.name", source.topic());
    span.setAttribute("messaging.operation.type", "process");
    span.setAttribute("messaging.destination.partition.id", String.valueOf(source.partition()));
    span.setAttribute("messaging.kafka.offset", source.offset());
    KloopTracing.within(span, () -> judge(raw));
  }

  private void judge(Record<String, byte[]> raw) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    PredictionLogged prediction;
    try {
      prediction = raw.value() == null ? null : decoder.deserialize(source.topic(), raw.value());
    } catch (EventDecodingException e) {
      context.forward(StreamsDeadLetters.of(raw, source, e.getMessage()));
      return;
    }
    if (prediction == null) {
      context.forward(StreamsDeadLetters.of(raw, source, "a record without a value (tombstone) is not a prediction"));
      return;
    }
    String model = prediction.getModel();
    Optional<String> badName = ModelNames.problem(model);
    if (badName.isPresent()) {
      context.forward(StreamsDeadLetters.of(raw, source, badName.get()));
      return;
    }
    if (!model.equals(raw.key())) {
      // A model's windows and state live on the partition of its name: a prediction keyed otherwise would be judged apart.
      context.forward(StreamsDeadLetters.of(raw, source, "record key '" + raw.key() + "' must be the model name '" + model + "'"));
      return;
    }
    int version = prediction.getVersion();
    long eventTime = prediction.getEventTime().toEpochMilli();
    OpenWindow window = open.get(model);
    if (window != null && window.approval().getVersion() != version) {
      // A newer version, or an older one the model was rolled back to, takes over; any other older version's
      // predictions are late arrivals from before a swap.
      boolean takesOver = version > window.approval().getVersion() || approvals.champion(model).orElse(-1) == version;
      if (!takesOver) {
        skipped.increment();
        return;
      }
      close(model, window, "version " + version + " took over");
      window = null;
    }
    if (window != null && !properties.window().byCount()
        && eventTime - window.predictions().earliestEventTime().orElse(eventTime) >= properties.window().duration().toMillis()) {
      close(model, window, null);
      window = null;
    }
    if (window == null) {
      ModelApproved approval = approvals.get(model, version).orElse(null);
      if (approval == null) {
        if (unknownVersions.size() >= MAX_UNKNOWN_VERSIONS) {
          // Forgotten all at once, so the set stays bounded whatever versions predictions name; each is logged again at most once more.
          unknownVersions.clear();
        }
        if (unknownVersions.add(model + " " + version)) {
          log.warn("Predictions of model {} version {} are not judged: no approval of that version (with its reference profile) has been read",
              model, version);
        }
        skipped.increment();
        return;
      }
      window = new OpenWindow(approval, new DriftWindowAccumulator(approval.getReferenceProfile(), approval.getSignature().getOutputClasses()),
          System.currentTimeMillis());
      open.put(model, window);
    }
    try {
      window.predictions().add(eventTime, prediction.getInputs(), prediction.getPredictedClass(), prediction.getProbabilities());
    } catch (RuntimeException e) {
      context.forward(StreamsDeadLetters.of(raw, source, "cannot add the prediction to model " + model + " version " + version
          + "'s drift window: " + e));
      return;
    }
    if (properties.window().byCount() && window.predictions().count() >= properties.window().size()) {
      close(model, window, null);
    }
  }

  @Override
  public void close() {
    open.clear();
  }

  private void closeExpiredWindows(long now) {
    long duration = properties.window().duration().toMillis();
    for (Map.Entry<String, OpenWindow> entry : List.copyOf(open.entrySet())) {
      if (now - entry.getValue().openedAt() >= duration) {
        close(entry.getKey(), entry.getValue(), null);
      }
    }
  }

  /**
   * Judges a window (when it holds enough predictions) and emits its report and what follows from it.
   *
   * @param replaced why the window closes early (a newer version took over), or null
   */
  private void close(String model, OpenWindow window, String replaced) {
    if (!tracing.enabled()) {
      judgeWindow(model, window, replaced);
      return;
    }
    // Linked to the prediction that closed the window, if it is traced (a time window's punctuation has none).
    judging = tracing.linkedTo("judge drift window", SpanKind.INTERNAL, List.of(Span.current().getSpanContext()));
    judging.setAttribute("kloop.model", model);
    judging.setAttribute("kloop.model.version", window.approval().getVersion());
    judging.setAttribute("kloop.window.predictions", window.predictions().count());
    try {
      judgeWindow(model, window, replaced);
    } finally {
      judging.end();
      judging = Span.getInvalid();
    }
  }

  private void judgeWindow(String model, OpenWindow window, String replaced) {
    open.remove(model);
    ModelApproved approval = window.approval();
    DriftWindowAccumulator predictions = window.predictions();
    int count = predictions.count();
    boolean full = properties.window().byCount() && replaced == null;
    if (!full && count < properties.window().minPredictions()) {
      log.info("Model {} version {}: a window of {} prediction(s) closed ({}) and is not judged: fewer than {}", model, approval.getVersion(), count,
          replaced == null ? "time window over" : replaced, properties.window().minPredictions());
      return;
    }
    ModelDriftState state = models.get(model);
    int version = approval.getVersion();
    if (state == null) {
      state = ModelDriftState.first(version);
    } else if (version != state.version()) {
      // Another version serves (retrained, or rolled back to): whatever drift episode there was belongs to its
      // predecessor, and the new version's windows are numbered from 0.
      state = new ModelDriftState(version, 0, false, null, 0, state.lastRequestAt(), state.reports());
    }
    long sequence = state.nextSequence();
    DriftAssessment assessment;
    try {
      assessment = analyzer.assess(approval.getReferenceProfile(), predictions, settings);
    } catch (RuntimeException e) {
      log.error("Model {} version {}: window {} of {} predictions cannot be judged and is skipped", model, version, sequence, count, e);
      return;
    }
    judged.increment();
    Instant now = Instant.now();
    // Reports are numbered per model across versions, so ids and store keys never repeat (not even after a rollback).
    long number = state.reports();
    String reportId = UUID.nameUUIDFromBytes((model + "\0" + number).getBytes(StandardCharsets.UTF_8)).toString();
    DriftWindow span = DriftWindow.newBuilder()
        .setKind(properties.window().byCount() ? WindowKind.COUNT : WindowKind.TIME)
        .setSequence(sequence)
        .setStart(Instant.ofEpochMilli(predictions.earliestEventTime().orElse(now.toEpochMilli())))
        .setEnd(Instant.ofEpochMilli(predictions.latestEventTime().orElse(now.toEpochMilli())))
        .setPredictions(count)
        .build();
    List<String> notes = new ArrayList<>(assessment.notes());
    if (replaced != null) {
      notes.add("window closed early: " + replaced);
    }
    DriftReported report = DriftReported.newBuilder()
        .setEventId(reportId).setEventTime(now).setProducer(MonitorServiceApplication.NAME)
        .setReportId(reportId).setModel(model).setVersion(version).setWindow(span)
        .setFeatures(assessment.statistics())
        .setDriftedFeatures(assessment.driftedFeatures())
        .setDriftedShare(assessment.driftedShare())
        .setShareThreshold(properties.drift().driftedShare())
        .setOutputDrifted(assessment.outputDrifted())
        .setDrifting(assessment.drifting())
        .setNotes(notes)
        .build();
    forward(model, report, now);
    remember(model, number, report);
    gauges.record(report);
    judging.setAttribute("kloop.drift.drifting", assessment.drifting());
    log.info("Model {} version {} window {} ({} predictions): {}; drifted features {} of {} ({}), output {}", model, version, sequence, count,
        assessment.drifting() ? "DRIFTING" : "no drift", assessment.driftedFeatures().size(), assessment.featureVerdicts().size(),
        assessment.driftedFeatures(), assessment.outputDrifted() ? "drifted" : "stable");
    state = assessment.drifting() ? drifting(model, state, report, now) : steady(model, state);
    models.put(model, new ModelDriftState(version, sequence + 1, state.episodeOpen(), state.episodeReportId(), state.cleanWindows(),
        state.lastRequestAt(), number + 1));
  }

  /** A drifting window: DriftDetected, and a retraining request when it starts an episode and the cooldown allows. */
  private ModelDriftState drifting(String model, ModelDriftState state, DriftReported report, Instant now) {
    forward(model, DriftDetected.newBuilder()
        .setEventId(UUID.nameUUIDFromBytes(("detected\0" + report.getReportId()).getBytes(StandardCharsets.UTF_8)).toString())
        .setEventTime(now).setProducer(MonitorServiceApplication.NAME)
        .setReportId(report.getReportId()).setModel(model).setVersion(report.getVersion()).setWindow(report.getWindow())
        .setFeatures(report.getFeatures()).setDriftedShare(report.getDriftedShare()).setShareThreshold(report.getShareThreshold())
        .setOutputDrifted(report.getOutputDrifted())
        .build(), now);
    MonitorProperties.Retraining retraining = properties.retraining();
    boolean cooledDown = state.lastRequestAt() == null || now.toEpochMilli() - state.lastRequestAt() >= retraining.cooldown().toMillis();
    if (state.episodeOpen() && !cooledDown) {
      // The episode's request was made; more drift is the same episode.
      return new ModelDriftState(state.version(), state.nextSequence(), true, state.episodeReportId(), 0, state.lastRequestAt(), state.reports());
    }
    if (state.episodeOpen()) {
      // Drift outlasted the cooldown on the same version (retraining failed, or its model was not approved): a new episode.
      log.info("Model {}: still drifting a cooldown ({}) after the request of episode {}; a new episode starts", model, retraining.cooldown(),
          state.episodeReportId());
    }
    if (!retraining.enabled()) {
      return state;
    }
    if (!cooledDown) {
      log.info("Model {} is drifting (report {}); no retraining request before {} (cooldown {} since the last one)", model, report.getReportId(),
          Instant.ofEpochMilli(state.lastRequestAt()).plus(retraining.cooldown()), retraining.cooldown());
      return state;
    }
    String comment = comment(report);
    forward(model, RetrainingRequested.newBuilder()
        .setEventId(UUID.nameUUIDFromBytes(("retrain\0" + report.getReportId()).getBytes(StandardCharsets.UTF_8)).toString())
        .setEventTime(now).setProducer(MonitorServiceApplication.NAME)
        .setModel(model).setReason(RetrainingReason.DRIFT).setDriftReportId(report.getReportId())
        .setRequestedBy(MonitorServiceApplication.NAME).setComment(comment)
        .build(), now);
    log.info("Model {}: drift episode starts (report {}); retraining requested: {}", model, report.getReportId(), comment);
    return new ModelDriftState(state.version(), state.nextSequence(), true, report.getReportId(), 0, now.toEpochMilli(), state.reports());
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

  /** A window without drift: counts towards the end of an open episode. */
  private ModelDriftState steady(String model, ModelDriftState state) {
    if (!state.episodeOpen()) {
      return state;
    }
    int clean = state.cleanWindows() + 1;
    if (clean >= properties.retraining().clearWindows()) {
      log.info("Model {}: drift episode of report {} over after {} window(s) without drift", model, state.episodeReportId(), clean);
      return new ModelDriftState(state.version(), state.nextSequence(), false, null, 0, state.lastRequestAt(), state.reports());
    }
    return new ModelDriftState(state.version(), state.nextSequence(), true, state.episodeReportId(), clean, state.lastRequestAt(), state.reports());
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

  private void forward(String model, Object event, Instant now) {
    Record<String, Object> record = new Record<>(model, event, now.toEpochMilli());
    tracing.inject(judging, record.headers());
    context.forward(record);
  }
}
