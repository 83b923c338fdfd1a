package io.kloop.ingest.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What makes a declared spec invalid: the document's shape (nulls) and the spec's limits. */
class DatasetSpecProblemsTest {

  private static SpecDocument.Feature numeric(String name) {
    return SpecDocument.Feature.named(name, "numeric");
  }

  private static SpecDocument document(List<SpecDocument.Feature> features, SpecDocument.Label label) {
    return new SpecDocument(null, null, "id", features, label, null);
  }

  private static final SpecDocument.Label LABEL = new SpecDocument.Label("y", List.of("no", "yes"), null);

  @Test
  void shouldNameEveryNullWhereAFeatureACategoryOrAClassBelongs() {
    SpecDocument withNulls = document(Arrays.asList(null, SpecDocument.Feature.named("c", "categorical")
        .withCategories(Arrays.asList("a", null))), new SpecDocument.Label("y", Arrays.asList(null, "a"), null));

    assertThatThrownBy(() -> withNulls.toSpec("d")).isInstanceOfSatisfying(InvalidSpecException.class, e ->
        assertThat(e.problems()).containsExactly(
            "features[0] is null; a feature is an object: {\"name\": ..., \"type\": ...}",
            "feature 'c': categories[1] is null",
            "label: classes[0] is null"));
  }

  @Test
  void shouldTrimNamesCategoriesAndClasses() {
    DatasetSpec spec = document(List.of(SpecDocument.Feature.named(" c ", "categorical").withCategories(List.of(" a", "b "))),
        new SpecDocument.Label(" y", List.of(" no ", "yes"), null)).toSpec("d");

    assertThat(spec.features().get(0).getName()).isEqualTo("c");
    assertThat(spec.features().get(0).getCategories()).containsExactly("a", "b");
    assertThat(spec.label().getClasses()).containsExactly("no", "yes");
    assertThat(spec.problems()).isEmpty();
  }

  @Test
  void shouldRefuseNamesAndValuesOverTheirLimitsOrWithControlCharacters() {
    List<SpecDocument.Feature> features = new ArrayList<>(List.of(
        numeric("n".repeat(65)),
        numeric("bad\nname"),
        SpecDocument.Feature.named("range", "numeric").withRange(Double.NEGATIVE_INFINITY, 1.0),
        SpecDocument.Feature.named("text", "numeric").withDescription("d".repeat(1_001)),
        SpecDocument.Feature.named("c", "categorical").withCategories(List.of("ok", "", "v".repeat(129), "be\u0007ll"))));
    DatasetSpec spec = new SpecDocument(null, null, "i\u0000d", features, new SpecDocument.Label("y", List.of("no", "yes", "x\u202e"), null),
        null).toSpec("BAD NAME");

    assertThat(spec.problems()).containsExactlyInAnyOrder(
        "dataset name 'BAD NAME' must be 1-63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit",
        "idField contains a control or invisible character (U+0000) at position 1",
        "feature name '" + "n".repeat(40) + "…' is longer than 64 characters (65)",
        "feature name 'bad?name' contains a control or invisible character (U+000A) at position 3",
        "feature 'range' needs a finite min and max (or none)",
        "the description of feature 'text' is longer than 1000 characters (1001)",
        "feature 'c' has a blank entry in its categories (a blank value is a missing one)",
        "feature 'c' categories entry '" + "v".repeat(40) + "…' is longer than 128 characters (129)",
        "feature 'c' categories entry 'be?ll' contains a control or invisible character (U+0007) at position 2",
        "label classes entry 'x?' contains a control or invisible character (U+202E) at position 1");
  }

  @Test
  void shouldRefuseMoreFeaturesCategoriesOrClassesThanTheLimits() {
    List<SpecDocument.Feature> many = IntStream.range(0, DatasetSpec.MAX_FEATURES + 1).mapToObj(i -> numeric("f" + i)).toList();
    assertThat(document(many, LABEL).toSpec("d").problems()).containsExactly("a spec declares at most 1000 features, not 1001");
    assertThat(document(many.subList(0, DatasetSpec.MAX_FEATURES), LABEL).toSpec("d").problems()).isEmpty();

    List<String> values = IntStream.range(0, DatasetSpec.MAX_VALUES + 1).mapToObj(i -> "v" + i).toList();
    DatasetSpec wide = document(List.of(SpecDocument.Feature.named("c", "categorical").withCategories(values)),
        new SpecDocument.Label("y", values, null)).toSpec("d");
    assertThat(wide.problems()).containsExactly("feature 'c' has 1001 categories; at most 1000 are allowed",
        "label has 1001 classes; at most 1000 are allowed");
  }

  @Test
  void shouldCheckDatasetNames() {
    assertThat(DatasetSpec.nameProblem("tumours-2_b")).isNull();
    assertThat(DatasetSpec.nameProblem("a".repeat(63))).isNull();
    assertThat(DatasetSpec.nameProblem("a".repeat(64))).isNotNull();
    assertThat(DatasetSpec.nameProblem("-a")).isNotNull();
    assertThat(DatasetSpec.nameProblem("a\u0000")).isEqualTo(
        "dataset name 'a?' must be 1-63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit");
  }
}
