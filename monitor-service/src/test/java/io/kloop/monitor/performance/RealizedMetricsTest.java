package io.kloop.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.MetricEstimate;
import io.kloop.events.RealizedPerformance;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The figures of a labelled window, by hand, and the behaviour of their intervals. */
class RealizedMetricsTest {

  private static final List<String> CLASSES = List.of("a", "b", "c");
  private final RealizedMetrics metrics = new RealizedMetrics(1000);

  /** Five labelled predictions of three classes. */
  private static WindowData five() {
    return new WindowData(CLASSES, new int[] {0, 0, 1, 2, 2}, new int[] {0, 1, 1, 2, 0}, new double[][] {
        {0.8, 0.1, 0.1}, {0.3, 0.6, 0.1}, {0.2, 0.7, 0.1}, {0.1, 0.2, 0.7}, {0.5, 0.2, 0.3}});
  }

  @Test
  void shouldMeasureEachFigureAsComputedByHand() {
    RealizedPerformance realized = metrics.measure(five(), 1);

    assertThat(realized.getLabelled()).isEqualTo(5);
    assertThat(realized.getAccuracy().getValue()).isEqualTo(0.6);
    // F1: a 0.5 (1 of 2 predicted, 1 of 2 actual), b 2/3, c 2/3.
    assertThat(realized.getMacroF1().getValue()).isCloseTo(0.611111111111111, within(1e-12));
    // -(ln 0.8 + ln 0.3 + ln 0.7 + ln 0.7 + ln 0.3) / 5
    assertThat(realized.getLogLoss().getValue()).isCloseTo(0.6688878095687093, within(1e-12));
    // (0.06 + 0.86 + 0.14 + 0.14 + 0.78) / 5
    assertThat(realized.getBrierScore().getValue()).isCloseTo(0.396, within(1e-12));
    // bins 8 (right, 0.8), 6 (wrong, 0.6), 7 (two right, 1.4), 5 (wrong, 0.5): (0.2 + 0.6 + 0.6 + 0.5) / 5
    assertThat(realized.getExpectedCalibrationError().getValue()).isCloseTo(0.38, within(1e-12));
    assertThat(realized.getConfusionMatrix().getLabels()).containsExactly("a", "b", "c");
    assertThat(realized.getConfusionMatrix().getCounts())
        .containsExactly(List.of(1L, 1L, 0L), List.of(0L, 1L, 0L), List.of(1L, 0L, 1L));
  }

  @Test
  void shouldUseTheWilsonIntervalForAccuracy() {
    assertThat(metrics.measure(five(), 1).getAccuracy()).isEqualTo(Intervals.wilson(3, 5));
  }

  @Test
  void shouldGiveIntervalsThatHoldThePointAndNarrowAsTheWindowGrows() {
    WindowData small = synthetic(100, 3);
    WindowData large = synthetic(2000, 3);
    RealizedPerformance few = metrics.measure(small, 7);
    RealizedPerformance many = metrics.measure(large, 7);

    for (RealizedPerformance realized : List.of(few, many)) {
      for (MetricEstimate estimate : List.of(realized.getAccuracy(), realized.getMacroF1(), realized.getLogLoss(), realized.getBrierScore(),
          realized.getExpectedCalibrationError())) {
        assertThat(estimate.getLower()).isLessThanOrEqualTo(estimate.getValue());
        assertThat(estimate.getUpper()).isGreaterThanOrEqualTo(estimate.getValue());
        assertThat(estimate.getUpper()).isGreaterThan(estimate.getLower());
      }
    }
    assertThat(width(many.getAccuracy())).isLessThan(width(few.getAccuracy()) / 3);
    assertThat(width(many.getMacroF1())).isLessThan(width(few.getMacroF1()) / 3);
    assertThat(width(many.getLogLoss())).isLessThan(width(few.getLogLoss()) / 3);
    assertThat(width(many.getBrierScore())).isLessThan(width(few.getBrierScore()) / 3);
    assertThat(width(many.getExpectedCalibrationError())).isLessThan(width(few.getExpectedCalibrationError()));
  }

  @Test
  void shouldGiveTheSameIntervalsForTheSameSeedAndOthersForAnother() {
    WindowData window = synthetic(300, 11);

    assertThat(metrics.measure(window, 42)).isEqualTo(metrics.measure(window, 42));
    assertThat(metrics.measure(window, 43).getMacroF1()).isNotEqualTo(metrics.measure(window, 42).getMacroF1());
  }

  @Test
  void shouldCoverTheTrueMacroF1AboutNineteenTimesInTwenty() {
    // Windows of one population: its macro F1, measured on a huge draw, lies in about 95 % of the windows' intervals.
    double truth = new RealizedMetrics(100).measure(synthetic(200_000, 99), 1).getMacroF1().getValue();
    RealizedMetrics bootstrap = new RealizedMetrics(400);
    int covered = 0;
    int windows = 200;
    for (int w = 0; w < windows; w++) {
      MetricEstimate f1 = bootstrap.measure(synthetic(300, 1000 + w), w).getMacroF1();
      covered += f1.getLower() <= truth && truth <= f1.getUpper() ? 1 : 0;
    }
    // 95 % of 200 is 190; the binomial spread is about 3 windows: 180 is more than three spreads below.
    assertThat(covered).isBetween(180, 200);
  }

  private static double width(MetricEstimate estimate) {
    return estimate.getUpper() - estimate.getLower();
  }

  /** Three classes; the served class is the most probable; the truth is right about 70 % of the time. */
  static WindowData synthetic(int n, long seed) {
    Random random = new Random(seed);
    int[] truth = new int[n];
    int[] predicted = new int[n];
    double[][] probabilities = new double[n][];
    for (int i = 0; i < n; i++) {
      double[] p = {random.nextDouble() + 0.2, random.nextDouble(), random.nextDouble() * 0.8};
      double sum = Arrays.stream(p).sum();
      for (int c = 0; c < 3; c++) {
        p[c] /= sum;
      }
      probabilities[i] = p;
      predicted[i] = io.kloop.model.ClassificationMetrics.argMax(p);
      truth[i] = random.nextDouble() < 0.7 ? predicted[i] : random.nextInt(3);
    }
    return new WindowData(CLASSES, truth, predicted, probabilities);
  }
}
