package io.kloop.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FeatureProfiles.text: the length profile, the vocabulary with its unseen share, and the top tokens' shares. */
class TextProfileTest {

  @Test
  void shouldProfileLengthsVocabularyAndTopTokensAsWorkedOutByHand() {
    // Tokens: good film good | bad film | (none) | ok: good 2, film 2, bad 1, ok 1 of 6; lengths 16, 8, 0, 2.
    FeatureProfile profile = FeatureProfiles.text("review", List.of("Good film, good!", "bad FILM", "", "ok"), 3);

    assertThat(profile.getName()).isEqualTo("review");
    assertThat(profile.getType()).isEqualTo(FeatureType.TEXT);
    assertThat(profile.getCount()).isEqualTo(4);
    assertThat(profile.getSample()).containsExactly(0.0, 2.0, 8.0, 16.0);
    assertThat(profile.getBinProportions().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-12));
    // Ties in frequency in alphabetical order: film before good, bad before ok.
    assertThat(profile.getVocabulary()).containsExactly("film", "good", "bad", "ok");
    // bad and ok were seen once: Good-Turing's estimate of unseen tokens is 2 of 6.
    assertThat(profile.getUnseenShare()).isCloseTo(2.0 / 6, within(1e-12));
    assertThat(profile.getCategoryFrequencies()).containsOnly(Map.entry("film", 2.0 / 6), Map.entry("good", 2.0 / 6),
        Map.entry("bad", 1.0 / 6), Map.entry("ok", 1.0 / 6), Map.entry(FeatureProfiles.OTHER_TOKENS, 0.0));
  }

  @Test
  void shouldKeepTheMostFrequentTokensAsVocabularyAndCountTheRestAsUnseen() {
    // "the" 100 times and 2,500 tokens once each (w0001 .. w2500, alphabetical as numeric): 2,600 tokens.
    List<String> values = new ArrayList<>();
    values.add("the ".repeat(100));
    for (int i = 1; i <= 2_500; i++) {
      values.add(String.format("w%04d", i));
    }

    FeatureProfile profile = FeatureProfiles.text("notes", values, 3);

    assertThat(profile.getVocabulary()).hasSize(FeatureProfiles.VOCABULARY).startsWith("the", "w0001").endsWith("w1999");
    // Outside the vocabulary: w2000 .. w2500, 501 tokens; inside it but seen once: w0001 .. w1999, 1,999 tokens; of 2,600.
    assertThat(profile.getUnseenShare()).isCloseTo(2_500.0 / 2_600, within(1e-12));
    assertThat(profile.getCategoryFrequencies()).hasSize(FeatureProfiles.TOP_TOKENS + 1)
        .containsEntry("the", 100.0 / 2_600).containsEntry("w0019", 1.0 / 2_600).doesNotContainKey("w0020")
        // The rest: 2,600 - 100 - 19.
        .containsEntry(FeatureProfiles.OTHER_TOKENS, 2_481.0 / 2_600);
    assertThat(profile.getCount()).isEqualTo(2_501);
    assertThat(profile.getSample()).hasSize(FeatureProfiles.SAMPLE).isSorted();
  }

  @Test
  void shouldReadUnicodeTokensAndCountLengthInCodePoints() {
    assertThat(TextTokens.tokens("Ça coûte 10€ — NAÏVE_test")).containsExactly("ça", "coûte", "10", "naïve", "test");
    FeatureProfile profile = FeatureProfiles.text("t", List.of("\uD83D\uDE00\uD83D\uDE00 ok"), 1);
    assertThat(profile.getSample()).containsExactly(5.0);
    assertThat(profile.getVocabulary()).containsExactly("ok");
  }

  @Test
  void shouldNameNoTokenLongerThan32CharactersAndKeepTheVocabularyWithin32KiB() {
    // Long tokens (ids, base64): counted, never named, so they are unseen and under *.
    String id = "a".repeat(33);
    FeatureProfile withIds = FeatureProfiles.text("t", List.of(id + " " + id + " ok ok", id + " x" + "b".repeat(31)), 1);
    assertThat(withIds.getVocabulary()).containsExactly("ok", "x" + "b".repeat(31));
    // 6 tokens: the id 3 times (not named), ok twice, the 32-character token once (named, seen once).
    assertThat(withIds.getUnseenShare()).isCloseTo(4.0 / 6, within(1e-12));
    assertThat(withIds.getCategoryFrequencies()).containsOnlyKeys("ok", "x" + "b".repeat(31), FeatureProfiles.OTHER_TOKENS)
        .containsEntry(FeatureProfiles.OTHER_TOKENS, 3.0 / 6);

    // 2,000 distinct tokens of 32 characters, each twice: 64,000 bytes, of which the vocabulary keeps 1,024 (32 KiB).
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      String token = String.format("t%031d", i);
      values.add(token + " " + token);
    }
    FeatureProfile wide = FeatureProfiles.text("t", values, 1);
    assertThat(wide.getVocabulary()).hasSize(1_024);
    assertThat(String.join("", wide.getVocabulary()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(FeatureProfiles.VOCABULARY_BYTES);
    assertThat(wide.getUnseenShare()).isCloseTo(976.0 / 2_000, within(1e-12));
  }

  @Test
  void shouldProfileNoTextsWithoutFailing() {
    FeatureProfile profile = FeatureProfiles.text("t", List.of(), 1);

    assertThat(profile.getCount()).isZero();
    assertThat(profile.getVocabulary()).isEmpty();
    assertThat(profile.getUnseenShare()).isZero();
    assertThat(profile.getSample()).isEmpty();
  }
}
