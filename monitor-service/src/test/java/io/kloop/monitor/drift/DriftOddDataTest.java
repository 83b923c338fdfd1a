package io.kloop.monitor.drift;

import static io.kloop.monitor.drift.DriftStatisticsTest.categorical;
import static io.kloop.monitor.drift.DriftStatisticsTest.numeric;
import static io.kloop.monitor.drift.DriftStatisticsTest.profile;
import static io.kloop.monitor.drift.DriftStatisticsTest.statistic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.DriftTest;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.FeatureProfiles;
import io.kloop.monitor.drift.SyntheticModel.Scenario;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unseen categories, missing values, constant and empty features: reported, never a failure. */
class DriftOddDataTest {

  private static final ReferenceProfile REFERENCE = SyntheticModel.reference(42, 10_000, 5_000);

  private final DriftAnalyzer analyzer = new DriftAnalyzer();

  @Test
  void shouldCountALargeShareOfUnseenCategoriesAsDrift() {
    SyntheticModel traffic = new SyntheticModel(21);
    for (int w = 0; w < 5; w++) {
      DriftAssessment assessment = analyzer.assess(REFERENCE,
          traffic.window(REFERENCE, Scenario.stationary().withUnseenColours(0.05), 1000), DriftSettings.defaults());
      assertThat(assessment.driftedFeatures()).as("window %d", w).containsExactly("colour");
      assertThat(statistic(assessment, "colour", DriftTest.PSI).getStatistic()).isGreaterThan(0.1);
    }
  }

  @Test
  void shouldNotCountAFewStrayCategoriesAsDriftThoughTheTestNoticesThem() {
    DriftWindowAccumulator window = new SyntheticModel(22).window(REFERENCE, Scenario.stationary(), 998);
    Map<String, Object> stray = new HashMap<>(new SyntheticModel(23).next(Scenario.stationary()));
    stray.put("colour", "purple");
    window.add(stray, "no", Map.of("no", 0.9, "yes", 0.1));
    stray.put("colour", 17L);
    window.add(stray, "no", Map.of("no", 0.9, "yes", 0.1));

    DriftAssessment assessment = analyzer.assess(REFERENCE, window, DriftSettings.defaults());

    assertThat(statistic(assessment, "colour", DriftTest.CHI_SQUARE).getDrifted()).isTrue();
    assertThat(statistic(assessment, "colour", DriftTest.PSI).getStatistic()).isLessThan(0.02);
    assertThat(assessment.featureVerdicts()).containsEntry("colour", false);
    DriftAssessment testOnly = analyzer.assess(REFERENCE, window, new DriftSettings(0.05, 0.1, 0.1, 0.5, false));
    assertThat(testOnly.featureVerdicts()).containsEntry("colour", true);
  }

  @Test
  void shouldSkipAFeatureMissingFromTheWholeWindowAndSaySo() {
    SyntheticModel traffic = new SyntheticModel(24);
    DriftWindowAccumulator window = new DriftWindowAccumulator(REFERENCE, SyntheticModel.CLASSES);
    for (int i = 0; i < 1000; i++) {
      Map<String, Object> row = new HashMap<>(traffic.next(Scenario.stationary()));
      row.put("x3", i % 2 == 0 ? null : "n/a");
      row.remove("flag");
      window.add(row, "no", Map.of("no", 0.7, "yes", 0.3));
    }

    DriftAssessment assessment = analyzer.assess(REFERENCE, window, DriftSettings.defaults());

    assertThat(assessment.featureVerdicts()).containsOnlyKeys("x1", "x2", "x4", "skewed", "colour");
    assertThat(assessment.notes()).anySatisfy(note -> assertThat(note).startsWith("x3: skipped").contains("1000 missing"))
        .anySatisfy(note -> assertThat(note).startsWith("flag: skipped"));
    assertThat(assessment.statistics()).noneMatch(s -> s.getFeature().equals("x3") || s.getFeature().equals("flag"));
    assertThat(assessment.hypothesisTests()).isEqualTo(5 + 2);
    assertThat(assessment.pValueThreshold()).isEqualTo(0.05 / 7);
    assertThat(window.missing("x3")).isEqualTo(1000);
  }

  @Test
  void shouldAssessAWindowWithNoUsableInputsAtAll() {
    DriftWindowAccumulator window = new DriftWindowAccumulator(REFERENCE, SyntheticModel.CLASSES);
    Map<String, Object> nothing = new HashMap<>();
    for (String feature : List.of("x1", "x2", "x3", "x4", "skewed", "colour", "flag")) {
      nothing.put(feature, null);
    }
    for (int i = 0; i < 10; i++) {
      window.add(nothing, null, Map.of());
    }

    DriftAssessment assessment = analyzer.assess(REFERENCE, window, DriftSettings.defaults());

    assertThat(assessment.featureVerdicts()).isEmpty();
    assertThat(assessment.statistics()).isEmpty();
    assertThat(assessment.hypothesisTests()).isZero();
    assertThat(assessment.driftedShare()).isZero();
    assertThat(assessment.drifting()).isFalse();
    assertThat(assessment.notes()).hasSize(7 + 2);

    DriftAssessment empty = analyzer.assess(REFERENCE, new DriftWindowAccumulator(REFERENCE, SyntheticModel.CLASSES),
        DriftSettings.defaults());
    assertThat(empty.drifting()).isFalse();
    assertThat(empty.notes()).hasSize(7 + 2);
  }

  @Test
  void shouldHandleConstantFeaturesAndTies() {
    double[] sevens = new double[1000];
    java.util.Arrays.fill(sevens, 7.0);
    FeatureProfile constant = FeatureProfiles.numeric("constant", sevens, 1);
    assertThat(constant.getBinEdges()).containsExactly(7.0);
    ReferenceProfile reference = profile(List.of(constant));

    DriftWindowAccumulator same = new DriftWindowAccumulator(reference, List.of("only"));
    DriftWindowAccumulator moved = new DriftWindowAccumulator(reference, List.of("only"));
    for (int i = 0; i < 1000; i++) {
      same.add(Map.of("constant", 7), "only", Map.of());
      moved.add(Map.of("constant", i % 2 == 0 ? 7L : 8L), "only", Map.of());
    }

    DriftAssessment unchanged = analyzer.assess(reference, same, DriftSettings.defaults());
    assertThat(statistic(unchanged, "constant", DriftTest.KOLMOGOROV_SMIRNOV).getStatistic()).isZero();
    assertThat(statistic(unchanged, "constant", DriftTest.KOLMOGOROV_SMIRNOV).getPValue()).isEqualTo(1.0);
    assertThat(statistic(unchanged, "constant", DriftTest.PSI).getStatistic()).isZero();
    assertThat(unchanged.featureVerdicts()).containsExactly(Map.entry("constant", false));

    DriftAssessment changed = analyzer.assess(reference, moved, DriftSettings.defaults());
    assertThat(changed.featureVerdicts()).containsExactly(Map.entry("constant", true));
  }

  @Test
  void shouldSkipFeaturesWithAnEmptyReference() {
    FeatureProfile neverSeen = FeatureProfiles.numeric("never", new double[0], 1);
    FeatureProfile noCategories = FeatureProfiles.categorical("kind", FeatureType.CATEGORICAL, List.of("a", "b"), List.of());
    ReferenceProfile reference = profile(List.of(neverSeen, noCategories));
    DriftWindowAccumulator window = new DriftWindowAccumulator(reference, List.of("only"));
    for (int i = 0; i < 100; i++) {
      window.add(Map.of("never", i, "kind", "a"), "only", Map.of());
    }

    DriftAssessment assessment = analyzer.assess(reference, window, DriftSettings.defaults());

    assertThat(assessment.featureVerdicts()).isEmpty();
    assertThat(assessment.notes()).containsExactly("never: skipped, its reference profile is empty",
        "kind: skipped, its reference profile is empty");
    // The output (one class, always predicted) is still tested, and fits perfectly.
    assertThat(statistic(assessment, "output", DriftTest.CHI_SQUARE).getPValue()).isEqualTo(1.0);
  }

  @Test
  void shouldSkipANumericFeatureWhoseBinsDoNotMatchItsProportions() {
    FeatureProfile broken = numeric("broken", List.of(0.0, 1.0), List.of(0.5, 0.5), List.of(-1.0, 0.5, 2.0));
    ReferenceProfile reference = profile(List.of(broken));
    DriftWindowAccumulator window = new DriftWindowAccumulator(reference, List.of("only"));
    for (int i = 0; i < 100; i++) {
      window.add(Map.of("broken", i / 50.0), "only", Map.of());
    }

    DriftAssessment assessment = analyzer.assess(reference, window, DriftSettings.defaults());

    assertThat(assessment.featureVerdicts()).isEmpty();
    assertThat(assessment.notes()).containsExactly("broken: skipped, its reference profile has 2 bin edges but 2 bin proportions");
  }

  @Test
  void shouldTestAgainstPooledCategoriesTheReferenceNeverSaw() {
    // "b" is declared but had no training values: counting it must not divide by zero.
    ReferenceProfile reference = profile(List.of(categorical("kind", Map.of("a", 0.6, "b", 0.0, "c", 0.4))));
    DriftWindowAccumulator window = new DriftWindowAccumulator(reference, List.of("only"));
    for (int i = 0; i < 1000; i++) {
      window.add(Map.of("kind", i % 10 < 5 ? "a" : i % 10 < 9 ? "c" : "b"), "only", Map.of());
    }

    DriftAssessment assessment = analyzer.assess(reference, window, DriftSettings.defaults());

    assertThat(statistic(assessment, "kind", DriftTest.CHI_SQUARE).getPValue()).isLessThan(1e-100);
    assertThat(statistic(assessment, "kind", DriftTest.PSI).getStatistic()).isGreaterThan(0.5);
    assertThat(assessment.featureVerdicts()).containsExactly(Map.entry("kind", true));
  }

  @Test
  void shouldRefuseAWindowBuiltFromAnotherProfile() {
    ReferenceProfile other = profile(List.of(categorical("kind", Map.of("a", 1.0))));
    DriftWindowAccumulator window = new DriftWindowAccumulator(other, List.of("only"));
    assertThatThrownBy(() -> analyzer.assess(REFERENCE, window, DriftSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other features");
  }
}
