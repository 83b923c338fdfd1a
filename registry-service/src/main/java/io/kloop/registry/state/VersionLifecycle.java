package io.kloop.registry.state;

import io.kloop.events.ModelDecisionRequested;
import io.kloop.events.ModelTrained;
import io.kloop.registry.policy.PromotionPolicies;
import io.kloop.registry.policy.PromotionPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.data.RecordBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a model's versions: a training run becomes the model's next version and faces the promotion
 * policy (approved, held for an operator, or rejected); an operator approves or rejects a pending version, or
 * rolls the model back to a version that served before; a request that cannot be applied is refused, and the
 * refusal is on the record like any decision. A run or request seen before (a redelivery, a replay, a
 * producer's retry) is recognised by its id and changes nothing.
 *
 * <p>It reads and writes the registry's state ({@link RegistryState}) and says what to announce; it knows
 * nothing of Kafka. Time is given with each input, so the same input decides the same way in a test.
 */
final class VersionLifecycle {

  /** The actor of the promotion policy's decisions. */
  static final String POLICY_ACTOR = "policy:auto";

  private static final Logger log = LoggerFactory.getLogger(VersionLifecycle.class);

  private final PromotionPolicies policies;
  private final RegistryState state;

  VersionLifecycle(PromotionPolicies policies, RegistryState state) {
    this.policies = policies;
    this.state = state;
  }

  /**
   * What an input changed.
   *
   * @param decisions the entries it added to the model's audit trail, numbered, in order (none for an input seen before)
   * @param announcements the events to emit, in order, each still without its event id, time and producer
   */
  record Outcome(List<Decision> decisions, List<RecordBuilder<? extends SpecificRecord>> announcements) {

    static final Outcome NOTHING = new Outcome(List.of(), List.of());

    Outcome {
      decisions = List.copyOf(decisions);
      announcements = List.copyOf(announcements);
    }
  }

  /** Makes a training run the model's next version and puts it to the promotion policy. */
  Outcome register(ModelTrained run, Instant now) {
    String model = run.getModel();
    Integer known = state.versionOfRun(model, run.getRunId());
    if (known != null) {
      log.info("Run {} of model {} is version {} already; its ModelTrained {} changes nothing", run.getRunId(), model, known, run.getEventId());
      return Outcome.NOTHING;
    }
    ModelEntry existing = state.model(model);
    ModelChange change = new ModelChange(state, existing == null ? ModelEntry.first(model, now) : existing, now);
    int version = change.entry().latestVersion() + 1;
    change.newVersion(version);
    state.putTrained(model, version, run);
    state.putRun(model, run.getRunId(), version);
    String registration = run.getEventId();
    change.record(Decision.of(DecisionAction.REGISTERED).decisionId(registration).version(version).actor(run.getProducer())
        .reason((run.getOrigin() == null ? "trained by run " + run.getRunId() + " (" + run.getAlgorithm() + ", trigger " + run.getTrigger()
            : "imported by " + run.getOrigin().getImportedBy() + " in run " + run.getRunId() + " (file sha256 " + run.getOrigin().getFileSha256()
                + (run.getOrigin().getFramework() == null ? "" : ", " + run.getOrigin().getFramework()))
            + ", test accuracy " + String.format(Locale.ROOT, "%.4f", run.getMetrics().getAccuracy()) + ")"));
    VersionEntry registered = VersionEntry.registered(model, version, run.getRunId(), now, registration);

    PromotionPolicy.Verdict verdict = policies.of(model).evaluate(run, change.entry().champion());
    String decisionId = UUID.nameUUIDFromBytes(("policy:" + model + ":" + run.getRunId()).getBytes(StandardCharsets.UTF_8)).toString();
    switch (verdict.outcome()) {
      case APPROVE -> change.promote(registered, decisionId, POLICY_ACTOR, verdict.reason());
      case HOLD -> change.hold(registered, decisionId, POLICY_ACTOR, verdict.reason());
      case REJECT -> change.reject(registered, decisionId, POLICY_ACTOR, verdict.reason(), verdict.violations());
    }
    state.putModel(change.entry());
    return change.outcome();
  }

  /**
   * Applies an operator's request, or records why it cannot be applied. Empty when the registry has no model
   * of that name: there is nothing to apply the request to, nor a trail to record it in.
   */
  Optional<Outcome> request(ModelDecisionRequested request, Instant now) {
    ModelEntry entry = state.model(request.getModel());
    if (entry == null) {
      return Optional.empty();
    }
    String model = entry.model();
    if (state.requestApplied(model, request.getEventId())) {
      log.info("Request {} on model {} was applied already; its redelivery changes nothing", request.getEventId(), model);
      return Optional.of(Outcome.NOTHING);
    }
    ModelChange change = new ModelChange(state, entry, now);
    String refusal = switch (request.getAction()) {
      case APPROVE, REJECT -> pendingRefusal(model, request);
      case ROLLBACK -> null;
    };
    if (refusal == null) {
      switch (request.getAction()) {
        case APPROVE -> change.promote(state.version(model, request.getVersion()), request.getEventId(), request.getActor(),
            request.getReason() + comparisonNote(entry, request.getVersion()));
        case REJECT -> change.reject(state.version(model, request.getVersion()), request.getEventId(), request.getActor(),
            request.getReason(), List.of());
        case ROLLBACK -> {
          Integer target = request.getVersion() != null ? request.getVersion() : defaultRollbackTarget(entry);
          refusal = rollbackRefusal(entry, target);
          if (refusal == null) {
            change.rollBack(target, request.getEventId(), request.getActor(), request.getReason());
          }
        }
      }
    }
    if (refusal != null) {
      String reason = Decision.refusal(request.getAction(), refusal);
      log.warn("Model {}: {} (request {} by {})", model, reason, request.getEventId(), request.getActor());
      change.record(Decision.of(DecisionAction.REFUSED).decisionId(request.getEventId()).version(request.getVersion())
          .actor(request.getActor()).reason(reason));
    }
    // The request's mark goes last: an operator's call waiting for its outcome reads the mark, then the model,
    // and must find the model as the decision left it (written first, it could answer with the model before).
    state.putModel(change.entry());
    state.putRequest(model, request.getEventId(), change.entry().decisions());
    return Optional.of(change.outcome());
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
    Integer scoredAgainst = state.trained(entry.model(), version).getChampionVersion();
    return champion.equals(scoredAgainst) ? "" : " [not compared with the champion it replaces, version " + champion + "; "
        + (scoredAgainst == null ? "scored without a champion" : "scored against version " + scoredAgainst) + "]";
  }

  private String pendingRefusal(String model, ModelDecisionRequested request) {
    if (request.getVersion() == null) {
      return "no version given";
    }
    VersionEntry version = state.version(model, request.getVersion());
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
        VersionEntry version = state.version(entry.model(), candidate);
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
    VersionEntry version = state.version(entry.model(), target);
    if (version == null) {
      return "model " + entry.model() + " has no version " + target;
    }
    if (version.status() != VersionStatus.RETIRED && version.status() != VersionStatus.ROLLED_BACK) {
      return "version " + target + " is " + version.status() + " and has never served; a rollback returns to a version that was champion"
          + (version.status() == VersionStatus.PENDING ? " (approve it instead)" : "");
    }
    return null;
  }
}
