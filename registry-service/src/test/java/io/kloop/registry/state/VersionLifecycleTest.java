package io.kloop.registry.state;

import static io.kloop.registry.TrainedModels.metrics;
import static io.kloop.registry.TrainedModels.trained;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelDecisionAction;
import io.kloop.events.ModelDecisionRequested;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelRolledBack;
import io.kloop.events.ModelTrained;
import io.kloop.registry.RegistryProperties;
import io.kloop.registry.policy.PromotionPolicies;
import io.kloop.schemas.EventMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The version lifecycle, one transition or refusal per test, on the registry's state in memory: what it
 * records, what it announces, and in which order it writes.
 */
class VersionLifecycleTest {

  private static final Instant T0 = Instant.parse("2026-05-06T07:08:09Z");
  private static final String MODEL = "tumours";
  /** A model the policy holds every version of, for an operator. */
  private static final String MANUAL = "careful";
  private static final EvaluationMetrics GOOD = metrics(0.95, 0.97);

  private final InMemoryRegistryState state = new InMemoryRegistryState();
  private final VersionLifecycle lifecycle = new VersionLifecycle(new PromotionPolicies(new RegistryProperties.Promotion("auto",
      Map.of("accuracy", 0.8), Map.of(), List.of("accuracy", "rocAuc"), 0.01,
      Map.of(MANUAL, new RegistryProperties.ModelPromotion("manual", null, null, null, null)))), state);

  private static Instant at(int second) {
    return T0.plusSeconds(second);
  }

  /** A run of the model scored against the given champion (with the champion's metrics {@link #GOOD}), or against none. */
  private static ModelTrained run(String model, String runId, double accuracy, Integer scoredAgainst) {
    return trained(model, runId, metrics(accuracy, 0.97), scoredAgainst, scoredAgainst == null ? null : GOOD, null);
  }

  private static ModelDecisionRequested request(String model, String id, ModelDecisionAction action, Integer version, String reason) {
    return ModelDecisionRequested.newBuilder().setEventId(id).setEventTime(T0).setProducer("registry-service").setModel(model)
        .setAction(action).setVersion(version).setActor("alice").setReason(reason).build();
  }

  private VersionLifecycle.Outcome decide(ModelDecisionRequested request, int second) {
    return lifecycle.request(request, at(second)).orElseThrow();
  }

  /** The announcements as the processor emits them: with an id, a time and the producer. */
  private static List<SpecificRecord> announced(VersionLifecycle.Outcome outcome) {
    EventMetadata metadata = EventMetadata.of("event", T0, "registry-service");
    return outcome.announcements().stream().<SpecificRecord>map(metadata::build).toList();
  }

  private List<String> statuses(String model) {
    ModelEntry entry = state.model(model);
    return IntStream.rangeClosed(1, entry.latestVersion())
        .mapToObj(v -> v + " " + state.version(model, v).status()).toList();
  }

  private List<String> trail(String model) {
    return state.audit(model).stream().map(d -> d.sequence() + " " + d.action() + " " + d.version() + " " + d.actor()).toList();
  }

  /** Versions 1, 2 and 3 of {@link #MODEL}, each approved by the policy in turn: 3 serves, 1 and 2 are retired. */
  private void threeChampions() {
    lifecycle.register(run(MODEL, "run-1", 0.90, null), at(1));
    lifecycle.register(run(MODEL, "run-2", 0.95, 1), at(2));
    lifecycle.register(run(MODEL, "run-3", 0.95, 2), at(3));
  }

  // Registration: a run becomes the next version and faces the policy.

  @Test
  void gatesAnImportedModelLikeAnyCandidateAndSaysWhoImportedItWhichFile() {
    ModelTrained imported = run(MODEL, "run-9", 0.96, 1);
    imported.setAlgorithm("imported");
    imported.setTrigger("import");
    imported.setOrigin(io.kloop.events.ImportOrigin.newBuilder().setImportedBy("alice").setFileSha256("ab12").setFileBytes(2048)
        .setFramework("scikit-learn").setDescription(null).setProducerName("skl2onnx 1.17.0").build());
    lifecycle.register(run(MODEL, "run-1", 0.90, null), at(1));

    lifecycle.register(imported, at(2));

    assertThat(state.version(MODEL, 2).status()).as("better than the champion on the same split: approved as any candidate").isEqualTo(VersionStatus.CHAMPION);
    assertThat(state.audit(MODEL).stream().filter(d -> d.action() == DecisionAction.REGISTERED && d.version() == 2).findFirst().orElseThrow().reason())
        .isEqualTo("imported by alice in run run-9 (file sha256 ab12, scikit-learn, test accuracy 0.9600)");
  }

  @Test
  void approvesAFirstVersionThatPassesThePolicyAndAnnouncesIt() {
    ModelTrained run = run(MODEL, "run-1", 0.95, null);

    VersionLifecycle.Outcome outcome = lifecycle.register(run, at(1));

    ModelEntry entry = state.model(MODEL);
    assertThat(entry).extracting(ModelEntry::latestVersion, ModelEntry::champion, ModelEntry::championHistory, ModelEntry::decisions,
        ModelEntry::createdAt, ModelEntry::updatedAt).containsExactly(1, 1, List.of(1), 2L, at(1), at(1));
    String policyDecision = UUID.nameUUIDFromBytes(("policy:" + MODEL + ":run-1").getBytes(StandardCharsets.UTF_8)).toString();
    VersionEntry version = state.version(MODEL, 1);
    assertThat(version.status()).isEqualTo(VersionStatus.CHAMPION);
    assertThat(version.runId()).isEqualTo("run-1");
    assertThat(version.registeredAt()).isEqualTo(at(1));
    assertThat(version.statusSince()).isEqualTo(at(1));
    assertThat(version.decisionId()).isEqualTo(policyDecision);
    assertThat(version.reason()).startsWith("passed the promotion policy: ").contains("no champion yet");
    assertThat(state.trained(MODEL, 1)).isEqualTo(run);
    assertThat(state.versionOfRun(MODEL, "run-1")).isEqualTo(1);

    List<Decision> audit = state.audit(MODEL);
    assertThat(audit).extracting(Decision::sequence, Decision::action, Decision::version, Decision::actor, Decision::decisionId).containsExactly(
        tuple(1L, DecisionAction.REGISTERED, 1, "training-service", run.getEventId()),
        tuple(2L, DecisionAction.APPROVED, 1, VersionLifecycle.POLICY_ACTOR, policyDecision));
    assertThat(audit.get(0).reason()).isEqualTo("trained by run run-1 (logistic-regression, trigger new-data, test accuracy 0.9500)");
    assertThat(audit.get(1).previousChampion()).isNull();
    assertThat(audit).extracting(Decision::at).containsOnly(at(1));
    assertThat(outcome.decisions()).isEqualTo(audit);

    assertThat(announced(outcome)).singleElement().isInstanceOfSatisfying(ModelApproved.class, approved -> {
      assertThat(approved.getModel()).isEqualTo(MODEL);
      assertThat(approved.getVersion()).isEqualTo(1);
      assertThat(approved.getPreviousVersion()).isNull();
      assertThat(approved.getRunId()).isEqualTo("run-1");
      assertThat(approved.getDecisionId()).isEqualTo(policyDecision);
      assertThat(approved.getActor()).isEqualTo(VersionLifecycle.POLICY_ACTOR);
      assertThat(approved.getReason()).isEqualTo(version.reason());
      assertThat(approved.getArtifact()).isEqualTo(run.getArtifact());
      assertThat(approved.getSignature()).isEqualTo(run.getSignature());
      assertThat(approved.getReferenceProfile()).isEqualTo(run.getReferenceProfile());
      assertThat(approved.getMetrics()).isEqualTo(run.getMetrics());
    });
  }

  @Test
  void retiresTheChampionWhenABetterVersionIsApproved() {
    lifecycle.register(run(MODEL, "run-1", 0.95, null), at(1));

    VersionLifecycle.Outcome outcome = lifecycle.register(run(MODEL, "run-2", 0.96, 1), at(2));

    assertThat(statuses(MODEL)).containsExactly("1 RETIRED", "2 CHAMPION");
    VersionEntry retired = state.version(MODEL, 1);
    assertThat(retired.reason()).isEqualTo("replaced by version 2");
    assertThat(retired.statusSince()).isEqualTo(at(2));
    assertThat(retired.registeredAt()).as("registration stays").isEqualTo(at(1));
    assertThat(state.model(MODEL)).extracting(ModelEntry::latestVersion, ModelEntry::champion, ModelEntry::championHistory,
        ModelEntry::decisions, ModelEntry::createdAt, ModelEntry::updatedAt).containsExactly(2, 2, List.of(1, 2), 4L, at(1), at(2));
    assertThat(outcome.decisions()).extracting(Decision::action, Decision::previousChampion).containsExactly(
        tuple(DecisionAction.REGISTERED, null), tuple(DecisionAction.APPROVED, 1));
    assertThat(announced(outcome)).singleElement().isInstanceOfSatisfying(ModelApproved.class,
        approved -> assertThat(approved.getPreviousVersion()).isEqualTo(1));
  }

  @Test
  void rejectsAVersionThatFailsThePolicyWithEachBrokenRule() {
    lifecycle.register(run(MODEL, "run-1", 0.95, null), at(1));

    VersionLifecycle.Outcome outcome = lifecycle.register(run(MODEL, "run-2", 0.70, 1), at(2));

    assertThat(statuses(MODEL)).containsExactly("1 CHAMPION", "2 REJECTED");
    assertThat(state.model(MODEL).champion()).isEqualTo(1);
    assertThat(state.version(MODEL, 2).reason()).startsWith("failed the promotion policy: ").contains("accuracy 0.7000 < minimum 0.8000");
    Decision rejection = outcome.decisions().get(1);
    assertThat(rejection.action()).isEqualTo(DecisionAction.REJECTED);
    assertThat(rejection.violations()).contains("accuracy 0.7000 < minimum 0.8000",
        "accuracy 0.7000 is 0.2500 below the champion (version 1) 0.9500, tolerance 0.0100");
    assertThat(announced(outcome)).singleElement().isInstanceOfSatisfying(ModelRejected.class, rejected -> {
      assertThat(rejected.getVersion()).isEqualTo(2);
      assertThat(rejected.getRunId()).isEqualTo("run-2");
      assertThat(rejected.getActor()).isEqualTo(VersionLifecycle.POLICY_ACTOR);
      assertThat(rejected.getViolations()).isEqualTo(rejection.violations());
      assertThat(rejected.getReason()).isEqualTo(rejection.reason());
      assertThat(rejected.getDecisionId()).isEqualTo(rejection.decisionId());
    });
  }

  @Test
  void holdsAVersionForAnOperatorAndAnnouncesNothing() {
    VersionLifecycle.Outcome outcome = lifecycle.register(run(MANUAL, "run-1", 0.95, null), at(1));

    assertThat(statuses(MANUAL)).containsExactly("1 PENDING");
    assertThat(state.version(MANUAL, 1).reason()).contains("mode manual: waits for an operator");
    assertThat(state.model(MANUAL).champion()).isNull();
    assertThat(trail(MANUAL)).containsExactly("1 REGISTERED 1 training-service", "2 HELD 1 policy:auto");
    assertThat(outcome.announcements()).isEmpty();
  }

  @Test
  void numbersEveryVersionAndDecisionOfAModelInOrder() {
    threeChampions();
    lifecycle.register(run(MODEL, "run-4", 0.5, 3), at(4));

    assertThat(state.model(MODEL).latestVersion()).isEqualTo(4);
    assertThat(trail(MODEL)).containsExactly(
        "1 REGISTERED 1 training-service", "2 APPROVED 1 policy:auto",
        "3 REGISTERED 2 training-service", "4 APPROVED 2 policy:auto",
        "5 REGISTERED 3 training-service", "6 APPROVED 3 policy:auto",
        "7 REGISTERED 4 training-service", "8 REJECTED 4 policy:auto");
    assertThat(state.model(MODEL).decisions()).isEqualTo(8);
  }

  @Test
  void aRunSeenBeforeChangesNothing() {
    ModelTrained first = run(MODEL, "run-1", 0.95, null);
    lifecycle.register(first, at(1));
    List<String> writes = state.writes();

    // The same run announced again, under a new event id (a producer's retry).
    ModelTrained retry = run(MODEL, "run-1", 0.95, null);
    assertThat(retry.getEventId()).isNotEqualTo(first.getEventId());
    VersionLifecycle.Outcome again = lifecycle.register(retry, at(2));

    assertThat(again.decisions()).isEmpty();
    assertThat(again.announcements()).isEmpty();
    assertThat(state.writes()).isEqualTo(writes);
    assertThat(state.model(MODEL).latestVersion()).isEqualTo(1);
  }

  @Test
  void writesARegistrationsModelLast() {
    lifecycle.register(run(MODEL, "run-1", 0.95, null), at(1));

    assertThat(state.writes()).containsExactly("trained tumours 1", "run tumours run-1", "decision tumours 1", "version tumours 1 CHAMPION",
        "decision tumours 2", "model tumours");
  }

  // Operator requests: approve and reject a pending version.

  @Test
  void approvesAPendingVersionForAnOperator() {
    lifecycle.register(run(MANUAL, "run-1", 0.95, null), at(1));

    VersionLifecycle.Outcome outcome = decide(request(MANUAL, "req-1", ModelDecisionAction.APPROVE, 1, "looked at it"), 2);

    assertThat(statuses(MANUAL)).containsExactly("1 CHAMPION");
    VersionEntry version = state.version(MANUAL, 1);
    assertThat(version.decisionId()).isEqualTo("req-1");
    assertThat(version.reason()).isEqualTo("looked at it");
    assertThat(version.statusSince()).isEqualTo(at(2));
    assertThat(state.model(MANUAL).championHistory()).containsExactly(1);
    Decision decision = state.decisionOf(MANUAL, "req-1");
    assertThat(decision.action()).isEqualTo(DecisionAction.APPROVED);
    assertThat(decision.actor()).isEqualTo("alice");
    assertThat(decision.sequence()).isEqualTo(3);
    assertThat(decision.at()).isEqualTo(at(2));
    assertThat(outcome.decisions()).containsExactly(decision);
    assertThat(announced(outcome)).singleElement().isInstanceOfSatisfying(ModelApproved.class, approved -> {
      assertThat(approved.getDecisionId()).isEqualTo("req-1");
      assertThat(approved.getActor()).isEqualTo("alice");
      assertThat(approved.getReason()).isEqualTo("looked at it");
      assertThat(approved.getRunId()).isEqualTo("run-1");
    });
  }

  @Test
  void notesOnAnApprovalThatTheVersionWasNotComparedWithTheChampionItReplaces() {
    threeChampions();
    lifecycle.register(run(MODEL, "run-4", 0.96, 2), at(4)); // scored against a former champion: held
    lifecycle.register(run(MODEL, "run-5", 0.96, null), at(5)); // scored without one: held
    assertThat(statuses(MODEL)).endsWith("4 PENDING", "5 PENDING");

    VersionLifecycle.Outcome four = decide(request(MODEL, "req-4", ModelDecisionAction.APPROVE, 4, "fine"), 6);
    VersionLifecycle.Outcome five = decide(request(MODEL, "req-5", ModelDecisionAction.APPROVE, 5, "fine too"), 7);

    assertThat(four.decisions().get(0).reason())
        .isEqualTo("fine [not compared with the champion it replaces, version 3; scored against version 2]");
    assertThat(five.decisions().get(0).reason())
        .isEqualTo("fine too [not compared with the champion it replaces, version 4; scored without a champion]");
    assertThat(announced(five)).singleElement().isInstanceOfSatisfying(ModelApproved.class,
        approved -> assertThat(approved.getReason()).isEqualTo(five.decisions().get(0).reason()));
  }

  @Test
  void notesNothingWhenTheVersionWasScoredAgainstTheChampion() {
    lifecycle.register(run(MODEL, "run-1", 0.95, null), at(1));
    // A figure no rule looks at is NaN: held, though scored against the champion.
    lifecycle.register(trained(MODEL, "run-2", metrics(0.95, 0.97, Double.NaN), 1, GOOD, null), at(2));
    assertThat(statuses(MODEL)).containsExactly("1 CHAMPION", "2 PENDING");

    VersionLifecycle.Outcome outcome = decide(request(MODEL, "req-1", ModelDecisionAction.APPROVE, 2, "checked by hand"), 3);

    assertThat(outcome.decisions().get(0).reason()).isEqualTo("checked by hand");
  }

  @Test
  void rejectsAPendingVersionForAnOperator() {
    lifecycle.register(run(MANUAL, "run-1", 0.95, null), at(1));

    VersionLifecycle.Outcome outcome = decide(request(MANUAL, "req-1", ModelDecisionAction.REJECT, 1, "bad batch"), 2);

    assertThat(statuses(MANUAL)).containsExactly("1 REJECTED");
    assertThat(state.version(MANUAL, 1).reason()).isEqualTo("bad batch");
    assertThat(outcome.decisions()).singleElement().satisfies(decision -> {
      assertThat(decision.action()).isEqualTo(DecisionAction.REJECTED);
      assertThat(decision.violations()).isEmpty();
    });
    assertThat(announced(outcome)).singleElement().isInstanceOfSatisfying(ModelRejected.class, rejected -> {
      assertThat(rejected.getActor()).isEqualTo("alice");
      assertThat(rejected.getReason()).isEqualTo("bad batch");
      assertThat(rejected.getViolations()).isEmpty();
      assertThat(rejected.getDecisionId()).isEqualTo("req-1");
    });
  }

  @Test
  void refusesToApproveOrRejectWithoutAVersion() {
    lifecycle.register(run(MANUAL, "run-1", 0.95, null), at(1));

    assertRefused(MANUAL, decide(request(MANUAL, "req-1", ModelDecisionAction.APPROVE, null, "ok"), 2), "approve refused: no version given", null);
    assertRefused(MANUAL, decide(request(MANUAL, "req-2", ModelDecisionAction.REJECT, null, "no"), 3), "reject refused: no version given", null);
    assertThat(statuses(MANUAL)).containsExactly("1 PENDING");
  }

  @Test
  void refusesToApproveAVersionTheModelDoesNotHave() {
    lifecycle.register(run(MANUAL, "run-1", 0.95, null), at(1));

    assertRefused(MANUAL, decide(request(MANUAL, "req-1", ModelDecisionAction.APPROVE, 9, "ok"), 2), "approve refused: model careful has no version 9", 9);
  }

  @Test
  void refusesToApproveOrRejectAVersionThatIsNotPending() {
    lifecycle.register(run(MODEL, "run-1", 0.95, null), at(1));
    lifecycle.register(run(MODEL, "run-2", 0.5, 1), at(2));

    assertRefused(MODEL, decide(request(MODEL, "req-1", ModelDecisionAction.APPROVE, 2, "ok"), 3), "approve refused: version 2 is REJECTED, not PENDING", 2);
    assertRefused(MODEL, decide(request(MODEL, "req-2", ModelDecisionAction.REJECT, 1, "no"), 4), "reject refused: version 1 is CHAMPION, not PENDING", 1);
    assertThat(statuses(MODEL)).containsExactly("1 CHAMPION", "2 REJECTED");
  }

  /** The request was refused: on the record under its id and answered, nothing else changed, nothing announced. */
  private void assertRefused(String model, VersionLifecycle.Outcome outcome, String reason, Integer version) {
    assertThat(outcome.announcements()).isEmpty();
    assertThat(outcome.decisions()).singleElement().satisfies(decision -> {
      assertThat(decision.action()).isEqualTo(DecisionAction.REFUSED);
      assertThat(decision.reason()).isEqualTo(reason);
      assertThat(decision.version()).isEqualTo(version);
      assertThat(decision.actor()).isEqualTo("alice");
      assertThat(state.decisionOf(model, decision.decisionId())).as("the answer to the request").isEqualTo(decision);
      assertThat(state.model(model).decisions()).isEqualTo(decision.sequence());
    });
  }

  // Operator requests: roll back.

  @Test
  void rollsBackToTheChampionBeforeWhenNoVersionIsNamed() {
    lifecycle.register(run(MODEL, "run-1", 0.95, null), at(1));
    lifecycle.register(run(MODEL, "run-2", 0.96, 1), at(2));

    VersionLifecycle.Outcome outcome = decide(request(MODEL, "req-1", ModelDecisionAction.ROLLBACK, null, "faulty batch"), 3);

    assertThat(statuses(MODEL)).containsExactly("1 CHAMPION", "2 ROLLED_BACK");
    assertThat(state.version(MODEL, 2).reason()).isEqualTo("faulty batch");
    assertThat(state.version(MODEL, 1).reason()).isEqualTo("rollback from version 2 to version 1: faulty batch");
    assertThat(state.version(MODEL, 1).decisionId()).isEqualTo("req-1");
    assertThat(state.model(MODEL).championHistory()).containsExactly(1, 2, 1);
    assertThat(outcome.decisions()).singleElement().satisfies(decision -> {
      assertThat(decision.action()).isEqualTo(DecisionAction.ROLLED_BACK);
      assertThat(decision.version()).isEqualTo(1);
      assertThat(decision.previousChampion()).isEqualTo(2);
      assertThat(decision.reason()).isEqualTo("faulty batch");
    });
    assertThat(announced(outcome)).satisfiesExactly(
        first -> assertThat(first).isInstanceOfSatisfying(ModelRolledBack.class, rolledBack -> {
          assertThat(rolledBack.getFromVersion()).isEqualTo(2);
          assertThat(rolledBack.getToVersion()).isEqualTo(1);
          assertThat(rolledBack.getDecisionId()).isEqualTo("req-1");
          assertThat(rolledBack.getActor()).isEqualTo("alice");
          assertThat(rolledBack.getReason()).isEqualTo("faulty batch");
        }),
        second -> assertThat(second).isInstanceOfSatisfying(ModelApproved.class, approved -> {
          assertThat(approved.getVersion()).isEqualTo(1);
          assertThat(approved.getPreviousVersion()).isEqualTo(2);
          assertThat(approved.getRunId()).isEqualTo("run-1");
          assertThat(approved.getReason()).isEqualTo("rollback from version 2 to version 1: faulty batch");
        }));
  }

  @Test
  void rollsBackPastEveryVersionThatServedAfterTheNamedOne() {
    threeChampions();

    decide(request(MODEL, "req-1", ModelDecisionAction.ROLLBACK, 1, "all of 2 and 3 are bad"), 4);

    assertThat(statuses(MODEL)).containsExactly("1 CHAMPION", "2 ROLLED_BACK", "3 ROLLED_BACK");
    assertThat(state.version(MODEL, 2).reason()).isEqualTo("rolled back past, to version 1: all of 2 and 3 are bad");
    assertThat(state.version(MODEL, 3).reason()).isEqualTo("all of 2 and 3 are bad");
  }

  @Test
  void rollsBackOneChampionAtATimeLikeAStack() {
    threeChampions();

    decide(request(MODEL, "req-1", ModelDecisionAction.ROLLBACK, null, "3 is bad"), 4);
    assertThat(state.model(MODEL).champion()).isEqualTo(2);
    decide(request(MODEL, "req-2", ModelDecisionAction.ROLLBACK, null, "2 is bad too"), 5);
    assertThat(state.model(MODEL).champion()).isEqualTo(1);
    assertThat(statuses(MODEL)).containsExactly("1 CHAMPION", "2 ROLLED_BACK", "3 ROLLED_BACK");

    assertRefused(MODEL, decide(request(MODEL, "req-3", ModelDecisionAction.ROLLBACK, null, "and 1?"), 6),
        "rollback refused: no earlier champion to return to (name a version that served before)", null);
  }

  @Test
  void rollsBackToAVersionThatWasRolledBackPastWhenItIsNamed() {
    lifecycle.register(run(MODEL, "run-1", 0.95, null), at(1));
    lifecycle.register(run(MODEL, "run-2", 0.96, 1), at(2));
    decide(request(MODEL, "req-1", ModelDecisionAction.ROLLBACK, null, "2 looked bad"), 3);

    VersionLifecycle.Outcome outcome = decide(request(MODEL, "req-2", ModelDecisionAction.ROLLBACK, 2, "it was fine after all"), 4);

    assertThat(statuses(MODEL)).containsExactly("1 ROLLED_BACK", "2 CHAMPION");
    assertThat(state.model(MODEL).championHistory()).containsExactly(1, 2, 1, 2);
    assertThat(outcome.decisions().get(0).previousChampion()).isEqualTo(1);
  }

  @Test
  void refusesToRollBackAModelWithoutAChampion() {
    lifecycle.register(run(MANUAL, "run-1", 0.95, null), at(1));

    assertRefused(MANUAL, decide(request(MANUAL, "req-1", ModelDecisionAction.ROLLBACK, null, "r"), 2),
        "rollback refused: model careful has no champion to roll back", null);
  }

  @Test
  void refusesToRollBackToTheChampionOrToAVersionTheModelDoesNotHave() {
    lifecycle.register(run(MODEL, "run-1", 0.95, null), at(1));
    lifecycle.register(run(MODEL, "run-2", 0.96, 1), at(2));

    assertRefused(MODEL, decide(request(MODEL, "req-1", ModelDecisionAction.ROLLBACK, 2, "r"), 3), "rollback refused: version 2 is the champion already", 2);
    assertRefused(MODEL, decide(request(MODEL, "req-2", ModelDecisionAction.ROLLBACK, 7, "r"), 4), "rollback refused: model tumours has no version 7", 7);
    assertThat(statuses(MODEL)).containsExactly("1 RETIRED", "2 CHAMPION");
  }

  @Test
  void refusesToRollBackToAVersionThatNeverServed() {
    lifecycle.register(run(MODEL, "run-1", 0.95, null), at(1));
    lifecycle.register(run(MODEL, "run-2", 0.5, 1), at(2));
    lifecycle.register(run(MODEL, "run-3", 0.96, null), at(3)); // held: not compared with the champion

    assertRefused(MODEL, decide(request(MODEL, "req-1", ModelDecisionAction.ROLLBACK, 2, "r"), 4),
        "rollback refused: version 2 is REJECTED and has never served; a rollback returns to a version that was champion", 2);
    assertRefused(MODEL, decide(request(MODEL, "req-2", ModelDecisionAction.ROLLBACK, 3, "r"), 5),
        "rollback refused: version 3 is PENDING and has never served; a rollback returns to a version that was champion (approve it instead)", 3);
  }

  // What every request shares: its mark, its idempotence, an unknown model.

  @Test
  void marksARequestAppliedOnlyAfterTheModelIsWritten() {
    lifecycle.register(run(MANUAL, "run-1", 0.95, null), at(1));
    int before = state.writes().size();

    decide(request(MANUAL, "req-1", ModelDecisionAction.APPROVE, 1, "ok"), 2);

    // An operator's call waiting for the outcome reads the mark, then the model: the model must be written first.
    assertThat(state.writes().subList(before, state.writes().size()))
        .containsExactly("version careful 1 CHAMPION", "decision careful 3", "model careful", "request careful req-1");
  }

  @Test
  void marksARefusedRequestAfterTheModelToo() {
    lifecycle.register(run(MANUAL, "run-1", 0.95, null), at(1));
    int before = state.writes().size();

    decide(request(MANUAL, "req-1", ModelDecisionAction.ROLLBACK, null, "r"), 2);

    assertThat(state.writes().subList(before, state.writes().size()))
        .containsExactly("decision careful 3", "model careful", "request careful req-1");
    assertThat(state.model(MANUAL).decisions()).isEqualTo(3);
  }

  @Test
  void aRequestSeenBeforeChangesNothing() {
    lifecycle.register(run(MANUAL, "run-1", 0.95, null), at(1));
    ModelDecisionRequested approve = request(MANUAL, "req-1", ModelDecisionAction.APPROVE, 1, "ok");
    decide(approve, 2);
    List<String> writes = state.writes();

    VersionLifecycle.Outcome again = decide(approve, 3);

    assertThat(again.decisions()).isEmpty();
    assertThat(again.announcements()).isEmpty();
    assertThat(state.writes()).isEqualTo(writes);
    assertThat(state.decisionOf(MANUAL, "req-1").action()).as("still answered by the approval, not a refusal").isEqualTo(DecisionAction.APPROVED);
  }

  @Test
  void hasNothingToApplyARequestForAModelItDoesNotKnowTo() {
    assertThat(lifecycle.request(request("unknown", "req-1", ModelDecisionAction.APPROVE, 1, "ok"), at(1))).isEmpty();
    assertThat(state.writes()).isEmpty();
  }
}
