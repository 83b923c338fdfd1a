package io.kloop.monitor.drift;

import io.kloop.events.DriftStatistic;
import io.kloop.events.DriftTest;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.FeatureProfiles;
import io.kloop.monitor.drift.DriftWindowAccumulator.CategoryCounts;
import io.kloop.monitor.drift.DriftWindowAccumulator.NumericValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.apache.commons.statistics.inference.SignificanceResult;

/**
 * Compares a window of predictions with the serving version's reference profile, feature by feature and on
 * the output, and decides whether the model is drifting.
 *
 * <p>Each feature gets one hypothesis test and two measures of how far it moved:
 *
 * <ul>
 *   <li><b>numeric</b>: the two-sample Kolmogorov–Smirnov test of the window's values against the reference
 *       sample, and the population stability index (PSI) and Jensen–Shannon distance of the window's shares
 *       of the reference bins against the reference proportions;
 *   <li><b>categorical and boolean</b>: the chi-square goodness-of-fit test of the window's counts against the
 *       reference shares, and PSI and Jensen–Shannon distance over the categories, unseen values included as
 *       categories of their own;
 *   <li><b>text</b>: three parts, each reported under a derived name ({@link TextDriftNames}):
 *       {@code <feature>:length}, the numeric tests on the texts' lengths in characters against the
 *       profile's bins and sample of the reference's lengths; {@code <feature>:unseen-tokens}, the
 *       chi-square goodness-of-fit test, PSI and Jensen–Shannon distance of the window's shares of tokens
 *       in and outside the reference's vocabulary against the profile's {@code unseenShare}; and
 *       {@code <feature>:top-tokens}, the same on the shares of the reference's most frequent tokens with
 *       every other token under {@code *}, against the profile's shares;
 *   <li><b>output</b>: the categorical tests on the predicted classes (named after the output profile,
 *       {@code output}), but with the chi-square test of homogeneity of the window's counts and the reference's
 *       (its shares times its count): the output's reference is the test split, often a few dozen rows, whose
 *       shares are estimates too, and a goodness-of-fit test against them flags their own sampling error as drift; for a two-class model whose profile has bins, also the numeric tests on the
 *       probability of the second class (named {@code output:P(<class>)}).
 * </ul>
 *
 * <p>PSI is {@code Σ (q − p) ln(q / p)} with empty shares replaced by {@value #EMPTY_SHARE} first, as
 * Evidently does. The Jensen–Shannon distance is the square root of the divergence in bits, so it lies in
 * [0, 1].
 *
 * <p>Every hypothesis test is held to the settings' p-value divided by the number of hypothesis tests in
 * the window (Bonferroni; a text feature's three parts are three tests). A feature (or the output, or a
 * text feature's part) drifts when its test is significant and, when {@link DriftSettings#requireEffectSize()}
 * is set, its PSI or distance reaches its threshold too: a shift must be both real and large enough to
 * matter. The model is drifting when the share of drifted input features reaches
 * {@link DriftSettings#driftedShare()} or the output drifts; a text feature counts once in that share, as
 * drifted when any of its parts drifted, while the verdicts (and a report's drifted features) name the parts.
 *
 * <p><b>Tokens are not independent draws.</b> The words of one text come together (a review about a
 * battery says "battery" twice), so a chi-square test on token counts would take a window of 1,000 texts of
 * 50 tokens for 50,000 independent observations and flag differences no one would call drift. The token
 * tests therefore take the window's shares pooled over all its tokens (the way the profile's shares are
 * made) but the number of texts with at least one token as their sample size: {@code n Σ (o − e)² / e}
 * over shares {@code o} and expected shares {@code e}, with {@code n} texts, against chi-square with
 * cells − 1 degrees of freedom. That is exact when each text's tokens all fall in one cell and conservative
 * when texts mix cells (the usual case), unless text lengths vary so much that a few long texts carry most
 * tokens. As with categories, cells the reference gives no share (an {@code unseenShare} of 0, the common
 * case when the reference has fewer distinct tokens than the vocabulary holds) are pooled into one cell
 * expected at {@value #EMPTY_SHARE}, so unseen words in a window make the test significant at once and PSI
 * and distance decide: about 2 % of unseen tokens move PSI past 0.1.
 *
 * <p><b>Unseen and impossible categories.</b> The chi-square test needs a positive expected count in every
 * cell, so values the reference never saw, and reference categories with a share of zero, are pooled into
 * one cell whose expected share is {@value #EMPTY_SHARE}, present only when the window has such values. A
 * handful of stray values thus makes the test significant but leaves PSI and distance near zero (no
 * drift with the effect size required), while an unseen share of about 2 % or more also moves PSI and
 * distance past 0.1 and counts as drift.
 *
 * <p>Features without usable values in the window (at least two for numeric ones, one for categorical ones)
 * or with an empty reference are skipped and named in the assessment's notes; odd data (all missing,
 * constant, tied, infinite) never makes the analysis fail. Thread-safe; its only state is the exact
 * Kolmogorov–Smirnov p-values it remembers ({@link KolmogorovSmirnov}).
 */
public final class DriftAnalyzer {

  /** Share that replaces an empty bin or category before the logarithm of PSI. */
  public static final double EMPTY_SHARE = 0.0001;

  private static final double LN2 = Math.log(2);
  private static final ChiSquareTest CHI_SQUARE = ChiSquareTest.withDefaults();

  /** Kolmogorov–Smirnov with exact p-values up to 10,000 values a sample, as scipy; remembers exact p-values. */
  private final KolmogorovSmirnov kolmogorovSmirnov = new KolmogorovSmirnov();

  /**
   * @param reference the profile {@code window} was built from
   * @param window the window's predictions
   * @param settings thresholds
   * @throws IllegalArgumentException if the window was built from a profile with other features
   */
  public DriftAssessment assess(ReferenceProfile reference, DriftWindowAccumulator window, DriftSettings settings) {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(settings, "settings");
    List<FeatureProfile> profiles = reference.getFeatures();
    checkSameFeatures(profiles, window);
    List<String> notes = new ArrayList<>();

    List<Part> inputs = new ArrayList<>(profiles.size());
    for (int f = 0; f < profiles.size(); f++) {
      FeatureProfile profile = profiles.get(f);
      NumericValues values = window.numeric(f);
      TextTokenCounts texts = window.text(f);
      if (texts != null) {
        inputs.addAll(text(profile, texts, window.missing(f), notes));
        continue;
      }
      Part part = values != null
          ? numeric(profile.getName(), profile, values, window.missing(f), notes)
          : categorical(profile.getName(), profile, window.categorical(f), window.missing(f), 0, notes);
      if (part != null) {
        inputs.add(part.of(profile.getName()));
      }
    }
    List<Part> output = output(reference.getOutput(), window, notes);

    int tests = inputs.size() + output.size();
    double alpha = tests == 0 ? settings.pValue() : settings.pValue() / tests;
    List<DriftStatistic> statistics = new ArrayList<>(3 * tests);
    Map<String, Boolean> verdicts = new LinkedHashMap<>();
    Set<String> tested = new HashSet<>();
    Set<String> drifted = new HashSet<>();
    for (Part part : inputs) {
      boolean verdict = part.addTo(statistics, alpha, settings);
      verdicts.put(part.name, verdict);
      tested.add(part.feature);
      if (verdict) {
        drifted.add(part.feature);
      }
    }
    boolean outputDrifted = false;
    for (Part part : output) {
      outputDrifted |= part.addTo(statistics, alpha, settings);
    }
    double share = tested.isEmpty() ? 0 : (double) drifted.size() / tested.size();
    boolean drifting = (!inputs.isEmpty() && share >= settings.driftedShare()) || outputDrifted;
    return new DriftAssessment(statistics, verdicts, outputDrifted, share, drifting, alpha, tests, notes);
  }

  private static void checkSameFeatures(List<FeatureProfile> profiles, DriftWindowAccumulator window) {
    boolean same = profiles.size() == window.features();
    for (int f = 0; same && f < profiles.size(); f++) {
      same = profiles.get(f).getName().equals(window.name(f))
          && (profiles.get(f).getType() == FeatureType.NUMERIC) == (window.numeric(f) != null)
          && (profiles.get(f).getType() == FeatureType.TEXT) == (window.text(f) != null);
    }
    if (!same) {
      throw new IllegalArgumentException("the window was built from a reference profile with other features");
    }
  }

  private List<Part> output(FeatureProfile profile, DriftWindowAccumulator window, List<String> notes) {
    List<Part> parts = new ArrayList<>(2);
    // The output's reference is the test split, often small (a few dozen rows of a small dataset): its shares are
    // estimates themselves, so the classes are compared by a test of homogeneity that counts them as a sample.
    Part classes = categorical(profile.getName(), profile, window.predicted(), window.predictedMissing(), profile.getCount(), notes);
    if (classes != null) {
      parts.add(classes);
    }
    boolean hasBins = !profile.getBinProportions().isEmpty() || !profile.getSample().isEmpty();
    if (hasBins) {
      NumericValues probabilities = window.secondClassProbability();
      if (probabilities == null) {
        notes.add(profile.getName() + ": probability tests skipped, the reference has them but the model does not have"
            + " two output classes");
      } else {
        String name = profile.getName() + ":P(" + window.secondClass() + ")";
        Part probability = numeric(name, profile, probabilities, window.count() - probabilities.size(), notes);
        if (probability != null) {
          parts.add(probability);
        }
      }
    }
    return parts;
  }

  /** A text feature's parts: length, unseen tokens, top tokens (each absent when it cannot be tested, with a note). */
  private List<Part> text(FeatureProfile profile, TextTokenCounts texts, long missing, List<String> notes) {
    String feature = profile.getName();
    List<Part> parts = new ArrayList<>(3);
    Part length = numeric(feature + TextDriftNames.LENGTH, profile, texts.lengths(), missing, notes);
    if (length != null) {
      parts.add(length.of(feature));
    }
    long n = texts.textsWithTokens();
    String unseenName = feature + TextDriftNames.UNSEEN_TOKENS;
    String topName = feature + TextDriftNames.TOP_TOKENS;
    if (n == 0) {
      notes.add(feature + ": token tests skipped, no text with a token in the window (" + missing + " missing)");
      return parts;
    }
    double tokens = texts.tokens();
    Double unseenShare = profile.getUnseenShare();
    if (!texts.hasVocabulary() || unseenShare == null || !(unseenShare >= 0 && unseenShare <= 1)) {
      notes.add(unseenName + ": skipped, its reference profile has no vocabulary");
    } else {
      parts.add(sharesPart(unseenName, new double[] {1 - unseenShare, unseenShare},
          new double[] {(tokens - texts.unseen()) / tokens, texts.unseen() / tokens}, n).of(feature));
    }
    String[] top = texts.top();
    Map<String, Double> frequencies = profile.getCategoryFrequencies();
    double[] expected = new double[top.length + 1];
    double[] actual = new double[top.length + 1];
    for (int i = 0; i < top.length; i++) {
      Double share = frequencies.get(top[i]);
      expected[i] = share == null ? 0 : share;
      actual[i] = texts.topCounts()[i] / tokens;
    }
    Double rest = frequencies.get(FeatureProfiles.OTHER_TOKENS);
    expected[top.length] = rest == null ? 0 : rest;
    actual[top.length] = texts.otherTokens() / tokens;
    double[] expectedShares = shares(expected);
    if (expectedShares == null) {
      notes.add(topName + ": skipped, its reference profile is empty");
    } else {
      parts.add(sharesPart(topName, expectedShares, actual, n).of(feature));
    }
    return parts;
  }

  /**
   * The chi-square test, PSI and distance of a window's {@code actual} shares against {@code expected} ones
   * (each summing to 1), with {@code n} observations (texts, see the class comment); cells expected at 0 are
   * pooled into one expected at {@value #EMPTY_SHARE}, present only when the window has values in them.
   */
  static Part sharesPart(String name, double[] expected, double[] actual, long n) {
    List<double[]> cells = new ArrayList<>(expected.length + 1);
    double pooled = 0;
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] > 0) {
        cells.add(new double[] {expected[i], actual[i]});
      } else {
        pooled += actual[i];
      }
    }
    if (pooled > 0) {
      cells.add(new double[] {EMPTY_SHARE, pooled});
    }
    double statistic = 0;
    double pValue = 1;
    if (cells.size() >= 2) {
      double sum = cells.stream().mapToDouble(cell -> cell[0]).sum();
      for (double[] cell : cells) {
        double e = cell[0] / sum;
        statistic += (cell[1] - e) * (cell[1] - e) / e;
      }
      statistic *= n;
      pValue = ChiSquaredDistribution.of(cells.size() - 1).survivalProbability(statistic);
    }
    return new Part(name, DriftTest.CHI_SQUARE, statistic, pValue, psi(expected, actual), jensenShannonDistance(expected, actual));
  }

  private Part numeric(String name, FeatureProfile profile, NumericValues values, long missing,
      List<String> notes) {
    double[] edges = withoutNaN(profile.getBinEdges());
    double[] expected = shares(profile.getBinProportions());
    double[] sample = withoutNaN(profile.getSample());
    if (expected == null || sample.length < 2) {
      notes.add(name + ": skipped, its reference profile is empty");
      return null;
    }
    if (expected.length != edges.length + 1) {
      notes.add(name + ": skipped, its reference profile has " + edges.length + " bin edges but " + expected.length
          + " bin proportions");
      return null;
    }
    if (values.size() < 2) {
      notes.add(name + ": skipped, " + values.size() + " usable value(s) in the window (" + missing + " missing)");
      return null;
    }
    double[] sorted = values.copy();
    Arrays.sort(sorted);
    long[] counts = binCounts(edges, sorted);
    double[] actual = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      actual[i] = (double) counts[i] / sorted.length;
    }
    KolmogorovSmirnov.Result result = kolmogorovSmirnov.test(sorted, sample);
    return new Part(name, DriftTest.KOLMOGOROV_SMIRNOV, result.statistic(), result.pValue(),
        psi(expected, actual), jensenShannonDistance(expected, actual));
  }

  /**
   * @param referenceCount the number of values the reference's shares come from, to compare the two as samples
   *     (chi-square test of homogeneity); 0 to take the shares as the truth (goodness of fit)
   */
  private static Part categorical(String name, FeatureProfile profile, CategoryCounts counts, long missing,
      long referenceCount, List<String> notes) {
    String[] categories = counts.categories();
    Map<String, Double> frequencies = profile.getCategoryFrequencies();
    double[] reference = new double[categories.length];
    for (int i = 0; i < categories.length; i++) {
      Double share = frequencies.get(categories[i]);
      reference[i] = share == null ? 0 : share;
    }
    double[] expectedKnown = shares(reference);
    if (expectedKnown == null) {
      notes.add(name + ": skipped, its reference profile is empty");
      return null;
    }
    long total = counts.total();
    if (total == 0) {
      notes.add(name + ": skipped, no values in the window (" + missing + " missing)");
      return null;
    }
    // Reference categories first, then the unseen values as categories of their own (expected share 0).
    long[] known = counts.counts();
    Map<String, long[]> unseen = counts.unseen();
    int size = categories.length + unseen.size();
    double[] expected = Arrays.copyOf(expectedKnown, size);
    double[] actual = new double[size];
    for (int i = 0; i < known.length; i++) {
      actual[i] = (double) known[i] / total;
    }
    int u = known.length;
    for (long[] count : unseen.values()) {
      actual[u++] = (double) count[0] / total;
    }

    // Chi-square: cells of positive expected share; the rest pooled into one cell expected at EMPTY_SHARE.
    int positive = 0;
    long pooled = counts.unseenTotal();
    for (int i = 0; i < known.length; i++) {
      if (expectedKnown[i] > 0) {
        positive++;
      } else {
        pooled += known[i];
      }
    }
    int cells = positive + (pooled > 0 ? 1 : 0);
    double statistic = 0;
    double pValue = 1;
    if (cells >= 2) {
      double[] cellExpected = new double[cells];
      long[] cellObserved = new long[cells];
      int c = 0;
      for (int i = 0; i < known.length; i++) {
        if (expectedKnown[i] > 0) {
          cellExpected[c] = expectedKnown[i];
          cellObserved[c++] = known[i];
        }
      }
      if (pooled > 0) {
        cellExpected[c] = EMPTY_SHARE;
        cellObserved[c] = pooled;
      }
      SignificanceResult result = referenceCount > 0
          ? CHI_SQUARE.test(new long[][] {referenceCounts(cellExpected, pooled > 0, referenceCount), cellObserved})
          : CHI_SQUARE.test(cellExpected, cellObserved);
      statistic = result.getStatistic();
      pValue = result.getPValue();
    }
    // With a single cell every value falls in the reference's only category: a perfect fit.
    return new Part(name, DriftTest.CHI_SQUARE, statistic, pValue, psi(expected, actual),
        jensenShannonDistance(expected, actual));
  }

  /**
   * The reference's counts behind its shares (each a count over {@code total}), per chi-square cell; the pooled
   * cell of unseen values, when there is one (last), holds none of the reference's.
   */
  static long[] referenceCounts(double[] cellShares, boolean pooledLast, long total) {
    long[] counts = new long[cellShares.length];
    int known = pooledLast ? cellShares.length - 1 : cellShares.length;
    for (int i = 0; i < known; i++) {
      counts[i] = Math.max(1, Math.round(cellShares[i] * total));
    }
    return counts;
  }

  /**
   * Counts per bin of ascending {@code sorted} values, by the rule of training's {@code Bins}: bin {@code k}
   * holds {@code edges[k-1] < v <= edges[k]}, the outer bins are open.
   */
  static long[] binCounts(double[] edges, double[] sorted) {
    long[] counts = new long[edges.length + 1];
    int bin = 0;
    for (double value : sorted) {
      while (bin < edges.length && value > edges[bin]) {
        bin++;
      }
      counts[bin]++;
    }
    return counts;
  }

  /** Population stability index of {@code actual} against {@code expected} shares, empty ones at {@value #EMPTY_SHARE}. */
  static double psi(double[] expected, double[] actual) {
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      double p = expected[i] > 0 ? expected[i] : EMPTY_SHARE;
      double q = actual[i] > 0 ? actual[i] : EMPTY_SHARE;
      psi += (q - p) * Math.log(q / p);
    }
    return psi;
  }

  /** Square root of the Jensen–Shannon divergence (base 2) of two distributions of shares, in [0, 1]. */
  static double jensenShannonDistance(double[] p, double[] q) {
    double divergence = 0;
    for (int i = 0; i < p.length; i++) {
      double m = (p[i] + q[i]) / 2;
      if (p[i] > 0) {
        divergence += p[i] * Math.log(p[i] / m);
      }
      if (q[i] > 0) {
        divergence += q[i] * Math.log(q[i] / m);
      }
    }
    return Math.sqrt(Math.min(1, Math.max(0, divergence / (2 * LN2))));
  }

  /** The values as shares of their sum (non-finite or negative ones as 0), or null when they sum to nothing. */
  private static double[] shares(List<Double> values) {
    double[] array = new double[values.size()];
    for (int i = 0; i < array.length; i++) {
      Double value = values.get(i);
      array[i] = value == null ? 0 : value;
    }
    return shares(array);
  }

  private static double[] shares(double[] values) {
    double sum = 0;
    for (int i = 0; i < values.length; i++) {
      if (!(values[i] > 0 && values[i] < Double.POSITIVE_INFINITY)) {
        values[i] = 0;
      }
      sum += values[i];
    }
    if (!(sum > 0)) {
      return null;
    }
    for (int i = 0; i < values.length; i++) {
      values[i] /= sum;
    }
    return values;
  }

  /** The values without NaN (infinite ones stay: they order and bin like any other). */
  private static double[] withoutNaN(List<Double> values) {
    double[] array = new double[values.size()];
    int n = 0;
    for (Double value : values) {
      if (value != null && !value.isNaN()) {
        array[n++] = value;
      }
    }
    return n == array.length ? array : Arrays.copyOf(array, n);
  }

  /**
   * One feature's (or the output's, or a text feature's part's) hypothesis test with its PSI and distance;
   * {@code feature} is the input feature the part belongs to (its own name but for a text feature's parts), null
   * for the output.
   */
  record Part(String name, String feature, DriftTest test, double statistic, double pValue, double psi, double distance) {

    Part(String name, DriftTest test, double statistic, double pValue, double psi, double distance) {
      this(name, null, test, statistic, pValue, psi, distance);
    }

    /** The same part, belonging to input {@code inputFeature}. */
    Part of(String inputFeature) {
      return new Part(name, inputFeature, test, statistic, pValue, psi, distance);
    }

    /** Adds the three statistics and returns the verdict. */
    boolean addTo(List<DriftStatistic> statistics, double alpha, DriftSettings settings) {
      boolean significant = pValue < alpha;
      boolean shifted = psi >= settings.psiThreshold();
      boolean distant = distance >= settings.distanceThreshold();
      statistics.add(new DriftStatistic(name, test, statistic, pValue, alpha, significant));
      statistics.add(new DriftStatistic(name, DriftTest.PSI, psi, null, settings.psiThreshold(), shifted));
      statistics.add(new DriftStatistic(name, DriftTest.JENSEN_SHANNON, distance, null, settings.distanceThreshold(),
          distant));
      return significant && (!settings.requireEffectSize() || shifted || distant);
    }
  }
}
