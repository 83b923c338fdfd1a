package io.kloop.monitor.drift;

import static io.kloop.monitor.drift.DriftStatisticsTest.profile;
import static io.kloop.monitor.drift.DriftStatisticsTest.statistic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.DriftTest;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.FeatureProfiles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Text drift: the three parts of a text feature, worked out by hand, and on seeded reviews with and without unseen words. */
class TextDriftTest {

  private final DriftAnalyzer analyzer = new DriftAnalyzer();

  private static FeatureProfile handMadeText() {
    Map<String, Double> top = new LinkedHashMap<>();
    top.put("good", 0.4);
    top.put("bad", 0.2);
    top.put(FeatureProfiles.OTHER_TOKENS, 0.4);
    return FeatureProfile.newBuilder().setName("review").setType(FeatureType.TEXT).setCount(100)
        .setBinEdges(List.of(10.0)).setBinProportions(List.of(0.5, 0.5)).setSample(List.of(5.0, 8.0, 12.0, 15.0))
        .setCategoryFrequencies(top).setVocabulary(List.of("good", "bad", "film")).setUnseenShare(0.2).build();
  }

  private static void add(DriftWindowAccumulator window, Object review) {
    Map<String, Object> inputs = new HashMap<>();
    inputs.put("review", review);
    window.add(inputs, "only", Map.of());
  }

  @Test
  void shouldTestLengthsUnseenTokensAndTopTokensAsWorkedOutByHand() {
    ReferenceProfile reference = profile(List.of(handMadeText()));
    DriftWindowAccumulator window = new DriftWindowAccumulator(reference, List.of("only"));
    // Lengths 10, 12, 7, 11; tokens: good film | bad bad xyz | good qq | film zzz ww: 10 tokens in 4 texts,
    // 4 unseen (xyz, qq, zzz, ww), good 2, bad 2, the rest 6.
    add(window, "Good film!");
    add(window, "bad, bad xyz");
    add(window, "good qq");
    add(window, "film zzz ww");
    add(window, null);
    add(window, "   ");
    add(window, 42);

    DriftAssessment assessment = analyzer.assess(reference, window, DriftSettings.defaults());

    assertThat(window.missing("review")).isEqualTo(3);
    // Four tests: three text parts and the output; Bonferroni 0.05 / 4.
    assertThat(assessment.hypothesisTests()).isEqualTo(4);
    assertThat(assessment.pValueThreshold()).isEqualTo(0.0125);
    // Length: window 7, 10, 11, 12 against the sample 5, 8, 12, 15: the largest gap of the two ECDFs is 1/4;
    // two lengths on each side of the edge 10: PSI 0.
    assertThat(statistic(assessment, "review:length", DriftTest.KOLMOGOROV_SMIRNOV).getStatistic()).isCloseTo(0.25, within(1e-12));
    assertThat(statistic(assessment, "review:length", DriftTest.PSI).getStatistic()).isCloseTo(0.0, within(1e-12));
    // Unseen: shares (0.6, 0.4) against (0.8, 0.2) with n = 4 texts: 4 (0.04 / 0.8 + 0.04 / 0.2) = 1;
    // chi-square with 1 degree of freedom above 1: 2 (1 - Phi(1)) = 0.3173105078629141.
    assertThat(statistic(assessment, "review:unseen-tokens", DriftTest.CHI_SQUARE).getStatistic()).isCloseTo(1.0, within(1e-12));
    assertThat(statistic(assessment, "review:unseen-tokens", DriftTest.CHI_SQUARE).getPValue()).isCloseTo(0.3173105078629141, within(1e-12));
    assertThat(statistic(assessment, "review:unseen-tokens", DriftTest.PSI).getStatistic())
        .isCloseTo(-0.2 * Math.log(0.75) + 0.2 * Math.log(2), within(1e-12));
    // m = (0.7, 0.3): half of KL(p||m) + KL(q||m), in bits, square-rooted.
    double js = 0.5 * (0.8 * log2(0.8 / 0.7) + 0.2 * log2(0.2 / 0.3) + 0.6 * log2(0.6 / 0.7) + 0.4 * log2(0.4 / 0.3));
    assertThat(statistic(assessment, "review:unseen-tokens", DriftTest.JENSEN_SHANNON).getStatistic()).isCloseTo(Math.sqrt(js), within(1e-12));
    // Top tokens: (good 0.2, bad 0.2, * 0.6) against (0.4, 0.2, 0.4): 4 (0.04 / 0.4 + 0 + 0.04 / 0.4) = 0.8;
    // chi-square with 2 degrees of freedom above x is exp(-x / 2).
    assertThat(statistic(assessment, "review:top-tokens", DriftTest.CHI_SQUARE).getStatistic()).isCloseTo(0.8, within(1e-12));
    assertThat(statistic(assessment, "review:top-tokens", DriftTest.CHI_SQUARE).getPValue()).isCloseTo(Math.exp(-0.4), within(1e-12));
    assertThat(statistic(assessment, "review:top-tokens", DriftTest.PSI).getStatistic())
        .isCloseTo(-0.2 * Math.log(0.5) + 0.2 * Math.log(1.5), within(1e-12));
    assertThat(assessment.featureVerdicts()).containsOnlyKeys("review:length", "review:unseen-tokens", "review:top-tokens");
    assertThat(assessment.drifting()).isFalse();
  }

  @Test
  void shouldFindNoDriftInReviewsLikeTheReferenceAndVocabularyDriftWhenAThirdOfTheWordsAreUnseen() {
    SplittableRandom random = new SplittableRandom(25);
    List<String> training = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      training.add(ReviewTexts.review(random, i % 2 == 0, 0));
    }
    FeatureProfile text = FeatureProfiles.text("review", training, 7);
    assertThat(text.getUnseenShare()).as("40 words, all in the vocabulary").isZero();
    ReferenceProfile reference = profile(List.of(text));

    DriftWindowAccumulator like = new DriftWindowAccumulator(reference, List.of("only"));
    DriftWindowAccumulator unseen = new DriftWindowAccumulator(reference, List.of("only"));
    for (int i = 0; i < 1_000; i++) {
      add(like, ReviewTexts.review(random, i % 2 == 0, 0));
      add(unseen, ReviewTexts.review(random, i % 2 == 0, 0.3));
    }
    DriftAssessment calm = analyzer.assess(reference, like, DriftSettings.defaults());
    DriftAssessment shifted = analyzer.assess(reference, unseen, DriftSettings.defaults());

    assertThat(calm.featureVerdicts()).containsExactly(Map.entry("review:length", false), Map.entry("review:unseen-tokens", false),
        Map.entry("review:top-tokens", false));
    assertThat(calm.drifting()).isFalse();
    assertThat(statistic(calm, "review:unseen-tokens", DriftTest.PSI).getStatistic()).isZero();
    assertThat(shifted.featureVerdicts()).containsEntry("review:unseen-tokens", true);
    assertThat(statistic(shifted, "review:unseen-tokens", DriftTest.CHI_SQUARE).getDrifted()).isTrue();
    // About 30 % of tokens unseen against an expected 0.0001: PSI about 0.3 ln(3000) + 0.7 ln(0.7), far past 0.1.
    assertThat(statistic(shifted, "review:unseen-tokens", DriftTest.PSI).getStatistic()).isBetween(2.0, 3.0);
    assertThat(shifted.driftedShare()).as("one text feature, counted once").isEqualTo(1.0);
    assertThat(shifted.drifting()).isTrue();
    assertThat(shifted.driftedFeatures()).contains("review:unseen-tokens");
  }

  @Test
  void shouldKeepOnlyTheProfilesTopTokensWhateverTheWindowSays() {
    SplittableRandom random = new SplittableRandom(3);
    List<String> training = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      training.add(ReviewTexts.review(random, i % 2 == 0, 0));
    }
    ReferenceProfile reference = profile(List.of(FeatureProfiles.text("review", training, 7)));
    DriftWindowAccumulator window = new DriftWindowAccumulator(reference, List.of("only"));
    for (int i = 0; i < 2_000; i++) {
      add(window, ReviewTexts.review(random, true, 1.0));
    }

    TextTokenCounts counts = window.text(0);
    assertThat(counts.top()).hasSize(FeatureProfiles.TOP_TOKENS);
    assertThat(counts.topCounts()).hasSize(FeatureProfiles.TOP_TOKENS).containsOnly(0L);
    assertThat(counts.unseen()).isEqualTo(counts.tokens()).isEqualTo(counts.otherTokens()).isPositive();
    assertThat(counts.lengths().size()).isEqualTo(2_000);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
