package io.kloop.model;

import static io.kloop.model.OnnxClassifierRawTensorsTest.field;
import static io.kloop.model.OnnxClassifierRawTensorsTest.tensor;
import static io.kloop.test.OnnxGraphs.attribute;
import static io.kloop.test.OnnxGraphs.floatsAttribute;
import static io.kloop.test.OnnxGraphs.longsAttribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ProbabilityFormat;
import io.kloop.events.TensorElementType;
import io.kloop.test.OnnxGraphs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ZipMaps with int64 keys as skl2onnx writes them: the keys are the classifier's class labels
 * ({@code classlabels_int64s = classes_}), which need not be 0..C-1.
 */
class OnnxClassifierZipMapTest {

  /**
   * skl2onnx's shape of a logistic regression on labels {@code labels}: a LinearClassifier with
   * {@code classlabels_ints}, a Softmax and a ZipMap with the same labels as int64 keys. Class k scores
   * {@code weights[k] * x}.
   */
  static byte[] labelled(long[] labels, float... weights) {
    float[] intercepts = new float[labels.length];
    return new OnnxGraphs().producer("skl2onnx", "1.17.0")
        .input("x", OnnxGraphs.FLOAT, 1)
        .node("ai.onnx.ml", "LinearClassifier", List.of("x"), List.of("label", "scores"), floatsAttribute("coefficients", weights),
            floatsAttribute("intercepts", intercepts), longsAttribute("classlabels_ints", labels))
        .node("Softmax", List.of("scores"), List.of("probabilities"), attribute("axis", 1L))
        .node("ai.onnx.ml", "ZipMap", List.of("probabilities"), List.of("output_probability"), longsAttribute("classlabels_int64s", labels))
        .tensorOutput("label", OnnxGraphs.INT64, 0).zipMapOutput("output_probability", OnnxGraphs.INT64)
        .build();
  }

  static ModelSignature signature(String... classes) {
    return ModelSignature.newBuilder()
        .setInputs(List.of(field("x", FeatureType.NUMERIC))).setOutputClasses(List.of(classes))
        .setInputTensor("").setProbabilityTensor("output_probability").setProbabilityFormat(ProbabilityFormat.ZIPMAP)
        .setTensors(List.of(tensor("x", TensorElementType.FLOAT, 2, "x"))).build();
  }

  @Test
  void shouldTakeLabelsOneTwoThreeAsTheClassesInOrder() {
    // x = 1: scores 0, 1, 2 for labels 1, 2, 3; softmax by hand: e^k / (1 + e + e^2).
    double sum = 1 + Math.E + Math.E * Math.E;
    try (OnnxClassifier classifier = OnnxClassifier.load(labelled(new long[] {1, 2, 3}, 0, 1, 2), signature("low", "mid", "high"))) {
      float[][] probabilities = classifier.probabilities(List.of(Map.of("x", 1.0), Map.of("x", 0.0)));

      assertThat(probabilities[0][0]).isCloseTo((float) (1 / sum), within(1e-6f));
      assertThat(probabilities[0][1]).isCloseTo((float) (Math.E / sum), within(1e-6f));
      assertThat(probabilities[0][2]).isCloseTo((float) (Math.E * Math.E / sum), within(1e-6f));
      assertThat(probabilities[1]).containsExactly(new float[] {1 / 3f, 1 / 3f, 1 / 3f}, within(1e-6f));
    }
  }

  @Test
  void shouldTakeLabelsMinusOneAndOneAsTheClassesInOrder() {
    // x = 1: scores -1 and 1, so P(label 1) = sigmoid(2); the second declared class is label 1.
    try (OnnxClassifier classifier = OnnxClassifier.load(labelled(new long[] {-1, 1}, -1, 1), signature("negative", "positive"))) {
      float[][] probabilities = classifier.probabilities(List.of(Map.of("x", 1.0), Map.of("x", -2.0)));

      assertThat(probabilities[0][1]).isCloseTo((float) (1 / (1 + Math.exp(-2))), within(1e-6f));
      assertThat(probabilities[0][0]).isCloseTo((float) (1 / (1 + Math.exp(2))), within(1e-6f));
      assertThat(probabilities[1][0]).isCloseTo((float) (1 / (1 + Math.exp(-4))), within(1e-6f));
    }
  }

  @Test
  void shouldRefuseAZipMapWhoseKeysAreNotOnePerClassNamingThem() {
    try (OnnxClassifier classifier = OnnxClassifier.load(labelled(new long[] {-1, 1}, -1, 1), signature("a", "b", "c"))) {
      assertThatThrownBy(() -> classifier.probabilities(List.of(Map.of("x", 1.0))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("int64 keys [-1, 1]").hasMessageContaining("3 classes");
    }
  }
}
