package io.kloop.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.kloop.events.Calibration;
import io.kloop.events.ClassCalibration;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsotonicCalibrationTest {

  @Test
  void shouldPoolAdjacentViolatorsIntoIncreasingSteps() {
    // P(b) = 0.1 .. 0.5 with outcomes b? no, yes, no, yes, yes
    int[] truth = {0, 1, 0, 1, 1};
    double[][] probabilities = {{0.9, 0.1}, {0.8, 0.2}, {0.7, 0.3}, {0.6, 0.4}, {0.5, 0.5}};

    Calibration calibration = IsotonicCalibration.fit(List.of("a", "b"), truth, probabilities);

    assertThat(calibration.getRows()).isEqualTo(5);
    assertThat(calibration.getMethod()).isEqualTo("isotonic");
    ClassCalibration b = calibration.getClasses().get(1);
    assertThat(b.getLabel()).isEqualTo("b");
    // 0 | (1, 0) pooled to 0.5 | (1, 1) pooled, equal steps merge
    assertThat(b.getThresholds()).containsExactly(0.1, 0.2, 0.4);
    assertThat(b.getValues()).containsExactly(0.0, 0.5, 1.0);
    // P(a) ascending 0.5 .. 0.9 with outcomes a? no, no, yes, no, yes
    ClassCalibration a = calibration.getClasses().get(0);
    assertThat(a.getThresholds()).containsExactly(0.5, 0.7, 0.9);
    assertThat(a.getValues()).containsExactly(0.0, 0.5, 1.0);
  }

  @Test
  void shouldMapEqualProbabilitiesToOneValue() {
    int[] truth = {1, 0, 1, 0};
    double[][] probabilities = {{0.4, 0.6}, {0.4, 0.6}, {0.4, 0.6}, {0.9, 0.1}};

    ClassCalibration b = IsotonicCalibration.fit(List.of("a", "b"), truth, probabilities).getClasses().get(1);

    assertThat(b.getThresholds()).containsExactly(0.1, 0.6);
    assertThat(b.getValues()).containsExactly(0.0, 2.0 / 3);
  }

  @Test
  void shouldPoolRowsOfOneProbabilityBeforeComparingThemWithTheStepBelow() {
    // 500 rows at P(b) = 0.2, none b; 500 at 0.8, of which the first is not b and the rest are: the 0.8 step is 499/500
    // (pooling its first row alone with the 0.2 step, a tie at 0, would leave 0.8 at 499/499 and 0.2 holding 501 rows)
    int[] truth = new int[1_000];
    double[][] probabilities = new double[1_000][];
    for (int i = 0; i < 1_000; i++) {
      probabilities[i] = i < 500 ? new double[] {0.8, 0.2} : new double[] {0.2, 0.8};
      truth[i] = i > 500 ? 1 : 0;
    }

    ClassCalibration b = IsotonicCalibration.fit(List.of("a", "b"), truth, probabilities).getClasses().get(1);

    assertThat(b.getThresholds()).containsExactly(0.2, 0.8);
    assertThat(b.getValues()).containsExactly(0.0, 499.0 / 500);
  }

  @Test
  void shouldReadTheStepsAsTheSchemaSays() {
    ClassCalibration map = ClassCalibration.newBuilder().setLabel("x").setThresholds(List.of(0.2, 0.5, 0.8)).setValues(List.of(0.1, 0.4, 0.9)).build();

    assertThat(IsotonicCalibration.step(map, 0.0)).isEqualTo(0.1);
    assertThat(IsotonicCalibration.step(map, 0.2)).isEqualTo(0.1);
    assertThat(IsotonicCalibration.step(map, 0.49)).isEqualTo(0.1);
    assertThat(IsotonicCalibration.step(map, 0.5)).isEqualTo(0.4);
    assertThat(IsotonicCalibration.step(map, 0.8)).isEqualTo(0.9);
    assertThat(IsotonicCalibration.step(map, 1.0)).isEqualTo(0.9);
  }

  @Test
  void shouldApplyEveryClassMapAndScaleToOne() {
    int[] truth = {0, 1, 0, 1, 1};
    double[][] probabilities = {{0.9, 0.1}, {0.8, 0.2}, {0.7, 0.3}, {0.6, 0.4}, {0.5, 0.5}};
    Calibration calibration = IsotonicCalibration.fit(List.of("a", "b"), truth, probabilities);

    // a: 0.75 -> 0.5; b: 0.25 -> 0.5; scaled: 0.5 and 0.5
    assertThat(IsotonicCalibration.apply(calibration, new double[] {0.75, 0.25})).containsExactly(0.5, 0.5);
    // a: 0.95 -> 1; b: 0.05 -> 0 (below every threshold: the first step)
    assertThat(IsotonicCalibration.apply(calibration, new double[] {0.95, 0.05})).containsExactly(1.0, 0.0);
    assertThatThrownBy(() -> IsotonicCalibration.apply(calibration, new double[] {1.0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 classes");
  }

  @Test
  void shouldLeaveCalibratedProbabilitiesAboutWhereTheyAre() {
    SplittableRandom random = new SplittableRandom(42);
    int n = 20_000;
    int[] truth = new int[n];
    double[][] probabilities = new double[n][];
    for (int i = 0; i < n; i++) {
      double p = random.nextDouble();
      probabilities[i] = new double[] {1 - p, p};
      truth[i] = random.nextDouble() < p ? 1 : 0;
    }

    Calibration calibration = IsotonicCalibration.fit(List.of("a", "b"), truth, probabilities);

    double error = 0;
    for (int i = 0; i < 1_000; i++) {
      double p = (i + 0.5) / 1_000;
      error += Math.abs(IsotonicCalibration.apply(calibration, new double[] {1 - p, p})[1] - p);
    }
    assertThat(error / 1_000).isCloseTo(0, within(0.03));
    List<Double> values = calibration.getClasses().get(1).getValues();
    for (int i = 1; i < values.size(); i++) {
      assertThat(values.get(i)).isGreaterThan(values.get(i - 1));
    }
  }

  @Test
  void shouldCorrectOverconfidentProbabilities() {
    // the model says 0.9 where the class is right 60 % of the time
    SplittableRandom random = new SplittableRandom(7);
    int n = 10_000;
    int[] truth = new int[n];
    double[][] probabilities = new double[n][];
    for (int i = 0; i < n; i++) {
      boolean high = random.nextBoolean();
      probabilities[i] = high ? new double[] {0.1, 0.9} : new double[] {0.9, 0.1};
      truth[i] = random.nextDouble() < (high ? 0.6 : 0.4) ? 1 : 0;
    }

    double[] calibrated = IsotonicCalibration.apply(IsotonicCalibration.fit(List.of("a", "b"), truth, probabilities), new double[] {0.1, 0.9});

    assertThat(calibrated[1]).isCloseTo(0.6, within(0.03));
    assertThat(calibrated[0] + calibrated[1]).isCloseTo(1, within(1e-12));
  }

  @Test
  void shouldRefuseProbabilitiesThatAreNoFiniteNumbersOrRowsOfAnotherWidth() {
    // Without the check a NaN never equals itself, so the loop over rows of one probability would never advance:
    // the preemptive bound turns that hang into a failure.
    int[] truth = {0, 1, 1};
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
      double[][] probabilities = {{0.9, 0.1}, {bad, 0.6}, {0.3, 0.7}};
      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(() -> IsotonicCalibration.fit(List.of("a", "b"), truth, probabilities))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1").hasMessageContaining("no finite number"));
    }
    assertThatThrownBy(() -> IsotonicCalibration.fit(List.of("a", "b"), truth, new double[][] {{0.9, 0.1}, {0.4}, {0.3, 0.7}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 has 1 probabilities for 2 classes");
    assertThatThrownBy(() -> IsotonicCalibration.fit(List.of("a", "b"), new int[] {0, 2}, new double[][] {{0.9, 0.1}, {0.3, 0.7}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1's true class 2");
  }

  @Test
  void shouldFindNoProblemInAFittedCalibration() {
    Calibration calibration = IsotonicCalibration.fit(List.of("a", "b"), new int[] {0, 1, 0, 1, 1},
        new double[][] {{0.9, 0.1}, {0.8, 0.2}, {0.7, 0.3}, {0.6, 0.4}, {0.5, 0.5}});

    assertThat(IsotonicCalibration.problem(calibration, List.of("a", "b"))).isEmpty();
  }

  @Test
  void shouldSayWhatMakesACalibrationUnusable() {
    ClassCalibration good = map("a", List.of(0.0, 0.5), List.of(0.1, 0.9));
    List<String> classes = List.of("a", "b");

    assertThat(problem(List.of(good, map("b", List.of(0.0, 0.5), List.of(0.1, 0.9))), classes)).isEmpty();
    assertThat(problem(List.of(good), classes)).contains("it has 1 class maps for 2 classes");
    assertThat(problem(List.of(good, map("b", List.of(), List.of())), classes)).contains("the map of class b has no steps");
    assertThat(problem(List.of(good, map("b", List.of(0.0, 0.5), List.of(0.1))), classes))
        .contains("the map of class b has 1 values for 2 thresholds");
    assertThat(problem(List.of(good, map("b", List.of(0.5, 0.2), List.of(0.1, 0.9))), classes))
        .contains("the map of class b has thresholds that are not ascending at step 1");
    assertThat(problem(List.of(good, map("b", List.of(0.5, 0.5), List.of(0.1, 0.9))), classes))
        .contains("the map of class b has thresholds that are not ascending at step 1");
    assertThat(problem(List.of(good, map("b", List.of(0.0, 0.5), List.of(0.1, 1.5))), classes))
        .contains("the map of class b has step 1 (threshold 0.5, value 1.5) outside [0, 1]");
    assertThat(problem(List.of(good, map("b", List.of(0.0, 0.5), List.of(Double.NaN, 0.9))), classes)).get().asString().contains("outside [0, 1]");
    assertThat(problem(List.of(good, map("b", List.of(-0.1, 0.5), List.of(0.1, 0.9))), classes)).get().asString().contains("outside [0, 1]");
    assertThat(problem(List.of(good, map("b", List.of(0.0, 0.5), List.of(0.9, 0.1))), classes))
        .contains("the map of class b has values that decrease at step 1");
    // the same maps in another order than the classes': each probability would go through the other class's steps
    assertThat(problem(List.of(map("b", List.of(0.0, 0.5), List.of(0.1, 0.9)), good), classes))
        .contains("its map 0 is of class b, not a (the classes' order)");
    Calibration platt = Calibration.newBuilder().setMethod("platt").setRows(10).setClasses(List.of(good, map("b", List.of(0.0), List.of(0.5)))).build();
    assertThat(IsotonicCalibration.problem(platt, classes)).contains("its method is platt, not isotonic");
  }

  private static java.util.Optional<String> problem(List<ClassCalibration> maps, List<String> classes) {
    return IsotonicCalibration.problem(Calibration.newBuilder().setMethod("isotonic").setRows(10).setClasses(maps).build(), classes);
  }

  private static ClassCalibration map(String label, List<Double> thresholds, List<Double> values) {
    return ClassCalibration.newBuilder().setLabel(label).setThresholds(thresholds).setValues(values).build();
  }
}
