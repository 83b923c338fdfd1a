package io.kloop.training.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImportMetadataTest {

  @Test
  void shouldReadTheDatasetAloneWithAnonymousAsTheImporter() {
    ImportMetadata metadata = ImportMetadata.parse("{\"dataset\": \"wine\"}");

    assertThat(metadata.dataset()).isEqualTo("wine");
    assertThat(metadata.who()).isEqualTo("anonymous");
    assertThat(metadata.classes()).isNull();
    assertThat(metadata.inputs()).isEmpty();
    assertThat(metadata.framework()).isNull();
  }

  @Test
  void shouldReadEveryField() {
    ImportMetadata metadata = ImportMetadata.parse("""
        {"dataset": "wine", "description": "scaler and logistic regression\\nfrom the notebook", "framework": "scikit-learn",
         "classes": ["class_2", "class_0", "class_1"], "inputs": {"float_input_0": "alcohol"}, "importedBy": " alice "}""");

    assertThat(metadata.description()).isEqualTo("scaler and logistic regression\nfrom the notebook");
    assertThat(metadata.framework()).isEqualTo("scikit-learn");
    assertThat(metadata.classes()).containsExactly("class_2", "class_0", "class_1");
    assertThat(metadata.inputs()).isEqualTo(Map.of("float_input_0", "alcohol"));
    assertThat(metadata.who()).isEqualTo("alice");
  }

  @Test
  void shouldRefuseAMissingDatasetAndEveryOtherProblemAtOnce() {
    assertThatThrownBy(() -> ImportMetadata.parse("""
        {"framework": "", "classes": ["a", "a"], "importedBy": "bob\\u0007"}"""))
        .isInstanceOf(ImportRefusedException.class)
        .hasMessageContaining("dataset is required")
        .hasMessageContaining("framework must not be blank")
        .hasMessageContaining("classes names 'a' twice")
        .hasMessageContaining("importedBy must not hold control characters");
  }

  @Test
  void shouldRefuseUnknownKeysDuplicateKeysWrongTypesAndNotJson() {
    assertThatThrownBy(() -> ImportMetadata.parse("{\"dataset\": \"wine\", \"frameworks\": \"x\"}"))
        .isInstanceOf(ImportRefusedException.class).hasMessageContaining("frameworks");
    assertThatThrownBy(() -> ImportMetadata.parse("{\"dataset\": \"wine\", \"dataset\": \"iris\"}"))
        .isInstanceOf(ImportRefusedException.class).hasMessageContaining("dataset");
    assertThatThrownBy(() -> ImportMetadata.parse("{\"dataset\": 42}"))
        .isInstanceOf(ImportRefusedException.class).hasMessageStartingWith("the metadata part is not valid: at dataset");
    assertThatThrownBy(() -> ImportMetadata.parse("{\"dataset\": \"wine\", \"inputs\": {\"x\": null}}"))
        .isInstanceOf(ImportRefusedException.class).hasMessageContaining("inputs maps 'x' to null");
    assertThatThrownBy(() -> ImportMetadata.parse("null")).isInstanceOf(ImportRefusedException.class).hasMessageContaining("null");
    assertThatThrownBy(() -> ImportMetadata.parse("dataset=wine")).isInstanceOf(ImportRefusedException.class)
        .hasMessageStartingWith("the metadata part is not valid");
    assertThatThrownBy(() -> ImportMetadata.parse("{\"dataset\": \"Wine Data\"}")).isInstanceOf(ImportRefusedException.class)
        .hasMessageContaining("is not a dataset name");
  }

  @Test
  void shouldRefuseAPartOverItsLimitBeforeReadingIt() {
    byte[] large = ("{\"dataset\": \"wine\", \"description\": \"" + "x".repeat(ImportMetadata.MAX_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ImportMetadata.parse(large)).isInstanceOf(ImportRefusedException.class)
        .hasMessage("the metadata part has " + large.length + " bytes; at most 65536 are read");
  }

  @Test
  void shouldRefuseADescriptionOverItsLimit() {
    assertThatThrownBy(() -> ImportMetadata.parse("{\"dataset\": \"wine\", \"description\": \"" + "x".repeat(1_001) + "\"}"))
        .isInstanceOf(ImportRefusedException.class).hasMessageContaining("description must be at most 1000 characters (it has 1001)");
    assertThat(ImportMetadata.parse("{\"dataset\": \"wine\", \"classes\": []}").classes()).isEqualTo(List.of());
  }
}
