package io.kloop.monitor.performance;

import io.kloop.events.MetricEstimate;
import java.util.EnumSet;
import org.apache.commons.statistics.descriptive.DoubleStatistics;
import org.apache.commons.statistics.descriptive.Quantile;
import org.apache.commons.statistics.descriptive.Statistic;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.distribution.TDistribution;

/** The 95 % confidence intervals of the performance figures. */
final class Intervals {

  /** The standard normal quantile of a two-sided 95 % interval (1.959963...). */
  static final double Z = NormalDistribution.of(0, 1).inverseCumulativeProbability(0.975);

  private Intervals() {}

  /**
   * The Wilson score interval of a proportion: better than the normal approximation near 0 and 1 and for small
   * samples, and never outside [0, 1].
   */
  static MetricEstimate wilson(long successes, long trials) {
    if (trials <= 0 || successes < 0 || successes > trials) {
      throw new IllegalArgumentException("need 0 <= successes <= trials and trials > 0; got " + successes + " of " + trials);
    }
    double n = trials;
    double p = successes / n;
    double z2 = Z * Z;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = Z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return estimate(p, Math.max(0, centre - half), Math.min(1, centre + half));
  }

  /**
   * The mean of per-prediction terms (log loss, Brier score) with Student's t interval of the mean; a single term
   * has no spread to estimate, its interval is the point.
   */
  static MetricEstimate mean(double[] terms) {
    DoubleStatistics statistics = DoubleStatistics.of(EnumSet.of(Statistic.MEAN, Statistic.VARIANCE), terms);
    double mean = statistics.getAsDouble(Statistic.MEAN);
    if (terms.length < 2) {
      return estimate(mean, mean, mean);
    }
    double t = TDistribution.of(terms.length - 1).inverseCumulativeProbability(0.975);
    double half = t * Math.sqrt(statistics.getAsDouble(Statistic.VARIANCE) / terms.length);
    return estimate(mean, mean - half, mean + half);
  }

  /**
   * A percentile bootstrap interval: the 2.5th and 97.5th percentiles of the resampled figures (linear
   * interpolation between order statistics, numpy's default), widened where
   * needed to hold the point (a skewed figure such as the calibration error can have its point outside the
   * percentiles of its resamples; the interval shown always contains the figure it belongs to).
   */
  static MetricEstimate bootstrap(double point, double[] resampled) {
    double[] bounds = Quantile.withDefaults().with(Quantile.EstimationMethod.HF7).evaluate(resampled, 0.025, 0.975);
    return estimate(point, Math.min(point, bounds[0]), Math.max(point, bounds[1]));
  }

  /** A normal interval around a point, clipped to [0, 1] (for shares). */
  static MetricEstimate normalShare(double point, double standardError) {
    return estimate(point, Math.max(0, point - Z * standardError), Math.min(1, point + Z * standardError));
  }

  static MetricEstimate estimate(double value, double lower, double upper) {
    return MetricEstimate.newBuilder().setValue(value).setLower(lower).setUpper(upper).build();
  }
}
