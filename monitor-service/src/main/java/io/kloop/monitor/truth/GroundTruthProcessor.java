package io.kloop.monitor.truth;

import io.kloop.events.DataRecord;
import io.kloop.events.FeedbackOrigin;
import io.kloop.events.GroundTruthReported;
import io.kloop.events.PredictionLogged;
import io.kloop.monitor.ModelNames;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventMetadata;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.StreamsDeadLetters;
import io.kloop.service.streams.EventProcessor;
import io.kloop.service.tracing.KloopTracing;
import io.kloop.service.web.ClientText;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins served predictions ({@code mlops.inference.prediction-logged}) and their labels
 * ({@code mlops.monitor.ground-truth-reported}) by prediction id, by the rules of {@link GroundTruthJoin}, on the
 * task's stores ({@link TruthStores}). Both topics are keyed by model with the same partitions, so a model's
 * predictions and labels meet on one task.
 *
 * <p>For every new prediction it forwards a {@link ServedPrediction}, for every join a {@link LabelledPrediction},
 * and, when the model's spec wants feedback ({@link FeedbackSpecs}), a {@code DataRecord} of the model's dataset
 * whose record id and event id are derived from model and prediction id (a reprocessing makes the same record,
 * which ingest takes once). Labels that do not join are dead-lettered with the reason and counted
 * ({@code kloop.monitor.ground-truth{outcome}}). A prediction whose id no label can name ({@link TruthLimits}) is
 * dead-lettered by the join itself (the drift windows take it) and counted
 * ({@code kloop.monitor.ground-truth.predictions{outcome=invalid}}).
 *
 * <p>Expiry runs every {@code 100 ms} of the processor's clock, reading only the index entries that are due, in
 * batches of {@value #EXPIRY_BATCH} until none is due or {@code 100 ms} are spent ({@link Expiry}), so it takes at
 * most about half the stream thread's time when it is behind and never holds a transaction long.
 *
 * <p>Runs under exactly-once processing: the stores, what it emits and the input offsets commit together.
 */
public final class GroundTruthProcessor extends EventProcessor<SpecificRecord> {

  private static final Logger log = LoggerFactory.getLogger(GroundTruthProcessor.class);
  /** How often expiry looks for due entries: a look that finds none is one short index read. */
  static final Duration EXPIRY_CHECK = Duration.ofMillis(100);
  /** Time after which an expiry punctuation starts no further batch; the rest is for the next one. */
  static final Duration EXPIRY_BUDGET = Duration.ofMillis(100);
  /** Index entries expiry reads and ends at a time. */
  static final int EXPIRY_BATCH = 1_000;
  /** Models warned of having no spec, at most this many remembered (then forgotten and warned of again). */
  private static final int MAX_WARNED_MODELS = 1_000;
  /** The kind of the join's own dead letter of a prediction: one whose id no label can name. */
  static final String INVALID_PREDICTION = "invalid-prediction";
  /** How a feedback record's id starts. */
  public static final String FEEDBACK_RECORD_PREFIX = "feedback-";

  private final GroundTruthJoin join;
  private final MonitorProperties.GroundTruth settings;
  private final FeedbackSpecs specs;
  private final TruthMeters meters;
  private final Expiry expiry;
  private final Set<String> warnedNoSpec = new HashSet<>();
  private final EventDeserializer<PredictionLogged> predictions = new EventDeserializer<>(PredictionLogged.class);
  private final EventDeserializer<GroundTruthReported> labels = new EventDeserializer<>(GroundTruthReported.class);
  private JoinState state;

  public GroundTruthProcessor(MonitorProperties.GroundTruth settings, GroundTruthJoin.Classes classes, FeedbackSpecs specs, MeterRegistry meters,
      KloopTracing tracing) {
    super(new Shape(MonitorServiceApplication.NAME, new Keying("model", "model name", "a model's predictions and labels meet on one partition"),
        ConsumerSpan.CONTINUE, null, tracing));
    this.join = new GroundTruthJoin(settings, classes);
    this.settings = settings;
    this.specs = specs;
    this.meters = new TruthMeters(meters);
    this.expiry = new Expiry(join, EXPIRY_BATCH, EXPIRY_BUDGET, System::nanoTime);
  }

  @Override
  protected void opened(ProcessorContext<String, Object> context) {
    state = TruthStores.state(context);
    context.schedule(EXPIRY_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> expiry.run(now, state, step -> settle(step, null)));
  }

  @Override
  protected SpecificRecord read(String topic, byte[] value) throws EventDecodingException {
    return topic.equals(Topics.GROUND_TRUTH_REPORTED.name()) ? labels.deserialize(topic, value) : predictions.deserialize(topic, value);
  }

  @Override
  protected Optional<String> problem(SpecificRecord event) {
    if (event instanceof GroundTruthReported label) {
      return ModelNames.problem(label.getModel()).or(() -> TruthLimits.predictionIdProblem(label.getPredictionId()))
          .or(() -> TruthLimits.labelProblem(label.getLabel())).or(() -> TruthLimits.sourceProblem(label.getSource()))
          .or(() -> TruthLimits.observedTimeProblem(label.getObservedTime(), now()));
    }
    // Only what the drift windows refuse too: their dead letter is the prediction's (DriftOwnsPredictionDeadLetters).
    // The join's own refusals of a prediction come in handle().
    return ModelNames.problem(((PredictionLogged) event).getModel());
  }

  @Override
  protected String key(SpecificRecord event) {
    return event instanceof GroundTruthReported label ? label.getModel() : ((PredictionLogged) event).getModel();
  }

  @Override
  protected void handle(SpecificRecord event, Record<String, byte[]> raw) {
    long now = now().toEpochMilli();
    if (event instanceof GroundTruthReported label) {
      Optional<String> tooLarge = TruthLimits.labelRecordProblem(raw.value());
      if (tooLarge.isPresent()) {
        deadLetter(raw, "invalid", tooLarge.get());
        return;
      }
      RecordMetadata source = context().recordMetadata().orElseThrow();
      EarlyLabel arriving = EarlyLabel.arriving(label.getLabel(), label.getObservedTime().toEpochMilli(),
          new EarlyLabel.Source(source.topic(), source.partition(), source.offset(), raw.timestamp(), raw.value()));
      GroundTruthJoin.Step step = join.label(label.getModel(), label.getPredictionId(), arriving, now, state);
      if (step.held()) {
        meters.held();
      }
      settle(step, raw);
      return;
    }
    PredictionLogged prediction = (PredictionLogged) event;
    String model = prediction.getModel();
    String id = predictionId(prediction);
    Optional<String> refused = TruthLimits.predictionIdProblem(id);
    if (refused.isPresent()) {
      // Drift takes the prediction (its id does not matter there), so this dead letter is the join's alone.
      meters.prediction(GroundTruthJoin.Fate.INVALID, false);
      deadLetter(DriftOwnsPredictionDeadLetters.joinsOwn(raw), INVALID_PREDICTION, refused.get() + ": the prediction cannot be joined to a label");
      return;
    }
    PendingPrediction pending = pending(prediction);
    GroundTruthJoin.Step step = join.prediction(model, id, pending, now, state);
    boolean kept = step.fate() == GroundTruthJoin.Fate.WAITING || step.fate() == GroundTruthJoin.Fate.JOINED;
    meters.prediction(step.fate(), kept && pending.inputs() == null);
    if (step.fate() != GroundTruthJoin.Fate.REPEATED) {
      // The performance windows count every served prediction, labelled or not, before any join it makes.
      context().forward(new Record<>(model, pending.served(model, id), raw.timestamp()));
    }
    settle(step, raw);
  }

  /**
   * Logs a dead letter, except of a prediction that the drift windows dead-letter and log too (see
   * {@link DriftOwnsPredictionDeadLetters}): only the join's own refusals of predictions are logged here.
   */
  @Override
  protected void deadLettered(String kind, String reason) {
    if (kind.equals(INVALID_PREDICTION)
        || !context().recordMetadata().map(source -> source.topic().equals(Topics.PREDICTION_LOGGED.name())).orElse(false)) {
      super.deadLettered(kind, reason);
    }
  }

  /** A prediction's id: its own, or {@code <requestId>/<instanceIndex>} for predictions logged before ids existed. */
  static String predictionId(PredictionLogged prediction) {
    return prediction.getPredictionId() != null ? prediction.getPredictionId() : prediction.getRequestId() + "/" + prediction.getInstanceIndex();
  }

  private PendingPrediction pending(PredictionLogged prediction) {
    long predictedAt = prediction.getEventTime().toEpochMilli();
    Map<String, Double> probabilities = new LinkedHashMap<>();
    prediction.getProbabilities().forEach((name, p) -> probabilities.put(name.toString(), p));
    Map<String, Object> inputs = new LinkedHashMap<>();
    prediction.getInputs().forEach((name, value) -> inputs.put(name.toString(), value instanceof CharSequence text ? text.toString() : value));
    boolean kept = TruthCodecs.inputsLength(inputs) <= settings.maxInputBytes();
    return new PendingPrediction(prediction.getVersion(), predictedAt, join.deadline(predictedAt), prediction.getPredictedClass(), probabilities,
        kept ? inputs : null);
  }

  /** Emits what a step of the join decided: joins with their feedback, and dead letters of refused labels. */
  private void settle(GroundTruthJoin.Step step, Record<String, byte[]> raw) {
    for (int i = 0; i < step.expired(); i++) {
      meters.expired();
    }
    for (GroundTruthJoin.Joined joined : step.joined()) {
      meters.outcome(Outcome.JOINED);
      ServedPrediction served = joined.prediction().served(joined.model(), joined.predictionId());
      context().forward(new Record<>(joined.model(), new LabelledPrediction(served, joined.label(), joined.observedAt()), now().toEpochMilli()));
      feedback(joined);
    }
    for (GroundTruthJoin.Refusal refusal : step.refusals()) {
      meters.outcome(refusal.outcome());
      if (refusal.stored() == null) {
        deadLetter(raw, refusal.outcome().tag(), refusal.reason());
      } else {
        deadLetterStored(refusal);
      }
    }
  }

  /** The joined prediction as a record of the model's dataset, when its spec wants feedback. */
  private void feedback(GroundTruthJoin.Joined joined) {
    Optional<FeedbackSpecs.Feedback> spec = specs.of(joined.model());
    if (spec.isEmpty()) {
      meters.feedback("no-spec");
      warnNoSpec(joined.model());
      return;
    }
    if (!spec.get().enabled()) {
      meters.feedback("off");
      return;
    }
    if (joined.prediction().inputs() == null) {
      meters.feedback("inputs-not-kept");
      return;
    }
    String name = joined.model() + "\0" + joined.predictionId();
    String dataset = spec.get().dataset();
    Map<String, Object> features = new HashMap<>(joined.prediction().inputs());
    emit(dataset, EventMetadata.of(derivedId("feedback-record\0" + name), Instant.ofEpochMilli(joined.observedAt()), MonitorServiceApplication.NAME),
        DataRecord.newBuilder()
            .setDataset(dataset)
            .setRecordId(feedbackRecordId(joined.model(), joined.predictionId()))
            .setFeatures(features)
            .setLabel(joined.label())
            .setFeedback(FeedbackOrigin.newBuilder().setModel(joined.model()).setVersion(joined.prediction().version())
                .setPredictionId(joined.predictionId()).build()));
    meters.feedback("published");
  }

  /** Says once per model (while this task runs) that its joins make no feedback, for want of its spec. */
  private void warnNoSpec(String model) {
    if (warnedNoSpec.size() >= MAX_WARNED_MODELS) {
      warnedNoSpec.clear();
    }
    if (warnedNoSpec.add(model)) {
      log.warn("Model {} has no spec the monitor has read (mlops.training.model-spec-declared): its labels join, but make no feedback record "
          + "until it has (counted kloop.monitor.ground-truth.feedback{outcome=no-spec}); logged once per model", model);
    }
  }

  /** The record id of a prediction's feedback record: the same however often it is joined. */
  public static String feedbackRecordId(String model, String predictionId) {
    return FEEDBACK_RECORD_PREFIX + derivedId(model + "\0" + predictionId);
  }

  private static String derivedId(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** Dead-letters a label that waited: its record as it came, with where it was read. */
  private void deadLetterStored(GroundTruthJoin.Refusal refusal) {
    EarlyLabel.Source record = refusal.stored().record();
    String reason = ClientText.echo(refusal.reason(), MAX_REASON_CHARS);
    log.warn("Dead-lettering {}-{}@{} ({}): {}", record.topic(), record.partition(), record.offset(), refusal.outcome().tag(), reason);
    context().forward(StreamsDeadLetters.of(new Record<>(refusal.model(), record.value(), record.timestamp()),
        new Read(record.topic(), record.partition(), record.offset()), reason));
  }

  /** Where a stored record was read. */
  private record Read(String topic, int partition, long offset) implements RecordMetadata {}
}
