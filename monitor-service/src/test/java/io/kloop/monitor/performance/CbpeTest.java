package io.kloop.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.Calibration;
import io.kloop.events.ClassCalibration;
import io.kloop.events.EstimatedPerformance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CBPE's estimate of one window, by hand. (Its accuracy over many windows: {@link CbpeAccuracyTest}.) */
class CbpeTest {

  private static final List<String> CLASSES = List.of("a", "b");
  /** Both maps step at 0.5: a probability below maps to 0.2 (a) or 0.1 (b), at or above to 0.9 or 0.8. */
  private static final Calibration STEPS = Calibration.newBuilder().setMethod("isotonic").setRows(10).setClasses(List.of(
      ClassCalibration.newBuilder().setLabel("a").setThresholds(List.of(0.0, 0.5)).setValues(List.of(0.2, 0.9)).build(),
      ClassCalibration.newBuilder().setLabel("b").setThresholds(List.of(0.0, 0.5)).setValues(List.of(0.1, 0.8)).build())).build();

  private final Cbpe cbpe = new Cbpe(1000);

  /** Calibrated: (0.9, 0.1) served a, (0.2, 0.8) served b, (0.9, 0.1) served a, (0.2, 0.8) served b. */
  private static WindowData four() {
    return new WindowData(CLASSES, null, new int[] {0, 1, 0, 1}, new double[][] {{0.7, 0.3}, {0.4, 0.6}, {0.6, 0.4}, {0.3, 0.7}});
  }

  @Test
  void shouldExpectTheMeanCalibratedProbabilityOfTheServedClass() {
    EstimatedPerformance estimate = cbpe.estimate(STEPS, four(), 1);

    assertThat(estimate.getPredictions()).isEqualTo(4);
    assertThat(estimate.getAccuracy().getValue()).isCloseTo((0.9 + 0.8 + 0.9 + 0.8) / 4, within(1e-12));
    // standard error sqrt(0.09 + 0.16 + 0.09 + 0.16) / 4; the upper bound clipped to 1
    assertThat(estimate.getAccuracy().getLower()).isCloseTo(0.5035240439125805, within(1e-12));
    assertThat(estimate.getAccuracy().getUpper()).isEqualTo(1.0);
  }

  @Test
  void shouldTakeMacroF1FromTheExpectedConfusionMatrix() {
    // Expected matrix: served a -> a 1.8, b 0.2; served b -> a 0.4, b 1.6.
    // a: TP 1.8, FP 0.2, FN 0.4 -> 3.6 / 4.2; b: TP 1.6, FP 0.4, FN 0.2 -> 3.2 / 3.8.
    EstimatedPerformance estimate = cbpe.estimate(STEPS, four(), 1);

    assertThat(estimate.getMacroF1().getValue()).isCloseTo(0.849624060150376, within(1e-12));
    assertThat(estimate.getMacroF1().getLower()).isLessThanOrEqualTo(estimate.getMacroF1().getValue());
    assertThat(estimate.getMacroF1().getUpper()).isGreaterThanOrEqualTo(estimate.getMacroF1().getValue());
  }

  @Test
  void shouldDrawAClassByItsShareOfTheUnitInterval() {
    double[] p = {0.2, 0.5, 0.3};
    assertThat(Cbpe.draw(p, 0.0)).isZero();
    assertThat(Cbpe.draw(p, 0.1999)).isZero();
    assertThat(Cbpe.draw(p, 0.2)).isEqualTo(1);
    assertThat(Cbpe.draw(p, 0.6999)).isEqualTo(1);
    assertThat(Cbpe.draw(p, 0.7)).isEqualTo(2);
    assertThat(Cbpe.draw(p, 0.9999)).isEqualTo(2);
  }

  @Test
  void shouldGiveTheSameIntervalForTheSameSeed() {
    assertThat(cbpe.estimate(STEPS, four(), 5)).isEqualTo(cbpe.estimate(STEPS, four(), 5));
  }
}
