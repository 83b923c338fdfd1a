package io.kloop.model;

import static io.kloop.model.OnnxClassifierRawTensorsTest.field;
import static io.kloop.model.OnnxClassifierRawTensorsTest.tensor;
import static io.kloop.test.OnnxGraphs.attribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ProbabilityFormat;
import io.kloop.events.TensorElementType;
import io.kloop.test.OnnxGraphs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Models whose probability output is not what their file declares ({@code [N, 2]} FP32): a clear
 * {@link OnnxClassifier.ModelOutputException} with the actual shape, never a ClassCastException or an
 * ArrayIndexOutOfBoundsException.
 */
class OnnxClassifierOutputsTest {

  /**
   * x FLOAT [N, 1]; declared output p FLOAT [N, 2], computed by {@code op} from pair = [x, x] and the
   * constants c (given), zero and axis0 (both [0]). The constants pass through Identity nodes, so ONNX's
   * shape inference cannot see their values and keeps the declared shape, as a file exported with a wrong
   * output shape would have it.
   */
  private static byte[] model(String op, List<String> inputs, long c, AttributeProto... attributes) {
    return new OnnxGraphs().input("x", OnnxGraphs.FLOAT, 1).longs("c0", c).longs("zero0", 0).longs("axis00", 0)
        .node("Identity", List.of("c0"), List.of("c")).node("Identity", List.of("zero0"), List.of("zero"))
        .node("Identity", List.of("axis00"), List.of("axis0"))
        .node("Concat", List.of("x", "x"), List.of("pair"), attribute("axis", 1L))
        .node(op, inputs, List.of("p"), attributes)
        .tensorOutput("p", OnnxGraphs.FLOAT, 2).build();
  }

  private static final ModelSignature SIGNATURE = ModelSignature.newBuilder()
      .setInputs(List.of(field("x", FeatureType.NUMERIC))).setOutputClasses(List.of("no", "yes"))
      .setInputTensor("").setProbabilityTensor("p").setProbabilityFormat(ProbabilityFormat.TENSOR)
      .setTensors(List.of(tensor("x", TensorElementType.FLOAT, 2, "x"))).build();

  private static final List<Map<String, Object>> TWO = List.of(Map.of("x", 0.25), Map.of("x", 0.75));

  @Test
  void shouldNameTheShapeAndTypeOfAnOutputOfAnotherRankOrType() throws Exception {
    // ONNX Runtime refuses at load a file whose declared output rank its shape inference contradicts, so
    // values of another rank or type are handed to read() directly, as a graph shape inference cannot see
    // through would return them.
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OnnxClassifier classifier = OnnxClassifier.load(model("Slice", List.of("pair", "zero", "c", "axis0"), 2), SIGNATURE);
         OnnxTensor rank1 = OnnxTensor.createTensor(environment, new float[] {0.5f, 0.5f, 0.5f, 0.5f});
         OnnxTensor rank3 = OnnxTensor.createTensor(environment, new float[][][] {{{0.5f, 0.5f}, {0.5f, 0.5f}}});
         OnnxTensor longs = OnnxTensor.createTensor(environment, new long[][] {{0, 1}, {1, 0}})) {
      assertThatThrownBy(() -> classifier.read(rank1, 2)).isInstanceOf(OnnxClassifier.ModelOutputException.class)
          .hasMessageContaining("a tensor of FLOAT [4], not a FLOAT or DOUBLE tensor [2, 2]");
      assertThatThrownBy(() -> classifier.read(rank3, 2)).isInstanceOf(OnnxClassifier.ModelOutputException.class)
          .hasMessageContaining("a tensor of FLOAT [1, 2, 2]");
      assertThatThrownBy(() -> classifier.read(longs, 2)).isInstanceOf(OnnxClassifier.ModelOutputException.class)
          .hasMessageContaining("a tensor of INT64 [2, 2]");
    }
  }

  @Test
  void shouldSayHowManyRowsCameBackForAnEmptyOrShortAnswer() {
    // Slice of rows [0, 0): a [0, 2] answer; rows [0, 1): one row for two.
    try (OnnxClassifier classifier = OnnxClassifier.load(model("Slice", List.of("pair", "zero", "c", "axis0"), 0), SIGNATURE)) {
      assertThatThrownBy(() -> classifier.probabilities(TWO)).isInstanceOf(OnnxClassifier.ModelOutputException.class)
          .hasMessageContaining("probabilities for 0 rows, not for the 2 it was given");
    }
    try (OnnxClassifier classifier = OnnxClassifier.load(model("Slice", List.of("pair", "zero", "c", "axis0"), 1), SIGNATURE)) {
      assertThat(classifier.probabilities(TWO.subList(0, 1))[0]).containsExactly(0.25f, 0.25f);
      assertThatThrownBy(() -> classifier.probabilities(TWO)).isInstanceOf(OnnxClassifier.ModelOutputException.class)
          .hasMessageContaining("probabilities for 1 rows, not for the 2 it was given");
    }
  }
}
