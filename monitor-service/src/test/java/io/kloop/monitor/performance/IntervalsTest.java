package io.kloop.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.MetricEstimate;
import org.junit.jupiter.api.Test;

/** The intervals against published and independently computed values. */
class IntervalsTest {

  @Test
  void shouldGiveTheWilsonIntervalOfAPublishedExample() {
    // wilson-score-interval (npm) documents wilson(430, 474) = [0.8776750858242243, 0.9301239839930541] with z = 1.96;
    // the monitor takes z = 1.959964 (the exact 97.5th normal percentile), a difference below 1e-6 here.
    MetricEstimate interval = Intervals.wilson(430, 474);

    assertThat(interval.getValue()).isEqualTo(430 / 474.0);
    assertThat(interval.getLower()).isCloseTo(0.8776750858242243, within(1e-6));
    assertThat(interval.getUpper()).isCloseTo(0.9301239839930541, within(1e-6));
  }

  @Test
  void shouldGiveTheWilsonIntervalAsComputedByHandWithTheExactNormalQuantile() {
    // (p + z²/2n)/(1 + z²/n) ± z/(1 + z²/n)·sqrt(p(1-p)/n + z²/4n²), z = NormalDist().inv_cdf(0.975), in Python.
    assertInterval(Intervals.wilson(430, 474), 0.8776756906113914, 0.9301236178718919);
    assertInterval(Intervals.wilson(10, 14), 0.45350915670106823, 0.8827862135542308);
    assertInterval(Intervals.wilson(450, 500), 0.8705780903680599, 0.9233224372626984);
    assertThat(Intervals.wilson(0, 20).getLower()).as("never below 0").isGreaterThanOrEqualTo(0.0);
    assertThat(Intervals.wilson(0, 20).getLower()).isCloseTo(0.0, within(1e-15));
    assertThat(Intervals.wilson(0, 20).getUpper()).isCloseTo(0.1611251580528193, within(1e-12));
  }

  @Test
  void shouldRefuseAProportionThatIsNone() {
    assertThatThrownBy(() -> Intervals.wilson(1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Intervals.wilson(5, 4)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldGiveTheStudentTIntervalOfAMeanAsScipyDoes() {
    // scipy.stats.t.ppf(0.975, n - 1) * std(ddof=1) / sqrt(n) around the mean.
    assertInterval(Intervals.mean(new double[] {1, 2, 3, 4}), 0.4457397432394794, 4.554260256760521);
    MetricEstimate three = Intervals.mean(new double[] {0.2, 0.9, 0.4});
    assertThat(three.getValue()).isCloseTo(0.5, within(1e-15));
    assertInterval(three, -0.3956685895029599, 1.39566858950296);
    assertInterval(Intervals.mean(new double[] {0.7}), 0.7, 0.7);
  }

  @Test
  void shouldTakeTheBootstrapPercentilesAndAlwaysHoldThePoint() {
    double[] resampled = new double[1001];
    for (int i = 0; i < resampled.length; i++) {
      resampled[i] = i / 1000.0; // 0, 0.001, ..., 1: the 2.5th and 97.5th percentiles are 0.025 and 0.975
    }
    assertInterval(Intervals.bootstrap(0.5, resampled), 0.025, 0.975);
    assertInterval(Intervals.bootstrap(0.01, resampled), 0.01, 0.975);
    assertInterval(Intervals.bootstrap(0.99, resampled), 0.025, 0.99);
  }

  @Test
  void shouldClipANormalIntervalOfAShareToZeroAndOne() {
    assertInterval(Intervals.normalShare(0.5, 0.1), 0.5 - 0.1959963984540054, 0.5 + 0.1959963984540054);
    assertInterval(Intervals.normalShare(0.95, 0.1), 0.95 - 0.1959963984540054, 1.0);
  }

  private static void assertInterval(MetricEstimate interval, double lower, double upper) {
    assertThat(interval.getLower()).isCloseTo(lower, within(1e-12));
    assertThat(interval.getUpper()).isCloseTo(upper, within(1e-12));
  }
}
