package io.kloop.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.ingest.spec.Specs;
import java.util.HashMap;
import java.util.List;
import java.util.stream.IntStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordValidatorTest {

  private final DatasetSpec spec = Specs.tumours("tumours");

  @Test
  void shouldAcceptAndNormaliseAGoodRecordFromJsonOrCsvValues() {
    RecordValidator.Result fromJson = RecordValidator.validate(spec, "r1", Map.of("radius", 12, "site", "a", "smoker", true), "benign");
    RecordValidator.Result fromCsv = RecordValidator.validate(spec, "r1", Map.of("radius", " 12.0", "site", "a", "smoker", "TRUE"), "benign");

    assertThat(fromJson.violations()).isEmpty();
    assertThat(fromJson.features()).containsEntry("radius", 12.0).containsEntry("site", "a").containsEntry("smoker", true);
    assertThat(fromCsv.features()).isEqualTo(fromJson.features());
    assertThat(fromJson.label()).isEqualTo("benign");
  }

  @Test
  void shouldLetOptionalFeaturesBeMissing() {
    Map<String, Object> features = new HashMap<>();
    features.put("radius", 3.5);
    features.put("site", null);

    RecordValidator.Result result = RecordValidator.validate(spec, "r2", features, "malignant");

    assertThat(result.valid()).isTrue();
    assertThat(result.features()).containsEntry("site", null).containsEntry("smoker", null);
  }

  @Test
  void shouldNameTheFieldAndTheReasonOfEveryViolation() {
    Map<String, Object> features = new HashMap<>();
    features.put("site", "c");
    features.put("smoker", "maybe");
    features.put("colour", "red");

    RecordValidator.Result result = RecordValidator.validate(spec, " ", features, "unknown");

    assertThat(result.violations()).containsExactlyInAnyOrder(
        new Violation("id", Violation.MISSING_ID, "record id is missing"),
        new Violation("colour", Violation.UNKNOWN_FEATURE, "not a feature of dataset tumours (spec v1)"),
        new Violation("radius", Violation.MISSING_FEATURE, "required feature is missing"),
        new Violation("site", Violation.UNKNOWN_CATEGORY, "'c' is not one of [a, b]"),
        new Violation("smoker", Violation.WRONG_TYPE, "expected true or false, got 'maybe'"),
        new Violation("diagnosis", Violation.UNKNOWN_CLASS, "'unknown' is not a class of the label (classes: [benign, malignant])"));
  }

  @Test
  void shouldRefuseNonFiniteAndOutOfRangeNumbers() {
    assertThat(RecordValidator.validate(spec, "a", Map.of("radius", Double.NaN), "benign").violations())
        .containsExactly(new Violation("radius", Violation.NOT_FINITE, "expected a finite number, got NaN"));
    assertThat(RecordValidator.validate(spec, "b", Map.of("radius", "Infinity"), "benign").violations())
        .containsExactly(new Violation("radius", Violation.NOT_FINITE, "expected a finite number, got Infinity"));
    assertThat(RecordValidator.validate(spec, "c", Map.of("radius", 50.5), "benign").violations())
        .containsExactly(new Violation("radius", Violation.OUT_OF_RANGE, "50.5 is above the maximum 50.0"));
    assertThat(RecordValidator.validate(spec, "d", Map.of("radius", -1), "benign").violations())
        .containsExactly(new Violation("radius", Violation.OUT_OF_RANGE, "-1.0 is below the minimum 0.0"));
    assertThat(RecordValidator.validate(spec, "e", Map.of("radius", "twelve"), "benign").violations())
        .containsExactly(new Violation("radius", Violation.WRONG_TYPE, "expected a number, got 'twelve'"));
    assertThat(RecordValidator.validate(spec, "f", Map.of("radius", Map.of("x", 1)), "benign").violations())
        .containsExactly(new Violation("radius", Violation.WRONG_TYPE, "expected a number, got an object"));
  }

  @Test
  void shouldRequireTheLabelWhenTheSpecDoes() {
    assertThat(RecordValidator.validate(spec, "g", Map.of("radius", 1), null).violations())
        .containsExactly(new Violation("diagnosis", Violation.MISSING_LABEL, "label is missing"));
  }

  @Test
  void shouldRefuseRecordIdsThatAreTooLongOrHoldControlCharacters() {
    Map<String, Object> good = Map.of("radius", 1);
    assertThat(RecordValidator.validate(spec, "r".repeat(TextRules.MAX_RECORD_ID_CHARS), good, "benign").valid()).isTrue();
    assertThat(RecordValidator.validate(spec, "r".repeat(257), good, "benign").violations())
        .containsExactly(new Violation("id", Violation.BAD_ID, "record id is longer than 256 characters (257)"));
    assertThat(RecordValidator.validate(spec, "r\n[ERROR] forged", good, "benign").violations())
        .containsExactly(new Violation("id", Violation.BAD_ID, "record id contains a control or invisible character (U+000A) at position 1"));
    assertThat(RecordValidator.validate(spec, "\u202eevil", good, "benign").violations()).extracting(Violation::kind)
        .containsExactly(Violation.BAD_ID);
    assertThat(RecordValidator.validate(spec, "a\ud800", good, "benign").violations()).extracting(Violation::reason)
        .containsExactly("record id contains half of a surrogate pair at position 1");
    assertThat(RecordValidator.validate(spec, "\ud83d\ude00 ok", good, "benign").valid()).as("a pair is one character").isTrue();
  }

  @Test
  void shouldRepeatAtMostAShortPieceOfAValueAndOfTheAllowedValues() {
    List<String> many = IntStream.range(0, 1_000).mapToObj(i -> "category-number-" + i).toList();
    DatasetSpec wide = Specs.withFeatures(spec, Specs.categorical("colour", true, many.toArray(String[]::new)));
    String huge = "x".repeat(100_000) + "\u0000";

    List<Violation> violations = RecordValidator.validate(wide, "r", Map.of("colour", huge, "y".repeat(10_000), 1), huge).violations();

    assertThat(violations).extracting(Violation::kind).containsExactlyInAnyOrder(Violation.UNKNOWN_FEATURE, Violation.UNKNOWN_CATEGORY,
        Violation.UNKNOWN_CLASS);
    assertThat(violations).allSatisfy(v -> assertThat(v.reason().length() + v.field().length()).isLessThan(300));
    Violation category = violations.stream().filter(v -> v.kind().equals(Violation.UNKNOWN_CATEGORY)).findFirst().orElseThrow();
    assertThat(category.reason()).startsWith("'" + "x".repeat(TextRules.MAX_ECHO_CHARS) + "…' is not one of [category-number-0, ")
        .endsWith(", … (1000 in all)]");
  }
}
