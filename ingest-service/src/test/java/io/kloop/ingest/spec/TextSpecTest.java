package io.kloop.ingest.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.FeatureType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A text feature in a spec document: its type, its maxLength's bounds and default, and its evolution. */
class TextSpecTest {

  private static final SpecDocument.Label LABEL = new SpecDocument.Label("y", List.of("neg", "pos"), null);

  private static DatasetSpec declare(SpecDocument.Feature... features) {
    return new SpecDocument(null, null, "id", List.of(features), LABEL, null).toSpec("reviews");
  }

  @Test
  void shouldDeclareTextWithOrWithoutAMaxLength() {
    DatasetSpec spec = declare(SpecDocument.Feature.named("review", "TEXT ").withMaxLength(5_000),
        SpecDocument.Feature.named("title", "text").withRequired(false));

    assertThat(spec.problems()).isEmpty();
    assertThat(spec.features().get(0).getType()).isEqualTo(FeatureType.TEXT);
    assertThat(spec.features().get(0).getMaxLength()).isEqualTo(5_000);
    assertThat(spec.features().get(1).getMaxLength()).isNull();
    // Shown back as declared: a document read from the spec keeps the type's name and the maxLength.
    SpecDocument shown = SpecDocument.of(spec, List.of(1));
    assertThat(shown.features().get(0).type()).isEqualTo("text");
    assertThat(shown.features().get(0).maxLength()).isEqualTo(5_000);
    assertThat(shown.features().get(1).maxLength()).isNull();
  }

  @Test
  void shouldRefuseAMaxLengthOutOfBoundsOrOnAnotherType() {
    DatasetSpec spec = declare(
        SpecDocument.Feature.named("zero", "text").withMaxLength(0),
        SpecDocument.Feature.named("huge", "text").withMaxLength(100_001),
        SpecDocument.Feature.named("largest", "text").withMaxLength(100_000),
        SpecDocument.Feature.named("one", "text").withMaxLength(1),
        SpecDocument.Feature.named("radius", "numeric").withMaxLength(10),
        SpecDocument.Feature.named("site", "categorical").withCategories(List.of("a")).withMaxLength(10));

    assertThat(spec.problems()).containsExactlyInAnyOrder(
        "text feature 'zero' needs a maxLength from 1 to 100000 characters (or none for 2000), not 0",
        "text feature 'huge' needs a maxLength from 1 to 100000 characters (or none for 2000), not 100001",
        "feature 'radius' is numeric and cannot have a maxLength",
        "feature 'site' is categorical and cannot have a maxLength");
  }

  @Test
  void shouldTakeAFallingMaxLengthAsIncompatibleAndARisingOneAsCompatible() {
    DatasetSpec unlimited = declare(SpecDocument.Feature.named("review", "text"));
    DatasetSpec shorter = declare(SpecDocument.Feature.named("review", "text").withMaxLength(1_999));
    DatasetSpec longer = declare(SpecDocument.Feature.named("review", "text").withMaxLength(2_001));

    assertThat(SpecEvolution.incompatibilities(unlimited, shorter)).containsExactly("feature 'review' maxLength falls to 1999");
    assertThat(SpecEvolution.incompatibilities(unlimited, longer)).isEmpty();
    assertThat(SpecEvolution.incompatibilities(longer, unlimited)).containsExactly("feature 'review' maxLength falls to 2000");
    // The same limit, spelled out or by default.
    assertThat(SpecEvolution.incompatibilities(unlimited, declare(SpecDocument.Feature.named("review", "text").withMaxLength(2_000))))
        .isEmpty();
  }
}
