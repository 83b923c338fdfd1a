package io.kloop.monitor.drift;

import static io.kloop.monitor.drift.DriftStatisticsTest.categorical;
import static io.kloop.monitor.drift.DriftStatisticsTest.numeric;
import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.FeatureProfiles;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftWindowAccumulatorTest {

  private static final FeatureProfile X = numeric("x", List.of(0.0), List.of(0.5, 0.5), List.of(-1.0, 1.0));
  private static final FeatureProfile FLAG = FeatureProfiles.categorical("flag", FeatureType.BOOLEAN,
      List.of("false", "true"), List.of(true, false));
  private static final FeatureProfile KIND = categorical("kind", Map.of("a", 0.5, "b", 0.5));
  private static final ReferenceProfile REFERENCE = TrainingLikeProfiles.profile(List.of(X, FLAG, KIND),
      TrainingLikeProfiles.binaryOutput(List.of("neg", "pos"), new double[] {0.1, 0.9}, 1), 1);

  @Test
  void shouldReadNumbersOfEveryTypeAndCountTheRestAsMissing() {
    DriftWindowAccumulator window = new DriftWindowAccumulator(REFERENCE, List.of("neg", "pos"));
    for (Object value : new Object[] {1.5, 2L, 3, null, "4", Double.NaN, true, Double.POSITIVE_INFINITY}) {
      Map<String, Object> inputs = new HashMap<>();
      inputs.put("x", value);
      window.add(inputs, "neg", Map.of("neg", 0.8, "pos", 0.2));
    }

    assertThat(window.numeric(0).copy()).containsExactly(1.5, 2.0, 3.0, Double.POSITIVE_INFINITY);
    assertThat(window.missing("x")).isEqualTo(4);
    assertThat(window.count()).isEqualTo(8);
    // flag and kind were absent from every prediction.
    assertThat(window.missing("flag")).isEqualTo(8);
    assertThat(window.missing("kind")).isEqualTo(8);
  }

  @Test
  void shouldCountBooleansAndCategoriesAndEachUnseenValue() {
    DriftWindowAccumulator window = new DriftWindowAccumulator(REFERENCE, List.of("neg", "pos"));
    Object[][] rows = {{true, "a"}, {false, "a"}, {true, "b"}, {"true", "z"}, {1L, "z"}, {true, 7L}};
    for (Object[] row : rows) {
      window.add(Map.of("flag", row[0], "kind", row[1]), "pos", Map.of("neg", 0.3, "pos", 0.7));
    }

    DriftWindowAccumulator.CategoryCounts flag = window.categorical(1);
    assertThat(flag.categories()).containsExactly("false", "true");
    assertThat(flag.counts()).containsExactly(1, 4);
    assertThat(flag.unseen()).containsOnlyKeys("1");
    DriftWindowAccumulator.CategoryCounts kind = window.categorical(2);
    assertThat(kind.counts()).containsExactly(2, 1);
    assertThat(kind.unseen()).containsOnlyKeys("z", "7");
    assertThat(kind.unseen().get("z")).containsExactly(2);
    assertThat(kind.unseenTotal()).isEqualTo(3);
    assertThat(kind.total()).isEqualTo(6);
  }

  @Test
  void shouldCapTheDistinctUnseenValuesItKeeps() {
    DriftWindowAccumulator window = new DriftWindowAccumulator(REFERENCE, List.of("neg", "pos"));
    for (int i = 0; i < 1000; i++) {
      window.add(Map.of("kind", "id-" + i), "pos", Map.of());
    }

    DriftWindowAccumulator.CategoryCounts kind = window.categorical(2);
    assertThat(kind.unseen()).hasSize(DriftWindowAccumulator.MAX_UNSEEN_VALUES + 1);
    assertThat(kind.unseen().get(DriftWindowAccumulator.OTHER_UNSEEN)).containsExactly(1000 - DriftWindowAccumulator.MAX_UNSEEN_VALUES);
    assertThat(kind.unseenTotal()).isEqualTo(1000);
  }

  @Test
  void shouldKeepAnUnseenValueByItsBeginningOnly() {
    DriftWindowAccumulator window = new DriftWindowAccumulator(REFERENCE, List.of("neg", "pos"));
    String prefix = "x".repeat(200);
    window.add(Map.of("kind", prefix + "a".repeat(100_000)), "pos", Map.of());
    window.add(Map.of("kind", prefix + "b"), "pos", Map.of());
    window.add(Map.of("kind", "y".repeat(200)), "pos", Map.of());

    DriftWindowAccumulator.CategoryCounts kind = window.categorical(2);
    assertThat(kind.unseen()).containsOnlyKeys(prefix + "…", "y".repeat(200));
    assertThat(kind.unseen().get(prefix + "…")).containsExactly(2);
    assertThat(kind.unseenTotal()).isEqualTo(3);
  }

  @Test
  void shouldCountPredictedClassesAndTheSecondClassProbability() {
    DriftWindowAccumulator window = new DriftWindowAccumulator(REFERENCE, List.of("neg", "pos"));
    for (int i = 0; i < 3000; i++) {
      window.add(1_000L + i % 7, Map.of("x", i), i % 3 == 0 ? "pos" : "neg", Map.of("neg", 0.6, "pos", i / 3000.0));
    }
    window.add(5L, Map.of(), "maybe", Map.of("neg", 0.6));

    assertThat(window.predicted().counts()).containsExactly(2000, 1000);
    assertThat(window.predicted().unseen()).containsOnlyKeys("maybe");
    assertThat(window.secondClass()).isEqualTo("pos");
    assertThat(window.secondClassProbability().size()).isEqualTo(3000);
    assertThat(window.secondClassProbability().copy()[2999]).isEqualTo(2999 / 3000.0);
    assertThat(window.numeric(0).size()).isEqualTo(3000);
    assertThat(window.count()).isEqualTo(3001);
    assertThat(window.earliestEventTime()).hasValue(5);
    assertThat(window.latestEventTime()).hasValue(1006);
  }

  @Test
  void shouldKeepNoProbabilitiesForModelsWithMoreThanTwoClasses() {
    DriftWindowAccumulator window = new DriftWindowAccumulator(REFERENCE, List.of("a", "b", "c"));
    window.add(Map.of("x", 1.0), "a", Map.of("a", 0.5, "b", 0.3, "c", 0.2));
    assertThat(window.secondClassProbability()).isNull();
    assertThat(window.earliestEventTime()).isEmpty();
    assertThat(window.count()).isEqualTo(1);
  }
}
