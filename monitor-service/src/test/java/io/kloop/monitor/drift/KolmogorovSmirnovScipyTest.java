package io.kloop.monitor.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.apache.commons.statistics.inference.PValueMethod;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The monitor's Kolmogorov-Smirnov p-values against scipy's {@code ks_2samp}: exact while neither sample has
 * more than 10,000 values, asymptotic beyond, ties as scipy treats them, two-sided.
 */
class KolmogorovSmirnovScipyTest {

  /**
   * Expected values from scipy 1.10.1 (numpy 1.24.2, Debian's python3-scipy):
   * {@code /usr/bin/python3 monitor-service/src/test/resources/scipy/ks_2samp_expected.py} prints these lines,
   * each {@code scipy.stats.ks_2samp(x, y)} with its defaults (alternative='two-sided', method='auto'), and makes
   * the samples as {@link #sample} does here (integer arithmetic and IEEE double operations only, so Python and
   * Java make the same doubles). Arguments: name, then seed, size, shift and grid (0: none; g: values rounded
   * down to multiples of 1/g, so many are tied) of x and of y, then scipy's D and p-value.
   */
  static Stream<Case> scipyCases() {
    return Stream.of(
        scipy("equalSmall", 1, 8, 0.0, 0, 2, 8, 0.6, 0, 0.5, 0.2826728826728826),
        scipy("equalLarge", 3, 1000, 0.1, 0, 4, 1000, 0.0, 0, 0.118, 1.7492235820299696e-06),
        scipy("unequalSmall", 5, 30, 0.5, 0, 6, 50, 0.0, 0, 0.41333333333333333, 0.0022821141536835516),
        scipy("windowAgainstReference", 7, 1000, 0.05, 0, 8, 500, 0.0, 0, 0.077, 0.03771203060818528),
        scipy("windowAgainstReferenceDrifted", 9, 1000, 0.3, 0, 10, 500, 0.0, 0, 0.27, 8.124180145856782e-22),
        scipy("largestExact", 11, 10000, 0.03, 0, 12, 500, 0.0, 0, 0.0792, 0.00482590226001177),
        scipy("smallestAsymptotic", 13, 10001, 0.03, 0, 14, 500, 0.0, 0, 0.037660433956604344, 0.49748542839500043),
        scipy("largeAsymptotic", 15, 12000, 0.1, 0, 16, 500, 0.0, 0, 0.11316666666666664, 8.240012174282875e-06),
        scipy("tiesSmall", 17, 40, 0.2, 10, 18, 60, 0.0, 10, 0.09166666666666666, 0.9805782955574509),
        scipy("tiesWindow", 19, 1000, 0.05, 20, 20, 500, 0.0, 20, 0.084, 0.017742398436705283),
        scipy("tiesLargeAsymptotic", 21, 20000, 0.02, 10, 22, 500, 0.0, 10, 0.04375000000000001, 0.29895879064975917),
        scipy("identical", 23, 50, 0.0, 0, 23, 50, 0.0, 0, 0.0, 1.0));
  }

  record Case(String name, double[] x, double[] y, double statistic, double pValue) {
    @Override
    public String toString() {
      return name + " (" + x.length + " vs " + y.length + ")";
    }
  }

  private static Case scipy(String name, int xSeed, int xSize, double xShift, int xGrid, int ySeed, int ySize, double yShift, int yGrid,
      double statistic, double pValue) {
    return new Case(name, sample(xSeed, xSize, xShift, xGrid), sample(ySeed, ySize, yShift, yGrid), statistic, pValue);
  }

  private final KolmogorovSmirnov ks = new KolmogorovSmirnov();

  @ParameterizedTest(name = "{0}")
  @MethodSource("scipyCases")
  void shouldComputeTheStatisticAndPValueAsScipy(Case expected) {
    KolmogorovSmirnov.Result result = ks.test(expected.x(), expected.y());

    assertThat(result.statistic()).isCloseTo(expected.statistic(), within(1e-12));
    assertThat(result.pValue()).isCloseTo(expected.pValue(), relative(expected.pValue()));
    assertThat(result.exact()).isEqualTo(Math.max(expected.x().length, expected.y().length) <= 10_000);
    // Either order of the samples, and asked again (then remembered): the same.
    assertThat(ks.test(expected.y(), expected.x()).pValue()).isEqualTo(result.pValue());
    assertThat(ks.test(expected.x(), expected.y())).isEqualTo(result);
  }

  @Test
  void shouldRememberAnExactPValueOnlyWhereItIsTheSameAsComputingItAgain() {
    KolmogorovSmirnovTest exact = KolmogorovSmirnovTest.withDefaults().with(PValueMethod.EXACT);
    SplittableRandom random = new SplittableRandom(5);
    double[] reference = new double[500];
    for (int i = 0; i < reference.length; i++) {
      reference[i] = random.nextGaussian();
    }
    for (int window = 0; window < 300; window++) {
      int size = window % 3 == 0 ? 1000 : 200 + window;
      double shift = (window % 7) * 0.05;
      double[] values = new double[size];
      for (int i = 0; i < size; i++) {
        // Every fourth window on a grid: ties within and between the samples.
        double value = random.nextGaussian() + shift;
        values[i] = window % 4 == 0 ? Math.floor(value * 10) / 10 : value;
      }
      KolmogorovSmirnovTest.TwoResult fresh = exact.test(values, reference);
      KolmogorovSmirnov.Result result = ks.test(values, reference);
      assertThat(result.statistic()).as("window %d", window).isEqualTo(fresh.getStatistic());
      assertThat(result.pValue()).as("window %d", window).isEqualTo(fresh.getPValue());
    }
    assertThat(ks.remembered()).isBetween(1, 300);
  }

  @Test
  void shouldRememberABoundedNumberOfPValues() {
    SplittableRandom random = new SplittableRandom(9);
    int tests = 0;
    for (int n = 2; n <= 160; n++) {
      for (int m = 2; m <= 160; m++) {
        double[] x = random.doubles(n).toArray();
        double[] y = random.doubles(m).toArray();
        ks.test(x, y);
        tests++;
        assertThat(ks.remembered()).isLessThanOrEqualTo(KolmogorovSmirnov.REMEMBERED);
      }
    }
    assertThat(tests).isGreaterThan(KolmogorovSmirnov.REMEMBERED);
  }

  /** The same recipe as the Python script's: a 31-bit LCG, sums of three uniforms, a shift, an optional grid. */
  static double[] sample(int seed, int count, double shift, int grid) {
    long state = seed;
    double[] uniforms = new double[3 * count];
    for (int i = 0; i < uniforms.length; i++) {
      state = (1103515245L * state + 12345L) % 2147483648L;
      uniforms[i] = state / 2147483648.0;
    }
    double[] values = new double[count];
    for (int i = 0; i < count; i++) {
      double v = uniforms[3 * i] + uniforms[3 * i + 1] + uniforms[3 * i + 2] + shift;
      values[i] = grid > 0 ? Math.floor(v * grid) / grid : v;
    }
    return values;
  }

  /** Exact and asymptotic p-values agree with scipy's to ten significant digits (and 1.0 exactly). */
  private static Offset<Double> relative(double expected) {
    return within(Math.max(expected * 1e-10, 1e-300));
  }
}
