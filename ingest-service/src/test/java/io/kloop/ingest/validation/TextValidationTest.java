package io.kloop.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.ingest.spec.Specs;
import java.util.List;
import java.util.Map;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

/** RecordValidator on text features: strings kept as they are, other types and overlong texts refused. */
class TextValidationTest {

  private final DatasetSpec spec = Specs.withFeatures(Specs.tumours("reviews"),
      Specs.text("review", true, 10), Specs.text("title", false, null));

  @Test
  void shouldKeepTextAsItIsWithoutTrimming() {
    RecordValidator.Result result = RecordValidator.validate(spec, "r1",
        Map.of("title", "  Great, \"really\"!\n", "review", new Utf8("fine")), "benign");

    assertThat(result.violations()).isEmpty();
    assertThat(result.features()).containsEntry("title", "  Great, \"really\"!\n").containsEntry("review", "fine");
    assertThat(result.features().get("review")).as("an Avro string becomes a String").isInstanceOf(String.class);
  }

  @Test
  void shouldCountCharactersAsCodePoints() {
    // Ten emoji are twenty UTF-16 chars but ten characters: at the limit, not over it.
    String tenEmoji = "\uD83D\uDE00".repeat(10);
    String elevenEmoji = "\uD83D\uDE00".repeat(11);

    assertThat(RecordValidator.validate(spec, "r1", Map.of("review", tenEmoji), "benign").violations()).isEmpty();
    assertThat(RecordValidator.validate(spec, "r2", Map.of("review", elevenEmoji), "benign").violations()).containsExactly(
        new Violation("review", Violation.OUT_OF_RANGE, "text of 11 characters is longer than the feature's maxLength 10"));
  }

  @Test
  void shouldRefuseNonTextAndTextsOverTheDefaultLimit() {
    RecordValidator.Result number = RecordValidator.validate(spec, "r1", Map.of("review", 42L), "benign");
    RecordValidator.Result list = RecordValidator.validate(spec, "r2", Map.of("review", List.of("a")), "benign");
    RecordValidator.Result longTitle = RecordValidator.validate(spec, "r3", Map.of("review", "ok", "title", "t".repeat(2_001)), "benign");
    RecordValidator.Result blank = RecordValidator.validate(spec, "r4", Map.of("review", "   "), "benign");

    assertThat(number.violations()).containsExactly(new Violation("review", Violation.WRONG_TYPE, "expected text, got long 42"));
    assertThat(list.violations()).extracting(Violation::kind).containsExactly(Violation.WRONG_TYPE);
    assertThat(longTitle.violations()).containsExactly(
        new Violation("title", Violation.OUT_OF_RANGE, "text of 2001 characters is longer than the feature's maxLength 2000"));
    // A blank text is a missing value, as for every type.
    assertThat(blank.violations()).containsExactly(new Violation("review", Violation.MISSING_FEATURE, "required feature is missing"));
    assertThat(RecordValidator.validate(spec, "r5", Map.of("review", "ok", "title", "t".repeat(2_000)), "benign").valid()).isTrue();
  }
}
