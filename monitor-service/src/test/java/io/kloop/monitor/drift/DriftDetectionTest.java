package io.kloop.monitor.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.DriftStatistic;
import io.kloop.events.DriftTest;
import io.kloop.events.ReferenceProfile;
import io.kloop.monitor.drift.SyntheticModel.Scenario;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Drift detection on the synthetic model's traffic: quiet when nothing changes, prompt when something does. */
class DriftDetectionTest {

  private static final int WINDOW = 1000;
  private static final ReferenceProfile REFERENCE = SyntheticModel.reference(42, 10_000, 5_000);
  private static final List<String> INPUTS = List.of("x1", "x2", "x3", "x4", "skewed", "colour", "flag");

  private final DriftAnalyzer analyzer = new DriftAnalyzer();
  private final DriftSettings settings = DriftSettings.defaults();

  @Test
  void shouldRaiseFewFalseAlarmsOnStationaryTraffic() {
    SyntheticModel traffic = new SyntheticModel(7);
    int windows = 1000;
    int drifting = 0;
    int anyFeature = 0;
    int outputDrifted = 0;
    int anySignificantTest = 0;
    for (int w = 0; w < windows; w++) {
      DriftAssessment assessment = analyzer.assess(REFERENCE, traffic.window(REFERENCE, Scenario.stationary(), WINDOW), settings);
      assertThat(assessment.featureVerdicts()).containsOnlyKeys(INPUTS);
      drifting += assessment.drifting() ? 1 : 0;
      anyFeature += assessment.featureVerdicts().containsValue(true) ? 1 : 0;
      outputDrifted += assessment.outputDrifted() ? 1 : 0;
      anySignificantTest += assessment.statistics().stream().anyMatch(s -> s.getPValue() != null && s.getDrifted()) ? 1 : 0;
    }
    String rates = String.format(Locale.ROOT,
        "of %d stationary windows: %d drifting, %d with a drifted feature, %d with drifted output, %d with a significant test",
        windows, drifting, anyFeature, outputDrifted, anySignificantTest);
    System.out.println(rates);
    assertThat((double) drifting / windows).as(rates).isLessThan(0.01);
    assertThat((double) anyFeature / windows).as(rates).isLessThan(0.01);
  }

  @ParameterizedTest
  @CsvSource({"0, 0.5", "1, -0.5", "2, 0.5", "3, -0.5"})
  void shouldFlagAHalfStandardDeviationMeanShiftInOneFeatureWithinTwoWindows(int feature, double sds) {
    SyntheticModel traffic = new SyntheticModel(100 + feature);
    String shifted = SyntheticModel.NUMERIC.get(feature);
    Scenario before = Scenario.stationary();
    Scenario after = before.withMeanShift(feature, sds);
    // Three quiet windows, then the shift starts half-way through the fourth.
    for (int w = 0; w < 3; w++) {
      DriftAssessment quiet = analyzer.assess(REFERENCE, traffic.window(REFERENCE, before, WINDOW), settings);
      assertThat(quiet.driftedFeatures()).as("quiet window %d", w).isEmpty();
    }
    DriftWindowAccumulator straddling = new DriftWindowAccumulator(REFERENCE, SyntheticModel.CLASSES);
    for (int i = 0; i < WINDOW; i++) {
      traffic.addNext(straddling, i < WINDOW / 2 ? before : after);
    }
    DriftAssessment first = analyzer.assess(REFERENCE, straddling, settings);
    assertThat(first.driftedFeatures()).as("the window the shift starts in").isSubsetOf(shifted);
    for (int w = 0; w < 10; w++) {
      DriftAssessment assessment = analyzer.assess(REFERENCE, traffic.window(REFERENCE, after, WINDOW), settings);
      assertThat(assessment.driftedFeatures()).as("shifted window %d: %s", w, assessment.statistics()).containsExactly(shifted);
      assertThat(assessment.driftedShare()).isEqualTo(1.0 / INPUTS.size());
    }
  }

  @Test
  void shouldFlagAChangedCategoryMixAndOnlyThat() {
    SyntheticModel traffic = new SyntheticModel(11);
    Scenario mix = Scenario.stationary().withColours(0.35, 0.3, 0.35);
    for (int w = 0; w < 10; w++) {
      DriftAssessment assessment = analyzer.assess(REFERENCE, traffic.window(REFERENCE, mix, WINDOW), settings);
      assertThat(assessment.driftedFeatures()).as("window %d: %s", w, assessment.statistics()).containsExactly("colour");
      assertThat(statistic(assessment, "colour", DriftTest.CHI_SQUARE).getDrifted()).isTrue();
      assertThat(statistic(assessment, "colour", DriftTest.PSI).getStatistic()).isGreaterThan(0.1);
    }
  }

  @Test
  void shouldFlagAChangedBooleanShare() {
    SyntheticModel traffic = new SyntheticModel(12);
    Scenario flags = Scenario.stationary().withFlagShare(0.5);
    for (int w = 0; w < 10; w++) {
      DriftAssessment assessment = analyzer.assess(REFERENCE, traffic.window(REFERENCE, flags, WINDOW), settings);
      assertThat(assessment.driftedFeatures()).as("window %d", w).containsExactly("flag");
    }
  }

  @Test
  void shouldFlagTheOutputWhenTheProbabilitiesShiftThoughNoInputDoes() {
    SyntheticModel traffic = new SyntheticModel(13);
    Scenario skewedModel = Scenario.stationary().withInterceptShift(1.0);
    for (int w = 0; w < 10; w++) {
      DriftAssessment assessment = analyzer.assess(REFERENCE, traffic.window(REFERENCE, skewedModel, WINDOW), settings);
      assertThat(assessment.driftedFeatures()).as("window %d", w).isEmpty();
      assertThat(assessment.outputDrifted()).as("window %d: %s", w, assessment.statistics()).isTrue();
      assertThat(assessment.drifting()).isTrue();
      assertThat(statistic(assessment, "output:P(yes)", DriftTest.KOLMOGOROV_SMIRNOV).getDrifted()).isTrue();
      assertThat(statistic(assessment, "output", DriftTest.CHI_SQUARE).getDrifted()).isTrue();
    }
  }

  @Test
  void shouldCallTheModelDriftingWhenHalfTheInputsDrift() {
    SyntheticModel traffic = new SyntheticModel(14);
    Scenario many = Scenario.stationary().withMeanShift(0, 1).withMeanShift(1, 1).withMeanShift(2, -1)
        .withColours(0.2, 0.3, 0.5);
    DriftAssessment four = analyzer.assess(REFERENCE, traffic.window(REFERENCE, many, WINDOW), settings);
    assertThat(four.driftedFeatures()).containsExactly("x1", "x2", "x3", "colour");
    assertThat(four.driftedShare()).isEqualTo(4.0 / 7);
    assertThat(four.drifting()).isTrue();

    DriftSettings lenient = new DriftSettings(0.05, 0.1, 0.1, 0.6, true);
    DriftAssessment underShare = analyzer.assess(REFERENCE, traffic.window(REFERENCE, many, WINDOW), lenient);
    assertThat(underShare.driftedFeatures()).hasSize(4);
    assertThat(underShare.drifting()).isEqualTo(underShare.outputDrifted());
  }

  @Test
  void shouldHoldEveryHypothesisTestToTheBonferroniLevel() {
    DriftAssessment assessment = analyzer.assess(REFERENCE, new SyntheticModel(15).window(REFERENCE, Scenario.stationary(), WINDOW),
        new DriftSettings(0.05, 0.1, 0.1, 0.5, true));

    // Seven input features, the predicted classes and the second class's probability.
    assertThat(assessment.hypothesisTests()).isEqualTo(9);
    assertThat(assessment.pValueThreshold()).isEqualTo(0.05 / 9);
    List<DriftStatistic> tests = assessment.statistics().stream().filter(s -> s.getPValue() != null).toList();
    assertThat(tests).hasSize(9).allSatisfy(s -> {
      assertThat(s.getThreshold()).isEqualTo(0.05 / 9);
      assertThat(s.getDrifted()).isEqualTo(s.getPValue() < 0.05 / 9);
    });
    assertThat(assessment.statistics()).hasSize(27)
        .filteredOn(s -> s.getTest() == DriftTest.PSI).allSatisfy(s -> assertThat(s.getThreshold()).isEqualTo(0.1));
    assertThat(assessment.statistics())
        .filteredOn(s -> s.getTest() == DriftTest.JENSEN_SHANNON).hasSize(9).allSatisfy(s -> {
          assertThat(s.getThreshold()).isEqualTo(0.1);
          assertThat(s.getPValue()).isNull();
        });
  }

  @Test
  void shouldJudgeOnTheTestAloneWhenNoEffectSizeIsRequired() {
    // A 0.15 SD shift: often significant in 1,000 values, mostly below PSI and distance 0.1.
    SyntheticModel traffic = new SyntheticModel(16);
    Scenario small = Scenario.stationary().withMeanShift(0, 0.15);
    DriftSettings testOnly = new DriftSettings(0.05, 0.1, 0.1, 0.5, false);
    int byTest = 0;
    int byBoth = 0;
    for (int w = 0; w < 40; w++) {
      DriftWindowAccumulator window = traffic.window(REFERENCE, small, WINDOW);
      DriftAssessment strict = analyzer.assess(REFERENCE, window, settings);
      DriftAssessment loose = analyzer.assess(REFERENCE, window, testOnly);
      boolean significant = statistic(strict, "x1", DriftTest.KOLMOGOROV_SMIRNOV).getDrifted();
      boolean large = statistic(strict, "x1", DriftTest.PSI).getDrifted()
          || statistic(strict, "x1", DriftTest.JENSEN_SHANNON).getDrifted();
      assertThat(loose.featureVerdicts().get("x1")).as("window %d, test only", w).isEqualTo(significant);
      assertThat(strict.featureVerdicts().get("x1")).as("window %d, test and effect", w).isEqualTo(significant && large);
      byTest += significant ? 1 : 0;
      byBoth += significant && large ? 1 : 0;
    }
    assertThat(byTest - byBoth).as("of 40 windows, %d flagged by the test, %d also by the effect size", byTest, byBoth)
        .isGreaterThanOrEqualTo(5);
  }

  private static DriftStatistic statistic(DriftAssessment assessment, String feature, DriftTest test) {
    return assessment.statistics().stream().filter(s -> s.getFeature().equals(feature) && s.getTest() == test)
        .findFirst().orElseThrow(() -> new AssertionError("no " + test + " of " + feature));
  }
}
