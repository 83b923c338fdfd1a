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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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
 * ({@code kloop.monitor.ground-truth{outcome}}). Expiry runs every second by the processor's clock, reading only
 * the index entries that are due, at most {@value #MAX_EXPIRED_PER_RUN} a run.
 *
 * <p>Runs under exactly-once processing: the stores, what it emits and the input offsets commit together.
 */
public final class GroundTruthProcessor extends EventProcessor<SpecificRecord> {

  private static final Logger log = LoggerFactory.getLogger(GroundTruthProcessor.class);
  private static final Duration EXPIRY_CHECK = Duration.ofSeconds(1);
  /** Most index entries one expiry run ends; the rest wait for the next run, so a run stays short. */
  static final int MAX_EXPIRED_PER_RUN = 10_000;
  /** How a feedback record's id starts. */
  public static final String FEEDBACK_RECORD_PREFIX = "feedback-";

  private final GroundTruthJoin join;
  private final MonitorProperties.GroundTruth settings;
  private final FeedbackSpecs specs;
  private final TruthMeters meters;
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
  }

  @Override
  protected void opened(ProcessorContext<String, Object> context) {
    state = TruthStores.state(context);
    context.schedule(EXPIRY_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> settle(join.expire(now, MAX_EXPIRED_PER_RUN, state), null));
  }

  @Override
  protected SpecificRecord read(String topic, byte[] value) throws EventDecodingException {
    return topic.equals(Topics.GROUND_TRUTH_REPORTED.name()) ? labels.deserialize(topic, value) : predictions.deserialize(topic, value);
  }

  @Override
  protected Optional<String> problem(SpecificRecord event) {
    if (event instanceof GroundTruthReported label) {
      return ModelNames.problem(label.getModel()).or(() -> TruthLimits.predictionIdProblem(label.getPredictionId()))
          .or(() -> TruthLimits.labelProblem(label.getLabel()));
    }
    PredictionLogged prediction = (PredictionLogged) event;
    return ModelNames.problem(prediction.getModel()).or(() -> TruthLimits.predictionIdProblem(predictionId(prediction)));
  }

  @Override
  protected String key(SpecificRecord event) {
    return event instanceof GroundTruthReported label ? label.getModel() : ((PredictionLogged) event).getModel();
  }

  @Override
  protected void handle(SpecificRecord event, Record<String, byte[]> raw) {
    long now = now().toEpochMilli();
    if (event instanceof GroundTruthReported label) {
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

  /** Logs a dead letter, except of a prediction: the drift windows dead-letter and log those (see {@link DriftOwnsPredictionDeadLetters}). */
  @Override
  protected void deadLettered(String kind, String reason) {
    if (!context().recordMetadata().map(source -> source.topic().equals(Topics.PREDICTION_LOGGED.name())).orElse(false)) {
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
