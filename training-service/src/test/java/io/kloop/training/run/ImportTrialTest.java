package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.AttributeProto;
import com.google.protobuf.ByteString;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.LabelSpec;
import io.kloop.model.OnnxModelInfo;
import io.kloop.test.OnnxGraphs;
import io.kloop.training.imports.ImportMetadata;
import io.kloop.training.imports.ImportRefusedException;
import io.kloop.training.imports.ImportedSignatures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trial of an imported model on a few rows, with real ONNX Runtime on graphs shaped like the exporters' output:
 * scikit-learn's LinearClassifier with int64 class labels and a ZipMap, a label output beside a probability tensor in
 * another class order than the dataset's, and a file whose output is not the shape it declares.
 */
class ImportTrialTest {

  /** Classes a, b, c; two numeric features x1 and x2. */
  private static final DatasetSpecDeclared DATASET = DatasetSpecDeclared.newBuilder().setEventId("e").setEventTime(Instant.EPOCH).setProducer("test")
      .setDataset("abc").setVersion(1).setIdField("id")
      .setFeatures(List.of(numeric("x1"), numeric("x2")))
      .setLabel(LabelSpec.newBuilder().setName("class").setClasses(List.of("a", "b", "c")).setRequired(true).build()).setDeclaredBy("test").build();
  private static final ImportMetadata PLAIN = ImportMetadata.parse("{\"dataset\": \"abc\"}");
  /** Row 0 scores (2, 0, -2) with the coefficients below: the first class label; row 1 (0, 3, -3): the second. */
  private static final List<Map<String, Object>> ROWS = List.of(Map.of("x1", 2.0, "x2", 0.0), Map.of("x1", 0.0, "x2", 3.0));
  private static final float[] COEFFICIENTS = {1, 0, 0, 1, -1, -1};

  @Test
  void shouldTakeAZipMapWhoseInt64KeysAreTheSortedClassLabelsOneTwoThree() {
    // skl2onnx for y in {1, 2, 3}: classlabels_int64s = model.classes_, so key 1 is the first class (a), 2 is b, 3 is c.
    byte[] file = new OnnxGraphs().producer("skl2onnx", "1.17.0").input("float_input", OnnxGraphs.FLOAT, 2)
        .node("ai.onnx.ml", "LinearClassifier", List.of("float_input"), List.of("output_label", "scores"),
            OnnxGraphs.longsAttribute("classlabels_ints", 1, 2, 3), OnnxGraphs.floatsAttribute("coefficients", COEFFICIENTS),
            OnnxGraphs.floatsAttribute("intercepts", 0, 0, 0), string("post_transform", "SOFTMAX"))
        .node("ai.onnx.ml", "ZipMap", List.of("scores"), List.of("output_probability"), OnnxGraphs.longsAttribute("classlabels_int64s", 1, 2, 3))
        .tensorOutput("output_label", OnnxGraphs.INT64, 0).zipMapOutput("output_probability", OnnxGraphs.INT64).build();
    ImportedSignatures.Built built = ImportedSignatures.of(OnnxModelInfo.read(file), DATASET, PLAIN);

    assertThat(built.labelOutput()).isEqualTo("output_label");
    assertThatCode(() -> ImportTrial.run(file, built, "abc", ROWS)).doesNotThrowAnyException();
  }

  @Test
  void shouldCatchAWrongClassOrderByTheLabelOutput() {
    // The model's columns are c, b, a (its classlabels_strings); the dataset declares a, b, c.
    byte[] file = stringLabels();
    ImportedSignatures.Built built = ImportedSignatures.of(OnnxModelInfo.read(file), DATASET, PLAIN);

    // Row 0: the model says c, and column 0 (read as a) is the most probable.
    assertThatThrownBy(() -> ImportTrial.run(file, built, "abc", ROWS)).isInstanceOf(ImportRefusedException.class)
        .hasMessage("the model's label output disagrees with its probabilities on row 0 (label c, most probable a): the classes' order is "
            + "probably wrong; give it in metadata classes");

    ImportedSignatures.Built ordered = ImportedSignatures.of(OnnxModelInfo.read(file), DATASET,
        ImportMetadata.parse("{\"dataset\": \"abc\", \"classes\": [\"c\", \"b\", \"a\"]}"));
    assertThatCode(() -> ImportTrial.run(file, ordered, "abc", ROWS)).doesNotThrowAnyException();
  }

  @Test
  void shouldRefuseAFileWhoseOutputIsNotTheShapeItDeclares() {
    // Declares probabilities [N, 3] but returns [N, 2]: the file's behaviour, so a 400, not the service's fault.
    byte[] file = new OnnxGraphs().input("float_input", OnnxGraphs.FLOAT, 2)
        .floats("W", List.of(2L, 2L), 0, 0, 0, 0)
        .node("MatMul", List.of("float_input", "W"), List.of("logits"))
        .node("Softmax", List.of("logits"), List.of("probabilities"), OnnxGraphs.attribute("axis", 1L))
        .tensorOutput("probabilities", OnnxGraphs.FLOAT, 3).build();
    ImportedSignatures.Built built = ImportedSignatures.of(OnnxModelInfo.read(file), DATASET, PLAIN);

    assertThatThrownBy(() -> ImportTrial.run(file, built, "abc", ROWS)).isInstanceOf(ImportRefusedException.class)
        .hasMessageStartingWith("the model cannot be run on rows of dataset abc: ").hasMessageContaining("2");
  }

  @Test
  void shouldMapInt64LabelsAsTheirKeysAndSkipLabelsThatAreNoColumnIndices() {
    List<String> classes = List.of("a", "b", "c");
    double[][] probabilities = {{0.7, 0.2, 0.1}, {0.1, 0.1, 0.8}};
    // Keys {-1, 1, 5} sorted: -1 is a, 1 is b, 5 is c.
    assertThat(LabelTrial.disagreement(classes, probabilities, new Object[] {-1L, 5L}, List.of(-1L, 1L, 5L), true)).isEmpty();
    assertThat(LabelTrial.disagreement(classes, probabilities, new Object[] {-1L, 1L}, List.of(-1L, 1L, 5L), true)).hasValue(
        "the model's label output disagrees with its probabilities on row 1 (label 1 = b, most probable c): the classes' order is "
            + "probably wrong; give it in metadata classes");
    // Beside a tensor: labels 0..C-1 index the columns.
    assertThat(LabelTrial.disagreement(classes, probabilities, new Object[] {0L, 2L}, null, false)).isEmpty();
    assertThat(LabelTrial.disagreement(classes, probabilities, new Object[] {1L, 2L}, null, false)).isPresent();
    // Labels 1 and 7 are no column indices of 3 classes: nothing says what they mean, so nothing is checked.
    assertThat(LabelTrial.disagreement(classes, probabilities, new Object[] {1L, 7L}, null, false)).isEmpty();
    // A tie agrees with either class; a name that is no class never agrees.
    assertThat(LabelTrial.disagreement(classes, new double[][] {{0.5, 0.5, 0}}, new Object[] {"b"}, null, false)).isEmpty();
    assertThat(LabelTrial.disagreement(classes, new double[][] {{0.5, 0.5, 0}}, new Object[] {"z"}, null, false)).isPresent();
  }

  private static byte[] stringLabels() {
    return new OnnxGraphs().producer("skl2onnx", "1.17.0").input("float_input", OnnxGraphs.FLOAT, 2)
        .node("ai.onnx.ml", "LinearClassifier", List.of("float_input"), List.of("output_label", "probabilities"),
            OnnxGraphs.stringsAttribute("classlabels_strings", "c", "b", "a"), OnnxGraphs.floatsAttribute("coefficients", COEFFICIENTS),
            OnnxGraphs.floatsAttribute("intercepts", 0, 0, 0), string("post_transform", "SOFTMAX"))
        .tensorOutput("output_label", OnnxGraphs.STRING, 0).tensorOutput("probabilities", OnnxGraphs.FLOAT, 3).build();
  }

  private static AttributeProto string(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
  }

  private static FeatureSpec numeric(String name) {
    return FeatureSpec.newBuilder().setName(name).setType(FeatureType.NUMERIC).setRequired(true).setCategories(List.of()).build();
  }
}
