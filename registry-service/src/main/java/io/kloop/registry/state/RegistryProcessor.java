package io.kloop.registry.state;

import io.kloop.events.ModelApproved;
import io.kloop.events.ModelDecisionRequested;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelRolledBack;
import io.kloop.events.ModelTrained;
import io.kloop.registry.RegistryLimits;
import io.kloop.registry.RegistryServiceApplication;
import io.kloop.registry.policy.PromotionPolicies;
import io.kloop.registry.policy.PromotionPolicy;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.StreamsDeadLetters;
import io.kloop.service.tracing.KloopTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's single writer: every {@code ModelTrained} and every operator request of a model passes
 * through here, in order, on the model's partition. A new training run becomes the model's next version and
 * faces the promotion policy; an operator request approves, rejects or rolls back. Each outcome is written to
 * the audit trail and announced as {@code ModelApproved}, {@code ModelRejected} or {@code ModelRolledBack}.
 *
 * <p>Runs under Kafka Streams' exactly-once processing: the stores, the announcements and the input offsets
 * commit together, so a crash at any moment leaves either all of a decision or none of it, and the input is
 * processed again from the last commit. A run or request seen before (a redelivery, a replay, a producer's
 * retry) is recognised by its id and changes nothing.
 *
 * <p>Traces: each decision (a registration put to the policy, an operator's request) is a span of its own
 * trace ({@code registry decision}), linked to the trace its input record carried (the training run, or
 * the operator's HTTP request); the announcements it emits carry its trace context.
 */
final class RegistryProcessor implements Processor<String, byte[], String, Object> {

  /** The actor of the promotion policy's decisions. */
  static final String POLICY_ACTOR = "policy:auto";

  private static final Logger log = LoggerFactory.getLogger(RegistryProcessor.class);

  private final PromotionPolicies policies;
  private final EventDeserializer<ModelTrained> trainedDecoder = new EventDeserializer<>(ModelTrained.class);
  private final EventDeserializer<ModelDecisionRequested> requestDecoder = new EventDeserializer<>(ModelDecisionRequested.class);

  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ModelEntry> models;
  private KeyValueStore<String, VersionEntry> versions;
  private KeyValueStore<String, ModelTrained> trained;
  private KeyValueStore<String, Long> seen;
  private KeyValueStore<String, Decision> audit;

  private final KloopTracing tracing;
  /** The span of the decision being made, whose context the announcements carry. */
  private Span deciding = Span.getInvalid();

  RegistryProcessor(PromotionPolicies policies, KloopTracing tracing) {
    this.policies = policies;
    this.tracing = tracing;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    models = context.getStateStore(RegistryStores.MODELS);
    versions = context.getStateStore(RegistryStores.VERSIONS);
    trained = context.getStateStore(RegistryStores.TRAINED);
    seen = context.getStateStore(RegistryStores.SEEN);
    audit = context.getStateStore(RegistryStores.AUDIT);
  }

  @Override
  public void process(Record<String, byte[]> raw) {
    if (!tracing.enabled()) {
      decide(raw);
      return;
    }
    RecordMetadata source = context.recordMetadata().orElseThrow();
    deciding = tracing.linkedTo("registry decision", SpanKind.CONSUMER, List.of(tracing.remote(raw.headers())));
    deciding.setAttribute("messaging.system", "kafka");
    deciding.setAttribute("messaging.destination.name", source.topic());
    deciding.setAttribute("messaging.kafka.offset", source.offset());
    deciding.setAttribute("kloop.model", String.valueOf(raw.key()));
    try {
      KloopTracing.within(deciding, () -> decide(raw));
    } finally {
      deciding = Span.getInvalid();
    }
  }

  private void decide(Record<String, byte[]> raw) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    boolean isRequest = source.topic().equals(Topics.MODEL_DECISION_REQUESTED.name());
    SpecificRecord event;
    try {
      event = isRequest ? requestDecoder.deserialize(source.topic(), raw.value()) : trainedDecoder.deserialize(source.topic(), raw.value());
    } catch (EventDecodingException e) {
      deadLetter(raw, source, e.getMessage());
      return;
    }
    if (event == null) {
      deadLetter(raw, source, "empty record (a tombstone has no meaning on " + source.topic() + ")");
      return;
    }
    String model = isRequest ? ((ModelDecisionRequested) event).getModel() : ((ModelTrained) event).getModel();
    Optional<String> problem = isRequest ? problem((ModelDecisionRequested) event) : problem((ModelTrained) event);
    if (problem.isPresent()) {
      deadLetter(raw, source, problem.get());
      return;
    }
    if (!model.equals(raw.key())) {
      deadLetter(raw, source, "record key '" + raw.key() + "' must be the model name '" + model
          + "', so that all events of a model are applied in order on one partition");
      return;
    }
    if (isRequest) {
      ModelEntry entry = models.get(model);
      if (entry == null) {
        deadLetter(raw, source, "no model named " + model + " in the registry");
        return;
      }
      request(entry, (ModelDecisionRequested) event);
    } else {
      register((ModelTrained) event);
    }
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

  /** Makes a training run the model's next version and puts it to the promotion policy. */
  private void register(ModelTrained run) {
    String model = run.getModel();
    String runKey = RegistryStores.key(model, "run", run.getRunId());
    Long known = seen.get(runKey);
    if (known != null) {
      log.info("Run {} of model {} is version {} already; its ModelTrained {} changes nothing", run.getRunId(), model, known, run.getEventId());
      return;
    }
    Instant now = Instant.now();
    ModelEntry entry = models.get(model);
    entry = entry == null ? ModelEntry.first(model, now) : entry;
    int version = entry.latestVersion() + 1;
    entry = entry.withVersion(version, now);
    String versionKey = RegistryStores.key(model, version);
    trained.put(versionKey, run);
    seen.put(runKey, (long) version);
    String registration = run.getEventId();
    entry = record(entry, new Decision(0, registration, now, DecisionAction.REGISTERED, version, null, run.getProducer(),
        "trained by run " + run.getRunId() + " (" + run.getAlgorithm() + ", trigger " + run.getTrigger() + ", test accuracy "
            + String.format(Locale.ROOT, "%.4f", run.getMetrics().getAccuracy()) + ")", List.of()));
    VersionEntry registered = new VersionEntry(model, version, run.getRunId(), VersionStatus.PENDING, now, now, registration, "registered");

    PromotionPolicy.Verdict verdict = policies.of(model).evaluate(run, entry.champion());
    String decisionId = UUID.nameUUIDFromBytes(("policy:" + model + ":" + run.getRunId()).getBytes(StandardCharsets.UTF_8)).toString();
    switch (verdict.outcome()) {
      case APPROVE -> entry = promote(entry, registered, decisionId, POLICY_ACTOR, verdict.reason(), now);
      case HOLD -> {
        versions.put(versionKey, registered.with(VersionStatus.PENDING, now, decisionId, verdict.reason()));
        entry = record(entry, new Decision(0, decisionId, now, DecisionAction.HELD, version, null, POLICY_ACTOR, verdict.reason(), List.of()));
      }
      case REJECT -> entry = reject(entry, registered, decisionId, POLICY_ACTOR, verdict.reason(), verdict.violations(), now);
    }
    models.put(model, entry);
  }

  /** Applies an operator's request, or records why it cannot be applied. */
  private void request(ModelEntry entry, ModelDecisionRequested request) {
    String model = entry.model();
    String requestKey = RegistryStores.key(model, "request", request.getEventId());
    if (seen.get(requestKey) != null) {
      log.info("Request {} on model {} was applied already; its redelivery changes nothing", request.getEventId(), model);
      return;
    }
    Instant now = Instant.now();
    String refusal = switch (request.getAction()) {
      case APPROVE, REJECT -> pendingRefusal(model, request);
      case ROLLBACK -> null;
    };
    if (refusal == null) {
      switch (request.getAction()) {
        case APPROVE -> entry = promote(entry, versions.get(RegistryStores.key(model, request.getVersion())), request.getEventId(),
            request.getActor(), request.getReason() + comparisonNote(entry, request.getVersion()), now);
        case REJECT -> entry = reject(entry, versions.get(RegistryStores.key(model, request.getVersion())), request.getEventId(),
            request.getActor(), request.getReason(), List.of(), now);
        case ROLLBACK -> {
          Integer target = request.getVersion() != null ? request.getVersion() : defaultRollbackTarget(entry);
          refusal = rollbackRefusal(entry, target);
          if (refusal == null) {
            entry = rollBack(entry, target, request, now);
          }
        }
      }
    }
    if (refusal != null) {
      String reason = Decision.refusal(request.getAction(), refusal);
      log.warn("Model {}: {} (request {} by {})", model, reason, request.getEventId(), request.getActor());
      entry = record(entry, new Decision(0, request.getEventId(), now, DecisionAction.REFUSED, request.getVersion(), null,
          request.getActor(), reason, List.of()));
    }
    // The request's mark goes last: an operator's call waiting for its outcome reads the mark, then the model,
    // and must find the model as the decision left it (written first, it could answer with the model before).
    models.put(model, entry);
    seen.put(requestKey, entry.decisions());
  }

  /**
   * What an operator's approval overrides, for the record: a version that was not scored against the
   * champion it replaces was never compared with it.
   */
  private String comparisonNote(ModelEntry entry, int version) {
    Integer champion = entry.champion();
    if (champion == null) {
      return "";
    }
    Integer scoredAgainst = trained.get(RegistryStores.key(entry.model(), version)).getChampionVersion();
    return champion.equals(scoredAgainst) ? "" : " [not compared with the champion it replaces, version " + champion + "; "
        + (scoredAgainst == null ? "scored without a champion" : "scored against version " + scoredAgainst) + "]";
  }

  private String pendingRefusal(String model, ModelDecisionRequested request) {
    if (request.getVersion() == null) {
      return "no version given";
    }
    VersionEntry version = versions.get(RegistryStores.key(model, request.getVersion()));
    if (version == null) {
      return "model " + model + " has no version " + request.getVersion();
    }
    if (version.status() != VersionStatus.PENDING) {
      return "version " + request.getVersion() + " is " + version.status() + ", not PENDING";
    }
    return null;
  }

  /**
   * The champion before the current one that has not been rolled back past: the latest retired champion
   * (a rollback marks every version it passes {@code ROLLED_BACK}, so the history reads as a stack).
   */
  private Integer defaultRollbackTarget(ModelEntry entry) {
    List<Integer> history = entry.championHistory();
    for (int i = history.size() - 1; i >= 0; i--) {
      Integer candidate = history.get(i);
      if (!candidate.equals(entry.champion())) {
        VersionEntry version = versions.get(RegistryStores.key(entry.model(), candidate));
        if (version != null && version.status() == VersionStatus.RETIRED) {
          return candidate;
        }
      }
    }
    return null;
  }

  private String rollbackRefusal(ModelEntry entry, Integer target) {
    if (entry.champion() == null) {
      return "model " + entry.model() + " has no champion to roll back";
    }
    if (target == null) {
      return "no earlier champion to return to (name a version that served before)";
    }
    if (target.equals(entry.champion())) {
      return "version " + target + " is the champion already";
    }
    VersionEntry version = versions.get(RegistryStores.key(entry.model(), target));
    if (version == null) {
      return "model " + entry.model() + " has no version " + target;
    }
    if (version.status() != VersionStatus.RETIRED && version.status() != VersionStatus.ROLLED_BACK) {
      return "version " + target + " is " + version.status() + " and has never served; a rollback returns to a version that was champion"
          + (version.status() == VersionStatus.PENDING ? " (approve it instead)" : "");
    }
    return null;
  }

  /** Makes a version the champion, retiring the one before, and announces it. */
  private ModelEntry promote(ModelEntry entry, VersionEntry candidate, String decisionId, String actor, String reason, Instant now) {
    Integer previous = entry.champion();
    if (previous != null) {
      String previousKey = RegistryStores.key(entry.model(), previous);
      versions.put(previousKey, versions.get(previousKey).with(VersionStatus.RETIRED, now,
          decisionId, "replaced by version " + candidate.version()));
    }
    versions.put(RegistryStores.key(entry.model(), candidate.version()), candidate.with(VersionStatus.CHAMPION, now, decisionId, reason));
    entry = entry.withChampion(candidate.version(), now);
    entry = record(entry, new Decision(0, decisionId, now, DecisionAction.APPROVED, candidate.version(), previous, actor, reason, List.of()));
    announceApproval(entry.model(), candidate.version(), previous, decisionId, actor, reason, now);
    return entry;
  }

  private ModelEntry reject(ModelEntry entry, VersionEntry candidate, String decisionId, String actor, String reason, List<String> violations,
      Instant now) {
    versions.put(RegistryStores.key(entry.model(), candidate.version()), candidate.with(VersionStatus.REJECTED, now, decisionId, reason));
    entry = record(entry, new Decision(0, decisionId, now, DecisionAction.REJECTED, candidate.version(), null, actor, reason, violations));
    forward(entry.model(), ModelRejected.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(now).setProducer(RegistryServiceApplication.NAME)
        .setModel(entry.model()).setVersion(candidate.version()).setRunId(candidate.runId())
        .setDecisionId(decisionId).setActor(actor).setReason(reason).setViolations(violations)
        .build(), now);
    return entry;
  }

  private ModelEntry rollBack(ModelEntry entry, int target, ModelDecisionRequested request, Instant now) {
    String model = entry.model();
    int from = entry.champion();
    String decisionId = request.getEventId();
    String reason = "rollback from version " + from + " to version " + target + ": " + request.getReason();
    // Every version that served after the target's last time as champion is rolled back past, not only the current one.
    List<Integer> history = entry.championHistory();
    for (int i = history.lastIndexOf(target) + 1; i < history.size(); i++) {
      String key = RegistryStores.key(model, history.get(i));
      VersionEntry past = versions.get(key);
      if (past.status() == VersionStatus.CHAMPION || past.status() == VersionStatus.RETIRED) {
        versions.put(key, past.with(VersionStatus.ROLLED_BACK, now, decisionId,
            past.version() == from ? request.getReason() : "rolled back past, to version " + target + ": " + request.getReason()));
      }
    }
    String targetKey = RegistryStores.key(model, target);
    versions.put(targetKey, versions.get(targetKey).with(VersionStatus.CHAMPION, now, decisionId, reason));
    entry = entry.withChampion(target, now);
    entry = record(entry, new Decision(0, decisionId, now, DecisionAction.ROLLED_BACK, target, from, request.getActor(), request.getReason(),
        List.of()));
    forward(model, ModelRolledBack.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(now).setProducer(RegistryServiceApplication.NAME)
        .setModel(model).setFromVersion(from).setToVersion(target)
        .setDecisionId(decisionId).setActor(request.getActor()).setReason(request.getReason())
        .build(), now);
    announceApproval(model, target, from, decisionId, request.getActor(), reason, now);
    return entry;
  }

  private void announceApproval(String model, int version, Integer previous, String decisionId, String actor, String reason, Instant now) {
    ModelTrained run = trained.get(RegistryStores.key(model, version));
    forward(model, ModelApproved.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(now).setProducer(RegistryServiceApplication.NAME)
        .setModel(model).setVersion(version).setRunId(run.getRunId())
        .setDecisionId(decisionId).setActor(actor).setReason(reason).setPreviousVersion(previous)
        .setArtifact(run.getArtifact()).setSignature(run.getSignature()).setReferenceProfile(run.getReferenceProfile())
        .setMetrics(run.getMetrics())
        .build(), now);
  }

  /** Appends a decision to the model's audit trail, numbering it. */
  private ModelEntry record(ModelEntry entry, Decision decision) {
    ModelEntry updated = entry.withDecision(decision.at());
    Decision numbered = new Decision(updated.decisions(), decision.decisionId(), decision.at(), decision.action(), decision.version(),
        decision.previousChampion(), decision.actor(), decision.reason(), decision.violations());
    audit.put(RegistryStores.key(entry.model(), updated.decisions()), numbered);
    log.info("Model {}: {} version {} by {}: {}", entry.model(), decision.action(), decision.version(), decision.actor(), decision.reason());
    deciding.setAttribute("kloop.decision", decision.action().name());
    if (decision.version() != null) {
      deciding.setAttribute("kloop.model.version", decision.version());
    }
    return updated;
  }

  private void forward(String model, SpecificRecord event, Instant now) {
    Record<String, Object> record = new Record<>(model, event, now.toEpochMilli());
    tracing.inject(deciding, record.headers());
    context.forward(record);
  }

  private void deadLetter(Record<String, byte[]> raw, RecordMetadata source, String reason) {
    log.warn("Dead-lettering {}-{}@{}: {}", source.topic(), source.partition(), source.offset(), reason);
    context.forward(StreamsDeadLetters.of(raw, source, reason));
  }
}
