package io.kloop.monitor.truth;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.truth.GroundTruthJoin.Fate;
import io.kloop.monitor.truth.GroundTruthJoin.Step;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

/**
 * The join's rules with the time given by the test: an outcome per case, the horizons to the millisecond, expiry
 * from the index, and the markers' lifetime. Predictions wait 10 minutes, labels 1 minute, markers last 30 minutes.
 */
class GroundTruthJoinTest {

  private static final String MODEL = "churn";
  private static final long T0 = Instant.parse("2026-03-04T05:06:07Z").toEpochMilli();
  private static final long MINUTE = 60_000;
  private static final MonitorProperties.GroundTruth SETTINGS =
      new MonitorProperties.GroundTruth(Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofMinutes(30), 16_384);

  private final JoinStores stores = new JoinStores(new MockProcessorContext<>());
  private final JoinState state = stores.state();
  /** Version 1's classes are known (from its approval); version 2's are not. */
  private final GroundTruthJoin join = new GroundTruthJoin(SETTINGS,
      (model, version) -> version == 1 ? Optional.of(List.of("stay", "leave")) : Optional.empty());

  private PendingPrediction prediction(int version, long predictedAt) {
    return new PendingPrediction(version, predictedAt, join.deadline(predictedAt), "stay", Map.of("stay", 0.7, "leave", 0.3),
        Map.of("x", 1.5));
  }

  private static EarlyLabel label(String label) {
    return EarlyLabel.arriving(label, T0 - 5, new EarlyLabel.Source("labels", 2, 17, T0, label.getBytes(StandardCharsets.UTF_8)));
  }

  private Step predict(String id, long predictedAt, long now) {
    return join.prediction(MODEL, id, prediction(1, predictedAt), now, state);
  }

  @Test
  void shouldJoinALabelThatComesWithinTheAfterHorizonAndRememberTheJoin() {
    assertThat(predict("p1", T0, T0).fate()).isEqualTo(Fate.WAITING);

    Step step = join.label(MODEL, "p1", label("leave"), T0 + 10 * MINUTE - 1, state);

    assertThat(step.refusals()).isEmpty();
    assertThat(step.joined()).singleElement().satisfies(joined -> {
      assertThat(joined.predictionId()).isEqualTo("p1");
      assertThat(joined.label()).isEqualTo("leave");
      assertThat(joined.observedAt()).isEqualTo(T0 - 5);
      assertThat(joined.prediction().predictedClass()).isEqualTo("stay");
      assertThat(joined.prediction().inputs()).containsEntry("x", 1.5);
    });
    assertThat(state.pending(GroundTruthJoin.key(MODEL, "p1"))).isNull();
    assertThat(state.marker(GroundTruthJoin.key(MODEL, "p1"))).isEqualTo(new Marker(Marker.Kind.JOINED, T0 + 10 * MINUTE - 1 + 30 * MINUTE));
    assertThat(stores.indexSize()).as("only the marker's end is indexed").isEqualTo(1);
  }

  @Test
  void shouldFindALabelAtTheHorizonLateWhetherOrNotExpiryRan() {
    predict("p1", T0, T0);
    predict("p2", T0, T0);

    // p1: expiry has not run; the label comes exactly at the horizon.
    Step atHorizon = join.label(MODEL, "p1", label("stay"), T0 + 10 * MINUTE, state);
    assertThat(atHorizon.joined()).isEmpty();
    assertThat(atHorizon.expired()).isEqualTo(1);
    assertThat(atHorizon.refusals()).singleElement().satisfies(refusal -> {
      assertThat(refusal.outcome()).isEqualTo(Outcome.LATE);
      assertThat(refusal.stored()).isNull();
      assertThat(refusal.reason()).isEqualTo("the label of prediction p1 of model churn came after the prediction's horizon: "
          + "a prediction waits 10m (after-horizon) for its label");
    });

    // p2: expiry ran first.
    Step expiry = join.expire(T0 + 10 * MINUTE, 100, state);
    assertThat(expiry.expired()).isEqualTo(1);
    assertThat(state.pending(GroundTruthJoin.key(MODEL, "p2"))).isNull();
    assertThat(join.label(MODEL, "p2", label("stay"), T0 + 11 * MINUTE, state).refusals()).extracting(GroundTruthJoin.Refusal::outcome)
        .containsExactly(Outcome.LATE);
  }

  @Test
  void shouldForgetAnExpiredPredictionAfterTheMarkerRetention() {
    predict("p1", T0, T0);
    join.expire(T0 + 10 * MINUTE, 100, state);
    assertThat(join.expire(T0 + 40 * MINUTE - 1, 100, state).expired()).isZero();
    assertThat(state.marker(GroundTruthJoin.key(MODEL, "p1"))).isNotNull();

    join.expire(T0 + 40 * MINUTE, 100, state);

    assertThat(state.marker(GroundTruthJoin.key(MODEL, "p1"))).isNull();
    assertThat(stores.indexSize()).isZero();
    Step forgotten = join.label(MODEL, "p1", label("stay"), T0 + 41 * MINUTE, state);
    assertThat(forgotten.refusals()).isEmpty();
    assertThat(forgotten.held()).as("nothing is known of p1 any more: the label waits for it as for any prediction").isTrue();
  }

  @Test
  void shouldJoinALabelThatCameBeforeItsPredictionWithinTheBeforeHorizon() {
    Step early = join.label(MODEL, "p1", label("leave"), T0, state);
    assertThat(early.held()).isTrue();
    assertThat(early.refusals()).isEmpty();

    Step step = predict("p1", T0 - 2 * MINUTE, T0 + MINUTE - 1);

    assertThat(step.fate()).isEqualTo(Fate.JOINED);
    assertThat(step.joined()).singleElement().extracting(GroundTruthJoin.Joined::label).isEqualTo("leave");
    assertThat(state.early(GroundTruthJoin.key(MODEL, "p1"))).isNull();
    assertThat(state.pending(GroundTruthJoin.key(MODEL, "p1"))).isNull();
    assertThat(state.marker(GroundTruthJoin.key(MODEL, "p1")).kind()).isEqualTo(Marker.Kind.JOINED);
  }

  @Test
  void shouldRefuseALabelWhosePredictionNeverCameAsUnknownWithItsRecord() {
    join.label(MODEL, "ghost", label("leave"), T0, state);

    assertThat(join.expire(T0 + MINUTE - 1, 100, state).refusals()).isEmpty();
    Step step = join.expire(T0 + MINUTE, 100, state);

    assertThat(step.refusals()).singleElement().satisfies(refusal -> {
      assertThat(refusal.outcome()).isEqualTo(Outcome.UNKNOWN);
      assertThat(refusal.model()).isEqualTo(MODEL);
      assertThat(refusal.predictionId()).isEqualTo("ghost");
      assertThat(refusal.reason()).isEqualTo("no prediction ghost of model churn came within 1m (before-horizon) of its label");
      assertThat(refusal.stored().record().topic()).isEqualTo("labels");
      assertThat(refusal.stored().record().offset()).isEqualTo(17);
      assertThat(new String(refusal.stored().record().value(), StandardCharsets.UTF_8)).isEqualTo("leave");
    });
    assertThat(stores.indexSize()).isZero();
  }

  @Test
  void shouldRefuseAnUnknownLabelWhenItsPredictionComesTooLateEvenBeforeExpiryRan() {
    join.label(MODEL, "p1", label("leave"), T0, state);

    Step step = predict("p1", T0, T0 + MINUTE);

    assertThat(step.refusals()).extracting(GroundTruthJoin.Refusal::outcome).containsExactly(Outcome.UNKNOWN);
    assertThat(step.joined()).isEmpty();
    assertThat(step.fate()).as("the prediction waits for a label of its own").isEqualTo(Fate.WAITING);
  }

  @Test
  void shouldCountTheFirstLabelAndRefuseTheNextAsDuplicates() {
    predict("p1", T0, T0);
    join.label(MODEL, "p1", label("leave"), T0 + 1, state);

    Step again = join.label(MODEL, "p1", label("stay"), T0 + 2, state);
    assertThat(again.refusals()).singleElement().satisfies(refusal -> {
      assertThat(refusal.outcome()).isEqualTo(Outcome.DUPLICATE);
      assertThat(refusal.reason()).isEqualTo("prediction p1 of model churn was joined to a label already");
    });

    join.label(MODEL, "p2", label("leave"), T0, state);
    Step secondEarly = join.label(MODEL, "p2", label("leave"), T0 + 1, state);
    assertThat(secondEarly.refusals()).singleElement().satisfies(refusal -> {
      assertThat(refusal.outcome()).isEqualTo(Outcome.DUPLICATE);
      assertThat(refusal.reason()).isEqualTo("a label for prediction p2 of model churn came already and waits for the prediction");
    });
    assertThat(predict("p2", T0, T0 + 2).joined()).as("the first label joins").singleElement()
        .extracting(GroundTruthJoin.Joined::label).isEqualTo("leave");
  }

  @Test
  void shouldRefuseALabelOfNoClassOfTheVersionAndKeepThePredictionWaiting() {
    predict("p1", T0, T0);

    Step wrong = join.label(MODEL, "p1", label("maybe"), T0 + 1, state);
    assertThat(wrong.refusals()).singleElement().satisfies(refusal -> {
      assertThat(refusal.outcome()).isEqualTo(Outcome.UNKNOWN_CLASS);
      assertThat(refusal.reason()).isEqualTo("label 'maybe' of prediction p1 is not one of model churn version 1's classes [stay, leave]");
    });
    assertThat(state.pending(GroundTruthJoin.key(MODEL, "p1"))).isNotNull();

    assertThat(join.label(MODEL, "p1", label("leave"), T0 + 2, state).joined()).hasSize(1);
  }

  @Test
  void shouldTakeTheClassesOfAVersionWithoutApprovalFromItsProbabilities() {
    join.prediction(MODEL, "p1", prediction(2, T0), T0, state);
    join.prediction(MODEL, "p2", prediction(2, T0), T0, state);

    assertThat(join.label(MODEL, "p1", label("leave"), T0 + 1, state).joined()).hasSize(1);
    assertThat(join.label(MODEL, "p2", label("maybe"), T0 + 1, state).refusals()).singleElement()
        .satisfies(refusal -> assertThat(refusal.reason()).contains("version 2's classes").contains("stay").contains("leave"));
  }

  @Test
  void shouldRefuseAnEarlyLabelOfNoClassWhenItsPredictionComes() {
    join.label(MODEL, "p1", label("maybe"), T0, state);

    Step step = predict("p1", T0, T0 + 1);

    assertThat(step.refusals()).singleElement().satisfies(refusal -> {
      assertThat(refusal.outcome()).isEqualTo(Outcome.UNKNOWN_CLASS);
      assertThat(refusal.stored()).as("the label that waited is dead-lettered, not the prediction").isNotNull();
    });
    assertThat(step.fate()).isEqualTo(Fate.WAITING);
  }

  @Test
  void shouldIgnoreAPredictionIdSeenBefore() {
    predict("p1", T0, T0);
    assertThat(predict("p1", T0 + 5, T0 + 5).fate()).isEqualTo(Fate.REPEATED);
    assertThat(state.pending(GroundTruthJoin.key(MODEL, "p1")).predictedAt()).as("the first is kept").isEqualTo(T0);

    join.label(MODEL, "p1", label("leave"), T0 + 6, state);
    assertThat(predict("p1", T0 + 7, T0 + 7).fate()).as("a joined prediction logged again").isEqualTo(Fate.REPEATED);
  }

  @Test
  void shouldNotKeepAPredictionPastItsHorizonAndFindItsLabelLate() {
    Step step = predict("old", T0 - 10 * MINUTE, T0);

    assertThat(step.fate()).isEqualTo(Fate.TOO_OLD);
    assertThat(state.pending(GroundTruthJoin.key(MODEL, "old"))).isNull();
    assertThat(join.label(MODEL, "old", label("stay"), T0 + 1, state).refusals()).extracting(GroundTruthJoin.Refusal::outcome)
        .containsExactly(Outcome.LATE);
  }

  @Test
  void shouldFindAnEarlyLabelLateWhenItCameAfterItsPredictionsHorizon() {
    join.label(MODEL, "p1", label("stay"), T0, state);

    // Served 10 minutes before the label came: the label was already past the prediction's horizon when it came.
    Step step = predict("p1", T0 - 10 * MINUTE, T0 + 1);

    assertThat(step.refusals()).extracting(GroundTruthJoin.Refusal::outcome).containsExactly(Outcome.LATE);
    assertThat(step.fate()).isEqualTo(Fate.TOO_OLD);
  }

  @Test
  void shouldEndOnlyWhatIsDueAndAtMostTheGivenNumberARun() {
    for (int i = 0; i < 5; i++) {
      predict("p" + i, T0 + i * MINUTE, T0);
    }
    assertThat(join.expire(T0 + 10 * MINUTE + MINUTE, 100, state).expired()).as("p0 and p1").isEqualTo(2);
    assertThat(join.expire(T0 + 20 * MINUTE, 2, state).expired()).as("two of the last three").isEqualTo(2);
    assertThat(join.expire(T0 + 20 * MINUTE, 2, state).expired()).isEqualTo(1);
    assertThat(state.pending(GroundTruthJoin.key(MODEL, "p4"))).isNull();
  }

  @Test
  void shouldRefuseALabelAtOnceWhenLabelsMayNotWaitForTheirPrediction() {
    GroundTruthJoin strict = new GroundTruthJoin(new MonitorProperties.GroundTruth(Duration.ofMinutes(10), Duration.ZERO, Duration.ofMinutes(30),
        16_384), (model, version) -> Optional.empty());

    Step step = strict.label(MODEL, "p1", label("stay"), T0, state);

    assertThat(step.held()).isFalse();
    assertThat(step.refusals()).extracting(GroundTruthJoin.Refusal::outcome).containsExactly(Outcome.UNKNOWN);
    assertThat(stores.indexSize()).isZero();
  }

  @Test
  void shouldWriteDurationsAsTheSettingsAreWritten() {
    assertThat(GroundTruthJoin.words(Duration.ofDays(7))).isEqualTo("7d");
    assertThat(GroundTruthJoin.words(Duration.ofHours(1))).isEqualTo("1h");
    assertThat(GroundTruthJoin.words(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(GroundTruthJoin.words(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }
}
