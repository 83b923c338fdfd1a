package io.kloop.registry.state;

import io.kloop.events.ModelApproved;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelRolledBack;
import io.kloop.events.ModelTrained;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.data.RecordBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one input (a training run, an operator's request) does to a model, written as it goes: the standings
 * of its versions, the numbered entries of its audit trail, and the events that announce it. The model's
 * entry itself is only carried along; the {@link VersionLifecycle} writes it when the input is settled, so a
 * reader never finds a model ahead of its versions and trail.
 */
final class ModelChange {

  private static final Logger log = LoggerFactory.getLogger(ModelChange.class);

  private final RegistryState state;
  private final Instant now;
  private ModelEntry entry;
  private final List<Decision> decisions = new ArrayList<>();
  private final List<RecordBuilder<? extends SpecificRecord>> announcements = new ArrayList<>();

  ModelChange(RegistryState state, ModelEntry entry, Instant now) {
    this.state = state;
    this.entry = entry;
    this.now = now;
  }

  /** The model as this change leaves it so far. */
  ModelEntry entry() {
    return entry;
  }

  /** Makes {@code version} the model's latest. */
  void newVersion(int version) {
    entry = entry.withVersion(version, now);
  }

  /** Appends a decision, made now, to the model's audit trail, numbering it. */
  void record(Decision.Builder decision) {
    entry = entry.withDecision(now);
    Decision numbered = decision.at(now).build().numbered(entry.decisions());
    state.putDecision(entry.model(), numbered);
    decisions.add(numbered);
    log.info("Model {}: {} version {} by {}: {}", entry.model(), numbered.action(), numbered.version(), numbered.actor(), numbered.reason());
  }

  /** Makes a version the champion, retiring the one before, and announces it. */
  void promote(VersionEntry candidate, String decisionId, String actor, String reason) {
    Integer previous = entry.champion();
    if (previous != null) {
      state.putVersion(state.version(entry.model(), previous).with(VersionStatus.RETIRED, now, decisionId, "replaced by version " + candidate.version()));
    }
    state.putVersion(candidate.with(VersionStatus.CHAMPION, now, decisionId, reason));
    entry = entry.withChampion(candidate.version(), now);
    record(Decision.of(DecisionAction.APPROVED).decisionId(decisionId).version(candidate.version()).previousChampion(previous).actor(actor)
        .reason(reason));
    announceApproval(candidate.version(), previous, decisionId, actor, reason);
  }

  /** Keeps a version pending, for an operator. */
  void hold(VersionEntry candidate, String decisionId, String actor, String reason) {
    state.putVersion(candidate.with(VersionStatus.PENDING, now, decisionId, reason));
    record(Decision.of(DecisionAction.HELD).decisionId(decisionId).version(candidate.version()).actor(actor).reason(reason));
  }

  /** Rejects a version for good, and announces it. */
  void reject(VersionEntry candidate, String decisionId, String actor, String reason, List<String> violations) {
    state.putVersion(candidate.with(VersionStatus.REJECTED, now, decisionId, reason));
    record(Decision.of(DecisionAction.REJECTED).decisionId(decisionId).version(candidate.version()).actor(actor).reason(reason)
        .violations(violations));
    announcements.add(ModelRejected.newBuilder()
        .setModel(entry.model()).setVersion(candidate.version()).setRunId(candidate.runId())
        .setDecisionId(decisionId).setActor(actor).setReason(reason).setViolations(violations));
  }

  /**
   * Returns the model to {@code target}, a version that served before: every version that served after the
   * target's last time as champion is rolled back past, not only the current one. Announces the rollback, and
   * the target's approval (what inference loads).
   */
  void rollBack(int target, String decisionId, String actor, String why) {
    String model = entry.model();
    int from = entry.champion();
    String reason = "rollback from version " + from + " to version " + target + ": " + why;
    List<Integer> history = entry.championHistory();
    for (int i = history.lastIndexOf(target) + 1; i < history.size(); i++) {
      VersionEntry past = state.version(model, history.get(i));
      if (past.status() == VersionStatus.CHAMPION || past.status() == VersionStatus.RETIRED) {
        state.putVersion(past.with(VersionStatus.ROLLED_BACK, now, decisionId,
            past.version() == from ? why : "rolled back past, to version " + target + ": " + why));
      }
    }
    state.putVersion(state.version(model, target).with(VersionStatus.CHAMPION, now, decisionId, reason));
    entry = entry.withChampion(target, now);
    record(Decision.of(DecisionAction.ROLLED_BACK).decisionId(decisionId).version(target).previousChampion(from).actor(actor).reason(why));
    announcements.add(ModelRolledBack.newBuilder()
        .setModel(model).setFromVersion(from).setToVersion(target)
        .setDecisionId(decisionId).setActor(actor).setReason(why));
    announceApproval(target, from, decisionId, actor, reason);
  }

  private void announceApproval(int version, Integer previous, String decisionId, String actor, String reason) {
    ModelTrained run = state.trained(entry.model(), version);
    announcements.add(ModelApproved.newBuilder()
        .setModel(entry.model()).setVersion(version).setRunId(run.getRunId())
        .setDecisionId(decisionId).setActor(actor).setReason(reason).setPreviousVersion(previous)
        .setArtifact(run.getArtifact()).setSignature(run.getSignature()).setReferenceProfile(run.getReferenceProfile())
        .setMetrics(run.getMetrics()));
  }

  /** What the change recorded and what it announces, in order. */
  VersionLifecycle.Outcome outcome() {
    return new VersionLifecycle.Outcome(decisions, announcements);
  }
}
