package io.kloop.ingest.spec;

import static io.kloop.ingest.spec.Specs.bool;
import static io.kloop.ingest.spec.Specs.categorical;
import static io.kloop.ingest.spec.Specs.numeric;
import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.LabelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecEvolutionTest {

  private final DatasetSpec current = Specs.tumours("t");

  @Test
  void shouldAcceptChangesThatKeepEveryValidRecordValid() {
    DatasetSpec next = Specs.withFeatures(current,
        numeric("radius", false, -1.0, null), categorical("site", false, "a", "b", "c"), bool("smoker", false),
        numeric("age", false, 0.0, 120.0));

    assertThat(SpecEvolution.incompatibilities(current, next)).isEmpty();
  }

  @Test
  void shouldNameEveryChangeThatCouldRefuseARecordValidToday() {
    DatasetSpec next = new DatasetSpec("t", 1, "record",
        List.of(numeric("radius", true, 1.0, 40.0), categorical("site", true, "a"), numeric("age", true, null, null)),
        LabelSpec.newBuilder().setName("diagnosis").setClasses(List.of("benign")).setRequired(true).build());

    assertThat(SpecEvolution.incompatibilities(current, next)).containsExactlyInAnyOrder(
        "id field changes from 'id' to 'record'",
        "feature 'radius' min rises to 1.0",
        "feature 'radius' max falls to 40.0",
        "feature 'site' becomes required",
        "feature 'site' loses categories [b]",
        "feature 'smoker' is removed",
        "new feature 'age' is required",
        "label loses classes [malignant]");
  }

  @Test
  void shouldTreatATypeChangeAsIncompatible() {
    DatasetSpec next = Specs.withFeatures(current, numeric("radius", true, 0.0, 50.0), numeric("site", false, null, null),
        bool("smoker", false));

    assertThat(SpecEvolution.incompatibilities(current, next)).containsExactly("feature 'site' changes type from CATEGORICAL to NUMERIC");
  }

  @Test
  void shouldFindProblemsInTheSpecItself() {
    DatasetSpec broken = new DatasetSpec("Bad Name", 1, "id",
        List.of(numeric("id", true, 5.0, 1.0), categorical("site", true), bool("site", false)),
        LabelSpec.newBuilder().setName("y").setClasses(List.of("only")).setRequired(true).build());

    assertThat(broken.problems()).containsExactlyInAnyOrder(
        "dataset name 'Bad Name' must be 1-63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit",
        "feature 'id' has the name of the id field",
        "feature 'id' has min 5.0 above max 1.0",
        "categorical feature 'site' needs its categories",
        "feature 'site' is declared twice",
        "label needs at least two distinct classes");
    assertThat(current.problems()).isEmpty();
  }
}
