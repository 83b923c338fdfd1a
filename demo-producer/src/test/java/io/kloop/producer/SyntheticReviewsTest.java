package io.kloop.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticReviewsTest {

  private static final Set<String> UNSEEN = Set.copyOf(SyntheticReviews.UNSEEN_WORDS);

  @Test
  void shouldGiveTheSameReviewsForTheSameSeed() {
    List<SourceRecord> first = new SyntheticReviews(7, SyntheticReviews.Drift.NONE, "r-").next(100);
    List<SourceRecord> again = new SyntheticReviews(7, SyntheticReviews.Drift.NONE, "r-").next(100);
    List<SourceRecord> other = new SyntheticReviews(8, SyntheticReviews.Drift.NONE, "r-").next(100);

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    assertThat(first.get(0).id()).isEqualTo("r-00001");
    assertThat(first.get(99).id()).isEqualTo("r-00100");
    assertThat(first).allSatisfy(r -> assertThat(r.features()).containsOnlyKeys("review"));
  }

  @Test
  void shouldBalanceTheLabelsAndMixInContraryWords() {
    List<SourceRecord> reviews = new SyntheticReviews(3, SyntheticReviews.Drift.NONE, "r-").next(4000);

    long positive = reviews.stream().filter(r -> r.label().equals("positive")).count();
    assertThat(positive / 4000.0).isCloseTo(0.5, offset(0.03));
    // Sentiment words agree with the label 85% of the time: the share among all sentiment words shows it.
    long agreeing = 0;
    long sentiment = 0;
    for (SourceRecord review : reviews) {
      for (String token : tokens(review)) {
        boolean positiveWord = SyntheticReviews.POSITIVE_WORDS.contains(token);
        if (positiveWord || SyntheticReviews.NEGATIVE_WORDS.contains(token)) {
          sentiment++;
          agreeing += positiveWord == review.label().equals("positive") ? 1 : 0;
        }
      }
    }
    assertThat((double) agreeing / sentiment).isCloseTo(0.85, offset(0.02));
  }

  @Test
  void shouldUseNoUnseenWordWithoutDriftAndTheAskedShareWithIt() {
    List<SourceRecord> base = new SyntheticReviews(5, SyntheticReviews.Drift.NONE, "b-").next(2000);
    List<SourceRecord> drifted = new SyntheticReviews(5, new SyntheticReviews.Drift(0.3, 1), "d-").next(2000);

    assertThat(unseenShare(base)).isZero();
    assertThat(unseenShare(drifted)).isCloseTo(0.3, offset(0.01));
    assertThat(drifted).extracting(SourceRecord::label).containsExactlyElementsOf(base.stream().map(SourceRecord::label).toList());
    // Every word of the base vocabulary the drifted reviews use is one the base reviews use too.
    Set<String> baseWords = new HashSet<>();
    base.forEach(r -> baseWords.addAll(tokens(r)));
    drifted.forEach(r -> tokens(r).stream().filter(t -> !UNSEEN.contains(t)).forEach(t -> assertThat(baseWords).contains(t)));
  }

  @Test
  void shouldWriteLongerReviewsWithinTheMaximumLength() {
    List<SourceRecord> base = new SyntheticReviews(9, SyntheticReviews.Drift.NONE, "b-").next(2000);
    List<SourceRecord> longer = new SyntheticReviews(9, new SyntheticReviews.Drift(0, 2), "l-").next(2000);
    List<SourceRecord> longest = new SyntheticReviews(9, new SyntheticReviews.Drift(0, 10), "x-").next(200);

    // Two to five sentences (3.5 on average) of 25-60 characters: twice as many at factor 2, none cut at 500; at
    // factor 10 (20 or more sentences) every review is cut, within one sentence (60 characters) of 500.
    double baseSentences = base.stream().mapToInt(SyntheticReviewsTest::sentences).average().orElseThrow();
    double longerSentences = longer.stream().mapToInt(SyntheticReviewsTest::sentences).average().orElseThrow();
    assertThat(baseSentences).isCloseTo(3.5, offset(0.1));
    assertThat(longerSentences / baseSentences).isCloseTo(2.0, offset(0.05));
    assertThat(base).allSatisfy(r -> assertThat(sentences(r)).isBetween(2, 5));
    assertThat(longest).allSatisfy(r -> assertThat(text(r).codePointCount(0, text(r).length())).isBetween(440, 500));
    assertThat(base).allSatisfy(r -> assertThat(text(r).length()).isLessThanOrEqualTo(500));
  }

  @Test
  void shouldRefuseDriftOutOfRange() {
    assertThatThrownBy(() -> new SyntheticReviews.Drift(1.5, 1)).hasMessageContaining("--unseen needs a share from 0 to 1");
    assertThatThrownBy(() -> new SyntheticReviews.Drift(0, 0)).hasMessageContaining("--longer needs a factor above 0");
    assertThatThrownBy(() -> new SyntheticReviews.Drift(Double.NaN, 1)).hasMessageContaining("--unseen");
  }

  @Test
  void shouldShipTheReviewsOfSeedOneAndTheirSpec() throws Exception {
    List<SourceRecord> shipped = ReviewsCsv.read(Path.of("../data/reviews.csv"));

    assertThat(shipped).isEqualTo(new SyntheticReviews(1, SyntheticReviews.Drift.NONE, "review-").next(1000));
    assertThat(shipped.get(0).id()).isEqualTo("review-00001");
    assertThat(Files.readString(Path.of("../data/reviews.spec.json"), StandardCharsets.UTF_8))
        .isEqualTo(SyntheticReviews.specJson());
  }

  @Test
  void shouldReadBackWhatItWritesQuotedOrNot(@TempDir Path dir) throws Exception {
    List<SourceRecord> records = List.of(
        new SourceRecord("a", new LinkedHashMap<>(Map.of("review", "plain text")), "positive"),
        new SourceRecord("b", new LinkedHashMap<>(Map.of("review", "with, a comma and \"quotes\"")), "negative"),
        new SourceRecord("c", new LinkedHashMap<>(Map.of("review", "two\nlines")), "negative"));
    Path file = dir.resolve("r.csv");

    ReviewsCsv.write(file, records);

    assertThat(Files.readAllLines(file)).containsExactly(
        "id,review,sentiment", "a,plain text,positive", "b,\"with, a comma and \"\"quotes\"\"\",negative", "c,\"two", "lines\",negative");
    assertThat(ReviewsCsv.read(file)).isEqualTo(records);
  }

  @Test
  void shouldReadTheShippedWineData() throws Exception {
    List<SourceRecord> records = WineCsv.read(Path.of("../data/wine.csv"));

    assertThat(records).hasSize(178);
    assertThat(records).filteredOn(r -> r.label().equals("class_0")).hasSize(59);
    assertThat(records).filteredOn(r -> r.label().equals("class_1")).hasSize(71);
    assertThat(records).filteredOn(r -> r.label().equals("class_2")).hasSize(48);
    assertThat(records.get(0).id()).isEqualTo("wine-001");
    assertThat(records.get(177).id()).isEqualTo("wine-178");
    assertThat(records.get(0).features()).hasSize(13).containsEntry("alcohol", 14.23).containsEntry("proline", 1065.0)
        .containsEntry("od280_od315_of_diluted_wines", 3.92);
    assertThat(Files.readString(Path.of("../data/wine.spec.json"))).contains("\"name\": \"cultivar\"")
        .contains("\"name\": \"od280_od315_of_diluted_wines\"");
  }

  private static String text(SourceRecord review) {
    return (String) review.features().get("review");
  }

  private static List<String> tokens(SourceRecord review) {
    return Arrays.stream(text(review).toLowerCase(Locale.ROOT).split("[^a-z0-9]+")).filter(t -> !t.isEmpty()).toList();
  }

  private static int sentences(SourceRecord review) {
    return (int) text(review).chars().filter(c -> c == '.').count();
  }

  private static double unseenShare(List<SourceRecord> reviews) {
    long unseen = 0;
    long all = 0;
    for (SourceRecord review : reviews) {
      for (String token : tokens(review)) {
        all++;
        unseen += UNSEEN.contains(token) ? 1 : 0;
      }
    }
    return (double) unseen / all;
  }
}
