package io.kloop.registry.state;

import io.kloop.events.ModelDecisionRequested;
import io.kloop.events.ModelTrained;
import io.kloop.registry.RegistryLimits;
import io.kloop.registry.RegistryServiceApplication;
import io.kloop.registry.policy.PromotionPolicies;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topics;
import io.kloop.service.streams.EventProcessor;
import io.kloop.service.tracing.KloopTracing;
import io.opentelemetry.api.trace.Span;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's single writer: every {@code ModelTrained} and every operator request of a model passes
 * through here, in order, on the model's partition, and is applied by the {@link VersionLifecycle} to the
 * registry's state stores; what it decides is announced as {@code ModelApproved}, {@code ModelRejected} or
 * {@code ModelRolledBack}.
 *
 * <p>Runs under Kafka Streams' exactly-once processing: the stores, the announcements and the input offsets
 * commit together, so a crash at any moment leaves either all of a decision or none of it, and the input is
 * processed again from the last commit, where the lifecycle recognises what it has seen.
 *
 * <p>Traces: each decision (a registration put to the policy, an operator's request) is a span of its own
 * trace ({@code registry decision}), linked to the trace its input record carried (the training run, or
 * the operator's HTTP request); the announcements it emits carry its trace context.
 */
final class RegistryProcessor extends EventProcessor<SpecificRecord> {

  /** The span of each decision; the docs and the platform's tracing test name it. */
  static final String SPAN_NAME = "registry decision";

  private static final Logger log = LoggerFactory.getLogger(RegistryProcessor.class);

  private final PromotionPolicies policies;
  private final EventDeserializer<ModelTrained> trainedDecoder = new EventDeserializer<>(ModelTrained.class);
  private final EventDeserializer<ModelDecisionRequested> requestDecoder = new EventDeserializer<>(ModelDecisionRequested.class);
  private VersionLifecycle lifecycle;

  RegistryProcessor(PromotionPolicies policies, KloopTracing tracing) {
    super(new Shape(RegistryServiceApplication.NAME,
        new Keying("model", "model name", "all events of a model are applied in order on one partition"),
        ConsumerSpan.LINK, SPAN_NAME, tracing));
    this.policies = policies;
  }

  @Override
  protected void opened(ProcessorContext<String, Object> context) {
    lifecycle = new VersionLifecycle(policies, StoredRegistryState.of(context));
  }

  @Override
  protected SpecificRecord read(String topic, byte[] value) throws EventDecodingException {
    return topic.equals(Topics.MODEL_DECISION_REQUESTED.name()) ? requestDecoder.deserialize(topic, value)
        : trainedDecoder.deserialize(topic, value);
  }

  @Override
  protected Optional<String> problem(SpecificRecord event) {
    return event instanceof ModelDecisionRequested request ? problem(request) : problem((ModelTrained) event);
  }

  /** What the registry will not keep of a run: a model name the API could not name, an unbounded run id or producer. */
  private static Optional<String> problem(ModelTrained run) {
    return RegistryLimits.modelNameProblem(run.getModel())
        .or(() -> RegistryLimits.idProblem("the run id", run.getRunId(), RegistryLimits.MAX_ID))
        .or(() -> RegistryLimits.idProblem("the producer", run.getProducer(), RegistryLimits.MAX_ACTOR));
  }

  /** The API's limits, for a request some other writer put on the registry's inbox. */
  private static Optional<String> problem(ModelDecisionRequested request) {
    return RegistryLimits.modelNameProblem(request.getModel())
        .or(() -> RegistryLimits.idProblem("the request id", request.getEventId(), RegistryLimits.MAX_ID))
        .or(() -> RegistryLimits.idProblem("the actor", request.getActor(), RegistryLimits.MAX_ACTOR))
        .or(() -> request.getVersion() == null ? Optional.empty() : RegistryLimits.versionProblem(request.getVersion()))
        .or(() -> request.getReason() == null ? Optional.empty() : RegistryLimits.reasonProblem(request.getReason()));
  }

  @Override
  protected String key(SpecificRecord event) {
    return event instanceof ModelDecisionRequested request ? request.getModel() : ((ModelTrained) event).getModel();
  }

  @Override
  protected void handle(SpecificRecord event, Record<String, byte[]> raw) {
    if (event instanceof ModelDecisionRequested request) {
      Optional<VersionLifecycle.Outcome> outcome = lifecycle.request(request, now());
      if (outcome.isEmpty()) {
        log.warn("Request {} by {} names no model of the registry ({}); dead-lettered", request.getEventId(), request.getActor(),
            request.getModel());
        deadLetter(raw, "unknown-model", "no model named " + request.getModel() + " in the registry");
        return;
      }
      announce(request.getModel(), outcome.get());
    } else {
      ModelTrained run = (ModelTrained) event;
      announce(run.getModel(), lifecycle.register(run, now()));
    }
  }

  /** Marks the decision's span with what was decided, and emits the announcements in its trace. */
  private void announce(String model, VersionLifecycle.Outcome outcome) {
    Span deciding = Span.current();
    for (Decision decision : outcome.decisions()) {
      deciding.setAttribute("kloop.decision", decision.action().name());
      if (decision.version() != null) {
        deciding.setAttribute("kloop.model.version", decision.version());
      }
    }
    outcome.announcements().forEach(announcement -> emit(model, announcement));
  }
}
