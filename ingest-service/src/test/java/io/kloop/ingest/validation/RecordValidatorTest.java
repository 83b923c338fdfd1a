package io.kloop.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.ingest.spec.Specs;
import java.util.HashMap;
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
        new Violation("id", "record id is missing"),
        new Violation("colour", "not a feature of dataset tumours (spec v1)"),
        new Violation("radius", "required feature is missing"),
        new Violation("site", "'c' is not one of [a, b]"),
        new Violation("smoker", "expected true or false, got 'maybe'"),
        new Violation("diagnosis", "'unknown' is not a class of the label (classes: [benign, malignant])"));
  }

  @Test
  void shouldRefuseNonFiniteAndOutOfRangeNumbers() {
    assertThat(RecordValidator.validate(spec, "a", Map.of("radius", Double.NaN), "benign").violations())
        .containsExactly(new Violation("radius", "expected a finite number, got NaN"));
    assertThat(RecordValidator.validate(spec, "b", Map.of("radius", "Infinity"), "benign").violations())
        .containsExactly(new Violation("radius", "expected a finite number, got Infinity"));
    assertThat(RecordValidator.validate(spec, "c", Map.of("radius", 50.5), "benign").violations())
        .containsExactly(new Violation("radius", "50.5 is above the maximum 50.0"));
    assertThat(RecordValidator.validate(spec, "d", Map.of("radius", -1), "benign").violations())
        .containsExactly(new Violation("radius", "-1.0 is below the minimum 0.0"));
    assertThat(RecordValidator.validate(spec, "e", Map.of("radius", "twelve"), "benign").violations())
        .containsExactly(new Violation("radius", "expected a number, got 'twelve'"));
    assertThat(RecordValidator.validate(spec, "f", Map.of("radius", Map.of("x", 1)), "benign").violations())
        .containsExactly(new Violation("radius", "expected a number, got an object"));
  }

  @Test
  void shouldRequireTheLabelWhenTheSpecDoes() {
    assertThat(RecordValidator.validate(spec, "g", Map.of("radius", 1), null).violations())
        .containsExactly(new Violation("diagnosis", "label is missing"));
  }
}
