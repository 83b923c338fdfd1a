package io.kloop.model;

import static io.kloop.test.OnnxGraphs.attribute;
import static io.kloop.test.OnnxGraphs.floatsAttribute;
import static io.kloop.test.OnnxGraphs.longsAttribute;
import static io.kloop.test.OnnxGraphs.stringsAttribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kloop.test.OnnxGraphs;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ProbabilityFormat;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import io.kloop.test.OnnxFixtures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Models that take raw input tensors (imports), run by ONNX Runtime on graphs written here. */
class OnnxClassifierRawTensorsTest {

  /**
   * Four inputs: nums FLOAT [N, 3] (a, b, flag), count INT64 [N, 1] (c), weight DOUBLE [N, 1] (w), colour
   * STRING [N] (a LabelEncoder: red 1, blue -1, anything else 0). P(yes) = sigmoid(a + 2b + 0.5 flag + 3c +
   * 0.25 w + colour). Outputs: probabilities (FP32 [N, 2]), label (INT64 [N]), probabilities64 (FP64) and
   * output_probability (a ZipMap with string keys).
   */
  static byte[] mixedModel() {
    return new OnnxGraphs().producer("skl2onnx", "1.17.0")
        .input("nums", OnnxGraphs.FLOAT, 3).input("count", OnnxGraphs.INT64, 1).input("weight", OnnxGraphs.DOUBLE, 1)
        .input("colour", OnnxGraphs.STRING, 0)
        .floats("W", List.of(6L, 2L), 0, 1, 0, 2, 0, 0.5f, 0, 3, 0, 0.25f, 0, 1).floats("B", List.of(2L), 0, 0).longs("axes", 1)
        .node("Cast", List.of("count"), List.of("cf"), attribute("to", (long) OnnxGraphs.FLOAT))
        .node("Cast", List.of("weight"), List.of("wf"), attribute("to", (long) OnnxGraphs.FLOAT))
        .node("ai.onnx.ml", "LabelEncoder", List.of("colour"), List.of("lf"), stringsAttribute("keys_strings", "red", "blue"),
            floatsAttribute("values_floats", 1, -1), attribute("default_float", 0f))
        .node("Unsqueeze", List.of("lf", "axes"), List.of("lf2"))
        .node("Concat", List.of("nums", "cf", "wf", "lf2"), List.of("all"), attribute("axis", 1L))
        .node("Gemm", List.of("all", "W", "B"), List.of("logits"))
        .node("Softmax", List.of("logits"), List.of("probabilities"), attribute("axis", 1L))
        .node("ArgMax", List.of("logits"), List.of("label"), attribute("axis", 1L), attribute("keepdims", 0L))
        .node("Cast", List.of("probabilities"), List.of("probabilities64"), attribute("to", (long) OnnxGraphs.DOUBLE))
        .node("ai.onnx.ml", "ZipMap", List.of("probabilities"), List.of("output_probability"), stringsAttribute("classlabels_strings", "no", "yes"))
        .tensorOutput("label", OnnxGraphs.INT64, 0).tensorOutput("probabilities", OnnxGraphs.FLOAT, 2)
        .tensorOutput("probabilities64", OnnxGraphs.DOUBLE, 2).zipMapOutput("output_probability", OnnxGraphs.STRING)
        .build();
  }

  /** One text input, text STRING [N, 1]: "good" scores 2, "bad" -2, anything else 0; a ZipMap with int64 keys 0 and 1. */
  static byte[] textModel() {
    return new OnnxGraphs()
        .input("text", OnnxGraphs.STRING, 1)
        .floats("W", List.of(1L, 2L), 0, 1).floats("B", List.of(2L), 0, 0)
        .node("ai.onnx.ml", "LabelEncoder", List.of("text"), List.of("score"), stringsAttribute("keys_strings", "good", "bad"),
            floatsAttribute("values_floats", 2, -2), attribute("default_float", 0f))
        .node("Gemm", List.of("score", "W", "B"), List.of("logits"))
        .node("Softmax", List.of("logits"), List.of("probabilities"), attribute("axis", 1L))
        .node("ai.onnx.ml", "ZipMap", List.of("probabilities"), List.of("output_probability"), longsAttribute("classlabels_int64s", 0, 1))
        .tensorOutput("output_probability_unused", OnnxGraphs.FLOAT, 2).zipMapOutput("output_probability", OnnxGraphs.INT64)
        .node("Identity", List.of("probabilities"), List.of("output_probability_unused"))
        .build();
  }

  private static final List<SignatureTensor> MIXED_TENSORS = List.of(
      tensor("nums", TensorElementType.FLOAT, 2, "a", "b", "flag"), tensor("count", TensorElementType.INT64, 2, "c"),
      tensor("weight", TensorElementType.DOUBLE, 2, "w"), tensor("colour", TensorElementType.STRING, 1, "colour"));

  @Test
  void shouldFillEveryTensorFromTheRecordsValues() {
    try (OnnxClassifier classifier = OnnxClassifier.load(mixedModel(), mixed("probabilities", ProbabilityFormat.TENSOR, MIXED_TENSORS))) {
      float[][] probabilities = classifier.probabilities(List.of(first(), second()));

      assertThat(classifier.rawTensors()).isTrue();
      assertThat(classifier.additive()).isFalse();
      // 0.5 - 2 + 0.5 + 6 + 1 + 1 = 7; 1 + 0.5 + 0 - 3 - 0.5 + 0 = -2.
      assertThat(probabilities[0][1]).isCloseTo((float) sigmoid(7), within(1e-6f));
      assertThat(probabilities[1][1]).isCloseTo((float) sigmoid(-2), within(1e-6f));
      assertThat(probabilities[1][0]).isCloseTo((float) (1 - sigmoid(-2)), within(1e-6f));
    }
  }

  @Test
  void shouldReadTheSameProbabilitiesFromAZipMapWithClassNamesAndFromADoubleTensor() {
    List<Map<String, Object>> records = List.of(first(), second());
    try (OnnxClassifier tensor = OnnxClassifier.load(mixedModel(), mixed("probabilities", ProbabilityFormat.TENSOR, MIXED_TENSORS));
         OnnxClassifier zipMap = OnnxClassifier.load(mixedModel(), mixed("output_probability", ProbabilityFormat.ZIPMAP, MIXED_TENSORS));
         OnnxClassifier doubles = OnnxClassifier.load(mixedModel(), mixed("probabilities64", ProbabilityFormat.TENSOR, MIXED_TENSORS))) {
      float[][] expected = tensor.probabilities(records);
      assertThat(zipMap.probabilities(records)).isDeepEqualTo(expected);
      assertThat(doubles.probabilities(records)).isDeepEqualTo(expected);
    }
  }

  @Test
  void shouldPutTheZipMapsClassesInTheSignaturesOrder() {
    // The same model, its classes named the other way round: the ZipMap's "yes" is now the first class.
    ModelSignature reversed = mixed("output_probability", ProbabilityFormat.ZIPMAP, MIXED_TENSORS);
    reversed.setOutputClasses(List.of("yes", "no"));
    try (OnnxClassifier classifier = OnnxClassifier.load(mixedModel(), reversed)) {
      assertThat(classifier.probabilities(List.of(first()))[0][0]).isCloseTo((float) sigmoid(7), within(1e-6f));
    }
  }

  @Test
  void shouldReadAZipMapWithIndexKeysAndTakeTextAsStrings() {
    ModelSignature signature = ModelSignature.newBuilder()
        .setInputs(List.of(field("review", FeatureType.TEXT))).setOutputClasses(List.of("negative", "positive"))
        .setInputTensor("").setProbabilityTensor("output_probability").setProbabilityFormat(ProbabilityFormat.ZIPMAP)
        .setTensors(List.of(tensor("text", TensorElementType.STRING, 2, "review"))).build();
    Map<String, Object> missing = new HashMap<>();
    missing.put("review", null);
    try (OnnxClassifier classifier = OnnxClassifier.load(textModel(), signature)) {
      float[][] probabilities = classifier.probabilities(List.of(Map.of("review", "good"), Map.of("review", "bad"), missing));

      assertThat(probabilities[0][1]).isCloseTo((float) sigmoid(2), within(1e-6f));
      assertThat(probabilities[1][1]).isCloseTo((float) sigmoid(-2), within(1e-6f));
      assertThat(probabilities[2][1]).isCloseTo(0.5f, within(1e-6f));
    }
  }

  @Test
  void shouldTakeWholeDoublesForIntegerTensorsAndGiveNanForAMissingFloat() {
    Map<String, Object> wholeDouble = first();
    wholeDouble.put("c", 2.0);
    Map<String, Object> missingFloat = first();
    missingFloat.remove("a");
    try (OnnxClassifier classifier = OnnxClassifier.load(mixedModel(), mixed("probabilities", ProbabilityFormat.TENSOR, MIXED_TENSORS))) {
      float[][] probabilities = classifier.probabilities(List.of(wholeDouble, missingFloat));

      assertThat(probabilities[0][1]).isCloseTo((float) sigmoid(7), within(1e-6f));
      assertThat(probabilities[1][1]).isNaN();
    }
  }

  @Test
  void shouldRefuseAMissingOrFractionalValueOfAnIntegerTensor() {
    Map<String, Object> missing = first();
    missing.remove("c");
    Map<String, Object> fraction = first();
    fraction.put("c", 1.5);
    try (OnnxClassifier classifier = OnnxClassifier.load(mixedModel(), mixed("probabilities", ProbabilityFormat.TENSOR, MIXED_TENSORS))) {
      assertThatThrownBy(() -> classifier.probabilities(List.of(first(), missing)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feature c").hasMessageContaining("cannot be missing");
      assertThatThrownBy(() -> classifier.probabilities(List.of(fraction)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feature c").hasMessageContaining("1.5 is not a whole number");
      assertThatThrownBy(() -> classifier.probabilities(new float[][] {{1f}})).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void shouldSayWhatDoesNotFitWhenTheSignatureDoesNotMatchTheGraph() {
    byte[] model = mixedModel();
    List<SignatureTensor> wrongType = replace(2, tensor("weight", TensorElementType.FLOAT, 2, "w"));
    assertLoadFails(model, mixed("probabilities", ProbabilityFormat.TENSOR, wrongType), "input tensor 'weight' holds DOUBLE, not FLOAT");
    List<SignatureTensor> wrongRank = replace(3, tensor("colour", TensorElementType.STRING, 2, "colour"));
    assertLoadFails(model, mixed("probabilities", ProbabilityFormat.TENSOR, wrongRank), "'colour' has rank 1");
    List<SignatureTensor> wrongName = replace(1, tensor("counts", TensorElementType.INT64, 2, "c"));
    assertLoadFails(model, mixed("probabilities", ProbabilityFormat.TENSOR, wrongName), "no input tensor 'counts'");

    ModelSignature tooFewColumns = mixed("probabilities", ProbabilityFormat.TENSOR,
        replace(0, tensor("nums", TensorElementType.FLOAT, 2, "a", "b")));
    tooFewColumns.setInputs(tooFewColumns.getInputs().stream().filter(f -> !f.getName().equals("flag")).toList());
    assertLoadFails(model, tooFewColumns, "'nums' has 3 columns");

    ModelSignature unfilled = mixed("probabilities", ProbabilityFormat.TENSOR, MIXED_TENSORS.subList(0, 3));
    unfilled.setInputs(unfilled.getInputs().stream().filter(f -> !f.getName().equals("colour")).toList());
    assertLoadFails(model, unfilled, "inputs the signature does not fill: [colour]");

    assertLoadFails(model, mixed("probabilities", ProbabilityFormat.ZIPMAP, MIXED_TENSORS), "'probabilities' is not a ZipMap");
    assertLoadFails(model, mixed("output_probability", ProbabilityFormat.TENSOR, MIXED_TENSORS), "needs probability format ZIPMAP");
    assertLoadFails(model, mixed("label", ProbabilityFormat.TENSOR, MIXED_TENSORS), "holds INT64, not probabilities");
    assertLoadFails(model, mixed("scores", ProbabilityFormat.TENSOR, MIXED_TENSORS), "no output tensor 'scores'");
    ModelSignature threeClasses = mixed("probabilities", ProbabilityFormat.TENSOR, MIXED_TENSORS);
    threeClasses.setOutputClasses(List.of("no", "yes", "maybe"));
    assertLoadFails(model, threeClasses, "not [N, 3] for 3 classes");
  }

  @Test
  void shouldRefuseSignaturesWhoseTensorsDoNotHoldTheirFeatures() {
    byte[] model = mixedModel();
    assertLoadFails(model, mixed("probabilities", ProbabilityFormat.TENSOR, replace(1, tensor("count", TensorElementType.INT64, 2, "d"))),
        "names feature d, which is not among the signature's inputs");
    assertLoadFails(model, mixed("probabilities", ProbabilityFormat.TENSOR, replace(1, tensor("count", TensorElementType.INT64, 2, "a"))),
        "feature a is in more than one input tensor");
    assertLoadFails(model, mixed("probabilities", ProbabilityFormat.TENSOR, replace(3, tensor("colour", TensorElementType.FLOAT, 1, "colour"))),
        "cannot hold CATEGORICAL feature colour");
    assertLoadFails(model, mixed("probabilities", ProbabilityFormat.TENSOR, replace(3, tensor("colour", TensorElementType.STRING, 1, "colour", "a"))),
        "rank 1 ([N]) and so holds one feature");
    ModelSignature unplaced = mixed("probabilities", ProbabilityFormat.TENSOR, MIXED_TENSORS);
    List<SignatureField> inputs = new ArrayList<>(unplaced.getInputs());
    inputs.add(field("extra", FeatureType.NUMERIC));
    unplaced.setInputs(inputs);
    assertLoadFails(model, unplaced, "features [extra] are in no input tensor");
  }

  @Test
  void shouldDescribeAModelsInputsOutputsAndProducer() {
    OnnxModelInfo info = OnnxModelInfo.read(mixedModel());

    assertThat(info.producerName()).isEqualTo("skl2onnx");
    assertThat(info.producerVersion()).isEqualTo("1.17.0");
    assertThat(info.inputs()).extracting(OnnxModelInfo.Port::toString)
        .containsExactly("nums: FLOAT [-1, 3]", "count: INT64 [-1, 1]", "weight: DOUBLE [-1, 1]", "colour: STRING [-1]");
    assertThat(info.input("colour").orElseThrow().servedType()).contains(TensorElementType.STRING);
    assertThat(info.output("output_probability").orElseThrow())
        .isEqualTo(new OnnxModelInfo.Port("output_probability", OnnxModelInfo.Kind.SEQUENCE_OF_MAPS, "FLOAT", "STRING", List.of()));
    assertThat(info.output("label").orElseThrow().shape()).containsExactly(-1L);
    assertThat(OnnxModelInfo.read(textModel()).output("output_probability").orElseThrow().keyType()).isEqualTo("INT64");
    assertThatThrownBy(() -> OnnxModelInfo.read(new byte[] {1, 2, 3})).isInstanceOf(OnnxClassifier.ModelLoadException.class);
  }

  @Test
  void shouldDescribeEveryFixtureAsItsManifestDoes() {
    for (String name : OnnxFixtures.names()) {
      OnnxFixtures.Fixture fixture = OnnxFixtures.fixture(name);
      OnnxModelInfo info = OnnxModelInfo.read(OnnxFixtures.bytes(name));

      assertThat(info.producerName()).as(name).isEqualTo(fixture.producerName());
      assertThat(info.producerVersion()).as(name).isEqualTo(fixture.producerVersion());
      assertThat(info.inputs()).as(name).extracting(OnnxModelInfo.Port::name, OnnxModelInfo.Port::elementType)
          .containsExactlyElementsOf(fixture.inputs().stream().map(p -> org.assertj.core.groups.Tuple.tuple(p.name(), p.type())).toList());
      for (OnnxFixtures.Port output : fixture.outputs()) {
        OnnxModelInfo.Port port = info.output(output.name()).orElseThrow();
        assertThat(port.kind().name()).as(name + " " + output.name()).isEqualTo(output.kind());
        if (output.keyType() != null) {
          assertThat(port.keyType()).isEqualTo(output.keyType());
        }
      }
    }
  }

  private static void assertLoadFails(byte[] model, ModelSignature signature, String message) {
    assertThatThrownBy(() -> OnnxClassifier.load(model, signature)).isInstanceOf(OnnxClassifier.ModelLoadException.class)
        .hasMessageContaining(message);
  }

  private static List<SignatureTensor> replace(int index, SignatureTensor tensor) {
    List<SignatureTensor> tensors = new ArrayList<>(MIXED_TENSORS);
    tensors.set(index, tensor);
    return tensors;
  }

  private static Map<String, Object> first() {
    return new HashMap<>(Map.of("a", 0.5, "b", -1.0, "flag", true, "c", 2L, "w", 4.0, "colour", "red"));
  }

  private static Map<String, Object> second() {
    return new HashMap<>(Map.of("a", 1.0, "b", 0.25, "flag", false, "c", -1, "w", -2.0, "colour", "green"));
  }

  static ModelSignature mixed(String output, ProbabilityFormat format, List<SignatureTensor> tensors) {
    return ModelSignature.newBuilder()
        .setInputs(List.of(field("a", FeatureType.NUMERIC), field("b", FeatureType.NUMERIC), field("flag", FeatureType.BOOLEAN),
            field("c", FeatureType.NUMERIC), field("w", FeatureType.NUMERIC), field("colour", FeatureType.CATEGORICAL)))
        .setOutputClasses(List.of("no", "yes")).setInputTensor("").setProbabilityTensor(output).setProbabilityFormat(format)
        .setTensors(tensors).build();
  }

  static SignatureField field(String name, FeatureType type) {
    return SignatureField.newBuilder().setName(name).setType(type).setCategories(List.of()).build();
  }

  static SignatureTensor tensor(String name, TensorElementType type, int rank, String... features) {
    return SignatureTensor.newBuilder().setName(name).setElementType(type).setRank(rank).setFeatures(List.of(features)).build();
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
