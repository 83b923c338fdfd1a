package io.kloop.monitor.drift;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.commons.numbers.core.ArithmeticUtils;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.apache.commons.statistics.inference.PValueMethod;

/**
 * The two-sample, two-sided Kolmogorov–Smirnov test with p-values as scipy's {@code ks_2samp} computes them by
 * default ({@code method='auto'}): <b>exact</b> while neither sample has more than {@value #EXACT_UP_TO} values,
 * the <b>asymptotic</b> distribution beyond. Both come from Apache Commons Statistics
 * ({@link PValueMethod#EXACT}: Viehmann's stabilised inner method for unequal sizes, Hodges' outer method for
 * equal ones; {@link PValueMethod#ASYMPTOTIC}: the one-sample two-sided distribution at
 * {@code round(n·m / (n + m))}, as scipy's {@code kstwo.sf(d, round(en))}), both as {@code P(D >= d)}.
 *
 * <p>Commons' own {@code AUTO} switches at {@code max(n, m) < 10,000} and scipy's at {@code <= 10,000}, so the
 * method is chosen here, by scipy's rule. Where Commons cannot compute an exact p-value (more than 2^31 possible
 * values of D, far beyond these sizes) it falls back to the asymptotic one, as scipy does.
 *
 * <p><b>Ties.</b> With tied values, D is taken at the end of each run of ties (the empirical distribution
 * functions are right-continuous), by Commons as by scipy, and the exact p-value is that of D under the null
 * distribution of continuous data: ties are not corrected for, by either. Commons also reports whether some
 * order of the tied values could give a larger D ({@code hasSignificantTies}); the monitor does not use it.
 *
 * <p><b>Cost.</b> Commons' exact p-value of a window of 1,000 against a reference sample of 500 takes about
 * 0.3 ms on stationary data and up to 1.5 ms on drifted data (the larger D, the longer), 5 to 20 times the whole
 * asymptotic test (about 0.05 ms, mostly sorting): 8 to 12 ms for the 31 tests of a window that is otherwise
 * assessed in 2 to 3 ms (see {@code DriftThroughputBenchmark}). But it depends only on the two sizes and the
 * integral statistic {@code D·lcm(n, m)} (at most {@code lcm + 1} values), so it is computed once per such
 * triple and remembered (at most {@value #REMEMBERED} p-values, then forgotten all at once): count windows have
 * the same sizes every time, so after the first windows an exact p-value costs computing D and a lookup, no more
 * than the asymptotic test did. Thread-safe.
 */
public final class KolmogorovSmirnov {

  /** The largest sample for which the p-value is exact, as scipy's {@code MAX_AUTO_N}. */
  public static final int EXACT_UP_TO = 10_000;
  static final int REMEMBERED = 20_000;

  private static final KolmogorovSmirnovTest EXACT = KolmogorovSmirnovTest.withDefaults().with(PValueMethod.EXACT);
  private static final KolmogorovSmirnovTest ASYMPTOTIC = KolmogorovSmirnovTest.withDefaults().with(PValueMethod.ASYMPTOTIC);

  private final ConcurrentMap<Long, Double> exactPValues = new ConcurrentHashMap<>();

  /** The statistic D and its p-value. */
  public record Result(double statistic, double pValue, boolean exact) {}

  /**
   * Tests whether {@code x} and {@code y} come from the same distribution.
   *
   * @param x at least 2 values, none NaN
   * @param y at least 2 values, none NaN
   */
  public Result test(double[] x, double[] y) {
    int n = x.length;
    int m = y.length;
    if (Math.max(n, m) > EXACT_UP_TO) {
      KolmogorovSmirnovTest.TwoResult result = ASYMPTOTIC.test(x, y);
      return new Result(result.getStatistic(), result.getPValue(), false);
    }
    double d = EXACT.statistic(x, y);
    long key = key(n, m, d);
    Double p = exactPValues.get(key);
    if (p == null) {
      KolmogorovSmirnovTest.TwoResult result = EXACT.test(x, y);
      p = result.getPValue();
      if (exactPValues.size() >= REMEMBERED) {
        exactPValues.clear();
      }
      exactPValues.put(key, p);
    }
    return new Result(d, p, true);
  }

  /** How many exact p-values are remembered (for tests). */
  int remembered() {
    return exactPValues.size();
  }

  /**
   * The sizes (smaller first: the p-value is symmetric in them) and the integral statistic {@code D·lcm(n, m)},
   * which Commons computes D from ({@code D = h / lcm}), so rounding recovers it exactly.
   */
  private static long key(int n, int m, double d) {
    int small = Math.min(n, m);
    int large = Math.max(n, m);
    long lcm = (long) large / ArithmeticUtils.gcd(small, large) * small;
    long h = Math.round(d * lcm);
    return (long) small << 50 | (long) large << 36 | h;
  }
}
