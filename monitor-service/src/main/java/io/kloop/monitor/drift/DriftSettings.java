package io.kloop.monitor.drift;

/**
 * When a window of predictions counts as drifted. The defaults are those of Evidently and Alibi Detect,
 * made stricter in one way: a feature drifts only when its hypothesis test is significant after the
 * Bonferroni correction <em>and</em> the shift is large enough to matter.
 *
 * @param pValue significance level of the hypothesis tests (Kolmogorov–Smirnov, chi-square) before the
 *     Bonferroni correction, in (0, 1). Default {@code 0.05}.
 * @param psiThreshold population stability index at which a shift counts as large, positive. Default
 *     {@code 0.1}.
 * @param distanceThreshold Jensen–Shannon distance (base 2, so in [0, 1]) at which a shift counts as large,
 *     in (0, 1]. Default {@code 0.1}.
 * @param driftedShare share of input features that must drift for the model to count as drifting, in
 *     (0, 1]. Default {@code 0.5}.
 * @param requireEffectSize whether a significant test must be backed by a PSI or distance at or above its
 *     threshold for a feature to drift; when false the corrected test alone decides. Default {@code true}.
 */
public record DriftSettings(double pValue, double psiThreshold, double distanceThreshold, double driftedShare,
    boolean requireEffectSize) {

  private static final DriftSettings DEFAULTS = new DriftSettings(0.05, 0.1, 0.1, 0.5, true);

  public DriftSettings {
    if (!(pValue > 0 && pValue < 1)) {
      throw new IllegalArgumentException("pValue must be in (0, 1), was " + pValue);
    }
    if (!(psiThreshold > 0 && psiThreshold < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("psiThreshold must be positive and finite, was " + psiThreshold);
    }
    if (!(distanceThreshold > 0 && distanceThreshold <= 1)) {
      throw new IllegalArgumentException("distanceThreshold (a Jensen-Shannon distance) must be in (0, 1], was "
          + distanceThreshold);
    }
    if (!(driftedShare > 0 && driftedShare <= 1)) {
      throw new IllegalArgumentException("driftedShare must be in (0, 1], was " + driftedShare);
    }
  }

  /** p = 0.05, PSI 0.1, Jensen–Shannon distance 0.1, half the features, effect size required. */
  public static DriftSettings defaults() {
    return DEFAULTS;
  }
}
