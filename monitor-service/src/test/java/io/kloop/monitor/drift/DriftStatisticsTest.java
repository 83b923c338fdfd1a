package io.kloop.monitor.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.DriftStatistic;
import io.kloop.events.DriftTest;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.Bins;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** PSI, Jensen–Shannon distance, chi-square and binning checked against values worked out by hand. */
class DriftStatisticsTest {

  private final DriftAnalyzer analyzer = new DriftAnalyzer();

  @Test
  void shouldComputePsiAndJensenShannonAsWorkedOutByHand() {
    double[] expected = {0.5, 0.3, 0.2};
    double[] actual = {0.4, 0.4, 0.2};
    // (0.4 - 0.5) ln(0.4 / 0.5) + (0.4 - 0.3) ln(0.4 / 0.3) + 0
    assertThat(DriftAnalyzer.psi(expected, actual)).isCloseTo(0.1 * Math.log(1.25) + 0.1 * Math.log(4.0 / 3), within(1e-15))
        .isCloseTo(0.051082562376599, within(1e-12));
    // sqrt of the mean of KL(p || m) and KL(q || m) in bits, m = (p + q) / 2 = (0.45, 0.35, 0.2)
    double js = 0.5 * (0.5 * log2(0.5 / 0.45) + 0.3 * log2(0.3 / 0.35) + 0.4 * log2(0.4 / 0.45) + 0.4 * log2(0.4 / 0.35));
    assertThat(DriftAnalyzer.jensenShannonDistance(expected, actual)).isCloseTo(Math.sqrt(js), within(1e-15))
        .isCloseTo(0.095843233776893, within(1e-12));
  }

  @Test
  void shouldReplaceEmptySharesInPsiAndBoundTheDistance() {
    // An empty expected bin counts as 0.0001: (0.1 - 0.0001) ln(0.1 / 0.0001) + (0.4 - 0.5) ln(0.4 / 0.5)
    assertThat(DriftAnalyzer.psi(new double[] {0.5, 0.3, 0.2, 0}, new double[] {0.4, 0.3, 0.2, 0.1}))
        .isCloseTo(0.0999 * Math.log(1000) + 0.1 * Math.log(1.25), within(1e-15));
    assertThat(DriftAnalyzer.psi(new double[] {0.5, 0.5}, new double[] {0.5, 0.5})).isZero();
    assertThat(DriftAnalyzer.jensenShannonDistance(new double[] {0.5, 0.5}, new double[] {0.5, 0.5})).isZero();
    assertThat(DriftAnalyzer.jensenShannonDistance(new double[] {1, 0}, new double[] {0, 1})).isEqualTo(1.0);
    // m = (0.75, 0.25): (0.5 log2(2/3) + 0.5 log2(2) + log2(4/3)) / 2
    assertThat(DriftAnalyzer.jensenShannonDistance(new double[] {0.5, 0.5}, new double[] {1, 0}))
        .isCloseTo(0.557923045284144, within(1e-12));
  }

  @Test
  void shouldReportTheHandComputedStatisticsOfACategoricalFeature() {
    ReferenceProfile reference = profile(List.of(categorical("c", Map.of("a", 0.5, "b", 0.3, "c", 0.2))));
    DriftWindowAccumulator window = new DriftWindowAccumulator(reference, List.of("only"));
    addAll(window, "c", 40, "a");
    addAll(window, "c", 40, "b");
    addAll(window, "c", 20, "c");

    DriftAssessment assessment = analyzer.assess(reference, window, DriftSettings.defaults());

    // Chi-square: 10^2/50 + 10^2/30 + 0 = 5.333 on 2 degrees of freedom, whose survival function is exp(-x/2).
    DriftStatistic chiSquare = statistic(assessment, "c", DriftTest.CHI_SQUARE);
    assertThat(chiSquare.getStatistic()).isCloseTo(2 + 10.0 / 3, within(1e-12));
    assertThat(chiSquare.getPValue()).isCloseTo(Math.exp(-(2 + 10.0 / 3) / 2), within(1e-12));
    assertThat(statistic(assessment, "c", DriftTest.PSI).getStatistic()).isCloseTo(0.051082562376599, within(1e-12));
    assertThat(statistic(assessment, "c", DriftTest.JENSEN_SHANNON).getStatistic()).isCloseTo(0.095843233776893, within(1e-12));
    assertThat(assessment.featureVerdicts()).containsExactly(Map.entry("c", false));
  }

  @Test
  void shouldBinNumericValuesByTheReferenceEdgesAsTrainingDoes() {
    // Edges 0 and 1 make (-inf, 0], (0, 1], (1, inf): a value on an edge belongs to the bin below it.
    FeatureProfile x = numeric("x", List.of(0.0, 1.0), List.of(0.25, 0.5, 0.25), List.of(-1.0, -0.5, 0.5, 0.7, 2.0, 3.0));
    ReferenceProfile reference = profile(List.of(x));
    DriftWindowAccumulator window = new DriftWindowAccumulator(reference, List.of("only"));
    for (double value : new double[] {3, -1, 0, 1, -0.5, 0.5, 1, 2}) {
      window.add(Map.of("x", value), "only", Map.of());
    }

    DriftAssessment assessment = analyzer.assess(reference, window, DriftSettings.defaults());

    // Window shares (3, 3, 2) / 8 against (0.25, 0.5, 0.25).
    assertThat(statistic(assessment, "x", DriftTest.PSI).getStatistic())
        .isCloseTo(0.125 * Math.log(1.5) + 0.125 * Math.log(4.0 / 3), within(1e-15));
    double m0 = (0.25 + 0.375) / 2;
    double m1 = (0.5 + 0.375) / 2;
    double js = 0.5 * (0.25 * log2(0.25 / m0) + 0.5 * log2(0.5 / m1) + 0.375 * log2(0.375 / m0) + 0.375 * log2(0.375 / m1));
    assertThat(statistic(assessment, "x", DriftTest.JENSEN_SHANNON).getStatistic()).isCloseTo(Math.sqrt(js), within(1e-15));
    // Kolmogorov-Smirnov against the sample: the largest gap between the two empirical CDFs.
    DriftStatistic ks = statistic(assessment, "x", DriftTest.KOLMOGOROV_SMIRNOV);
    assertThat(ks.getStatistic()).isCloseTo(maxCdfGap(new double[] {3, -1, 0, 1, -0.5, 0.5, 1, 2},
        new double[] {-1.0, -0.5, 0.5, 0.7, 2.0, 3.0}), within(1e-12));
    // scipy 1.10.1: scipy.stats.ks_2samp([3, -1, 0, 1, -0.5, 0.5, 1, 2], [-1.0, -0.5, 0.5, 0.7, 2.0, 3.0]) gives
    // statistic 0.16666666666666666, pvalue 0.9996669996669996 (exact; the ties between the samples count as scipy counts them).
    assertThat(ks.getStatistic()).isCloseTo(0.16666666666666666, within(1e-15));
    assertThat(ks.getPValue()).isCloseTo(0.9996669996669996, within(1e-12));
  }

  @Test
  void shouldCountBinsExactlyAsTheSharedBinningRule() {
    SplittableRandom random = new SplittableRandom(3);
    List<Double> edges = List.of(-1.5, -0.5, 0.0, 0.25, 1.0, 2.0);
    double[] values = new double[10_000];
    for (int i = 0; i < values.length; i++) {
      // Whole and quarter values land on the edges often.
      values[i] = i % 3 == 0 ? Math.round(random.nextGaussian() * 4) / 4.0 : random.nextGaussian();
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    long[] counts = DriftAnalyzer.binCounts(edges.stream().mapToDouble(Double::doubleValue).toArray(), sorted);
    double[] shares = Arrays.stream(counts).mapToDouble(c -> (double) c / values.length).toArray();
    assertThat(shares).containsExactly(Bins.proportions(edges, values), within(1e-15));
    assertThat(Arrays.stream(counts).sum()).isEqualTo(values.length);
    assertThat(DriftAnalyzer.binCounts(new double[0], sorted)).containsExactly(values.length);
  }

  private static double maxCdfGap(double[] x, double[] y) {
    double gap = 0;
    for (double t : concat(x, y)) {
      gap = Math.max(gap, Math.abs(cdf(x, t) - cdf(y, t)));
    }
    return gap;
  }

  private static double cdf(double[] values, double t) {
    return Arrays.stream(values).filter(v -> v <= t).count() / (double) values.length;
  }

  private static double[] concat(double[] x, double[] y) {
    double[] all = Arrays.copyOf(x, x.length + y.length);
    System.arraycopy(y, 0, all, x.length, y.length);
    return all;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Test
  void shouldCompareTheOutputWithASmallTestSplitAsTwoSamplesNotAsTheTruth() {
    // A test split of 27 rows (a small dataset's) predicted 5, 14 and 8 of three classes; served traffic predicts
    // them about as the whole data holds them, 330, 400 and 270 of 1,000. Taken as the truth, 27 rows' shares would
    // be far off (goodness of fit: chi-square about 143, PSI 0.117, past 0.1): drift every window.
    FeatureProfile output = FeatureProfile.newBuilder().setName("output").setType(FeatureType.CATEGORICAL).setCount(27)
        .setCategoryFrequencies(new LinkedHashMap<>(Map.of("class_0", 5.0 / 27, "class_1", 14.0 / 27, "class_2", 8.0 / 27))).build();
    ReferenceProfile reference = TrainingLikeProfiles.profile(List.of(categorical("c", Map.of("a", 1.0))), output, 1);

    DriftAssessment usual = analyzer.assess(reference, window(reference, 330, 400, 270), DriftSettings.defaults());
    DriftStatistic classes = statistic(usual, "output", DriftTest.CHI_SQUARE);
    long[][] table = {{5, 14, 8}, {330, 400, 270}};
    assertThat(classes.getStatistic()).isCloseTo(homogeneity(table), within(1e-9));
    // Two degrees of freedom: the survival function is exp(-x / 2).
    assertThat(classes.getPValue()).isCloseTo(Math.exp(-homogeneity(table) / 2), within(1e-12)).isGreaterThan(0.05);
    assertThat(usual.outputDrifted()).isFalse();

    // A real shift, 100, 300 and 600 of 1,000, still shows through the small reference: chi-square about 10.
    DriftAssessment shifted = analyzer.assess(reference, window(reference, 100, 300, 600), DriftSettings.defaults());
    long[][] shiftedTable = {{5, 14, 8}, {100, 300, 600}};
    assertThat(statistic(shifted, "output", DriftTest.CHI_SQUARE).getStatistic()).isCloseTo(homogeneity(shiftedTable), within(1e-9))
        .isGreaterThan(2 * Math.log(1 / 0.025));
    assertThat(shifted.outputDrifted()).isTrue();
  }

  private static DriftWindowAccumulator window(ReferenceProfile reference, int... perClass) {
    DriftWindowAccumulator window = new DriftWindowAccumulator(reference, List.of("class_0", "class_1", "class_2"));
    for (int c = 0; c < perClass.length; c++) {
      for (int i = 0; i < perClass[c]; i++) {
        window.add(Map.of("c", "a"), "class_" + c, Map.of());
      }
    }
    return window;
  }

  /** Pearson's chi-square of a contingency table: the sum of (observed - row total x column total / n)^2 / expected. */
  private static double homogeneity(long[][] table) {
    double n = 0;
    double[] rows = new double[table.length];
    double[] columns = new double[table[0].length];
    for (int r = 0; r < table.length; r++) {
      for (int c = 0; c < table[r].length; c++) {
        rows[r] += table[r][c];
        columns[c] += table[r][c];
        n += table[r][c];
      }
    }
    double statistic = 0;
    for (int r = 0; r < table.length; r++) {
      for (int c = 0; c < table[r].length; c++) {
        double expected = rows[r] * columns[c] / n;
        statistic += (table[r][c] - expected) * (table[r][c] - expected) / expected;
      }
    }
    return statistic;
  }

  private static void addAll(DriftWindowAccumulator window, String feature, int times, Object value) {
    for (int i = 0; i < times; i++) {
      window.add(Map.of(feature, value), "only", Map.of());
    }
  }

  static DriftStatistic statistic(DriftAssessment assessment, String feature, DriftTest test) {
    return assessment.statistics().stream().filter(s -> s.getFeature().equals(feature) && s.getTest() == test)
        .findFirst().orElseThrow(() -> new AssertionError("no " + test + " of " + feature + " in " + assessment.statistics()));
  }

  static ReferenceProfile profile(List<FeatureProfile> features) {
    return TrainingLikeProfiles.profile(features, categorical("output", Map.of("only", 1.0)), 1);
  }

  static FeatureProfile categorical(String name, Map<String, Double> shares) {
    return FeatureProfile.newBuilder().setName(name).setType(FeatureType.CATEGORICAL).setCount(100)
        .setCategoryFrequencies(new LinkedHashMap<>(new TreeMap<>(shares))).build();
  }

  static FeatureProfile numeric(String name, List<Double> edges, List<Double> proportions, List<Double> sample) {
    return FeatureProfile.newBuilder().setName(name).setType(FeatureType.NUMERIC).setCount(100).setBinEdges(edges)
        .setBinProportions(proportions).setSample(sample).setCategoryFrequencies(Map.of()).build();
  }
}
