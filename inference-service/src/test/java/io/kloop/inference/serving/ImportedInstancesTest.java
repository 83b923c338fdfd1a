package io.kloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Instances of an imported model: a text input of at most 10 characters, a count it takes as INT64, a score as FP32. */
class ImportedInstancesTest {

  static final ModelSignature SIGNATURE = ModelSignature.newBuilder()
      .setInputs(List.of(SignatureField.newBuilder().setName("review").setType(FeatureType.TEXT).setMaxLength(10).build(),
          SignatureField.newBuilder().setName("count").setType(FeatureType.NUMERIC).build(),
          SignatureField.newBuilder().setName("score").setType(FeatureType.NUMERIC).build()))
      .setOutputClasses(List.of("negative", "positive")).setInputTensor("").setProbabilityTensor("probabilities")
      .setTensors(List.of(
          SignatureTensor.newBuilder().setName("text").setElementType(TensorElementType.STRING).setRank(1).setFeatures(List.of("review")).build(),
          SignatureTensor.newBuilder().setName("count").setElementType(TensorElementType.INT64).setFeatures(List.of("count")).build(),
          SignatureTensor.newBuilder().setName("score").setElementType(TensorElementType.FLOAT).setFeatures(List.of("score")).build()))
      .build();

  @Test
  void shouldTakeATextOfUpToItsMaxLengthInCharactersAndAWholeCount() {
    // Ten characters, two of them outside the Basic Multilingual Plane (two UTF-16 units each).
    String ten = "good \ud83d\ude00\ud83d\ude00 ok";
    Map<String, Object> missingScore = new HashMap<>(Map.of("review", "bad", "count", 3L));
    missingScore.put("score", null);

    List<Map<String, Object>> valid = Instances.validate(SIGNATURE, List.of(Map.of("review", ten, "count", 2, "score", 0.5), missingScore), "instances");

    assertThat(valid.get(0)).isEqualTo(Map.of("review", ten, "count", 2.0, "score", 0.5));
    Map<String, Object> expected = new HashMap<>(Map.of("review", "bad", "count", 3.0));
    expected.put("score", null);
    assertThat(valid.get(1)).isEqualTo(expected);
    assertThat(Instances.validate(SIGNATURE, List.of(Map.of("review", "x", "count", 4.0, "score", 1)), "instances").get(0)).containsEntry("count", 4.0);
  }

  @Test
  void shouldRefuseALongerTextANonTextAndACountThatIsNotAWholeNumberOrMissing() {
    assertThatThrownBy(() -> validate(Map.of("review", "eleven char", "count", 1, "score", 1)))
        .hasMessage("instances[0].review: a text of 11 characters; this feature takes at most 10");
    assertThatThrownBy(() -> validate(Map.of("review", 5, "count", 1, "score", 1)))
        .hasMessage("instances[0].review: expected a text (a string), got integer 5");
    assertThatThrownBy(() -> validate(Map.of("review", "ok", "count", 1.5, "score", 1)))
        .hasMessage("instances[0].count: 1.5 is not a whole number, and the model takes this feature as an integer (INT64; at most 2^53 in magnitude)");
    Map<String, Object> missingCount = new HashMap<>(Map.of("review", "ok", "score", 1));
    missingCount.put("count", null);
    assertThatThrownBy(() -> validate(missingCount))
        .hasMessage("instances[0].count: the model takes this feature as an integer (INT64), which cannot be missing: send a whole number");
  }

  private static void validate(Map<String, Object> instance) {
    Instances.validate(SIGNATURE, List.of(instance), "instances");
  }
}
