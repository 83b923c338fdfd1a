package io.kloop.training.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kloop.test.OnnxGraphs;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.LabelSpec;
import io.kloop.events.ModelSignature;
import io.kloop.events.ProbabilityFormat;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import io.kloop.model.OnnxClassifier;
import io.kloop.model.OnnxModelInfo;
import io.kloop.model.OnnxModelInfo.Kind;
import io.kloop.model.OnnxModelInfo.Port;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The signature of an imported model: each accepted shape of inputs and outputs, and each refusal with its reason. Most
 * cases describe the model's ports as ONNX Runtime reports them; one reads a real ONNX graph and runs it with the
 * signature built.
 */
class ImportedSignaturesTest {

  private static final DatasetSpecDeclared WINE = dataset(List.of(
      feature("alcohol", FeatureType.NUMERIC, true), feature("malic_acid", FeatureType.NUMERIC, true), feature("ash", FeatureType.NUMERIC, true)));
  private static final DatasetSpecDeclared REVIEWS = dataset(List.of(
      feature("stars", FeatureType.NUMERIC, false), feature("verified", FeatureType.BOOLEAN, true), feature("shop", FeatureType.CATEGORICAL, true),
      feature("review", FeatureType.TEXT, true)));
  private static final ImportMetadata PLAIN = ImportMetadata.parse("{\"dataset\": \"wine\"}");
  private static final Port ZIPMAP = new Port("output_probability", Kind.SEQUENCE_OF_MAPS, "FLOAT", "STRING", List.of());
  private static final Port LABEL = new Port("output_label", Kind.TENSOR, "STRING", "", List.of(-1L));

  @Test
  void shouldPutTheNumericFeaturesInOrderIntoTheOneMatrixInputOfAModelWithAZipMap() {
    ImportedSignatures.Built built = ImportedSignatures.of(model(List.of(tensor("float_input", "FLOAT", -1, 3)), List.of(LABEL, ZIPMAP)), WINE, PLAIN);

    ModelSignature signature = built.signature();
    assertThat(signature.getTensors()).containsExactly(SignatureTensor.newBuilder().setName("float_input").setElementType(TensorElementType.FLOAT)
        .setFeatures(List.of("alcohol", "malic_acid", "ash")).setRank(2).build());
    assertThat(signature.getInputs()).extracting(SignatureField::getName).containsExactly("alcohol", "malic_acid", "ash");
    assertThat(signature.getProbabilityFormat()).isEqualTo(ProbabilityFormat.ZIPMAP);
    assertThat(signature.getProbabilityTensor()).isEqualTo("output_probability");
    assertThat(signature.getOutputClasses()).containsExactly("class_0", "class_1", "class_2");
    assertThat(signature.getInputTensor()).isEmpty();
    assertThat(built.unusedFeatures()).isEmpty();
  }

  @Test
  void shouldTakeOneTensorPerFeatureOfEachTypeAndLeaveOutWhatTheModelDoesNotTake() {
    ImportedSignatures.Built built = ImportedSignatures.of(model(List.of(tensor("review", "STRING", -1, 1), tensor("verified", "INT64", -1, 0),
        tensor("shop", "STRING", -1, 0)), List.of(tensor("probabilities", "FLOAT", -1, 3))), REVIEWS, ImportMetadata.parse("{\"dataset\": \"reviews\"}"));

    assertThat(built.signature().getTensors()).extracting(SignatureTensor::getName, SignatureTensor::getElementType, SignatureTensor::getFeatures,
        SignatureTensor::getRank).containsExactly(
            org.assertj.core.groups.Tuple.tuple("review", TensorElementType.STRING, List.of("review"), 2),
            org.assertj.core.groups.Tuple.tuple("verified", TensorElementType.INT64, List.of("verified"), 1),
            org.assertj.core.groups.Tuple.tuple("shop", TensorElementType.STRING, List.of("shop"), 1));
    // The signature's inputs in the dataset's order, with their types and categories.
    assertThat(built.signature().getInputs()).extracting(SignatureField::getName).containsExactly("verified", "shop", "review");
    assertThat(built.signature().getInputs().get(1).getCategories()).containsExactly("north", "south");
    assertThat(built.signature().getInputs().get(2).getMaxLength()).isEqualTo(500);
    assertThat(built.signature().getProbabilityFormat()).isEqualTo(ProbabilityFormat.TENSOR);
    assertThat(built.unusedFeatures()).containsExactly("stars");
  }

  @Test
  void shouldMapInputsToFeaturesAndOrderTheClassesAsTheMetadataSays() {
    ImportMetadata metadata = ImportMetadata.parse("""
        {"dataset": "wine", "inputs": {"x0": "alcohol", "x2": "ash"}, "classes": ["class_2", "class_0", "class_1"]}""");

    ModelSignature signature = ImportedSignatures.of(model(List.of(tensor("x0", "DOUBLE", -1, 1), tensor("malic_acid", "FLOAT", -1, 1),
        tensor("x2", "FLOAT", -1, 1)), List.of(tensor("logits", "FLOAT", -1, 3), tensor("probabilities", "FLOAT", -1, 3))), WINE, metadata).signature();

    assertThat(signature.getTensors()).extracting(SignatureTensor::getName, SignatureTensor::getFeatures).containsExactly(
        org.assertj.core.groups.Tuple.tuple("x0", List.of("alcohol")), org.assertj.core.groups.Tuple.tuple("malic_acid", List.of("malic_acid")),
        org.assertj.core.groups.Tuple.tuple("x2", List.of("ash")));
    assertThat(signature.getOutputClasses()).containsExactly("class_2", "class_0", "class_1");
    assertThat(signature.getProbabilityTensor()).as("a tensor named for probabilities before another").isEqualTo("probabilities");
  }

  @Test
  void shouldRefuseInputsThatMapToNoFeatureNamingThem() {
    assertRefused(model(List.of(tensor("alcohol", "FLOAT", -1, 1), tensor("colour", "FLOAT", -1, 1), tensor("hue", "FLOAT", -1, 1)), List.of(ZIPMAP)),
        WINE, PLAIN, "the model's inputs [colour, hue] are no features of dataset wine (its features: [alcohol, malic_acid, ash])");
    assertRefused(model(List.of(tensor("alcohol", "FLOAT", -1, 1)), List.of(ZIPMAP)), WINE,
        ImportMetadata.parse("{\"dataset\": \"wine\", \"inputs\": {\"x\": \"alcohol\"}}"), "the metadata's inputs name [x], which the model does not have");
    assertRefused(model(List.of(tensor("x", "FLOAT", -1, 1)), List.of(ZIPMAP)), WINE,
        ImportMetadata.parse("{\"dataset\": \"wine\", \"inputs\": {\"x\": \"colour\"}}"), "maps input 'x' to feature 'colour', which dataset wine does not have");
    assertRefused(model(List.of(tensor("alcohol", "FLOAT", -1, 1), tensor("x", "FLOAT", -1, 1)), List.of(ZIPMAP)), WINE,
        ImportMetadata.parse("{\"dataset\": \"wine\", \"inputs\": {\"x\": \"alcohol\"}}"), "inputs 'alcohol' and 'x' both take feature 'alcohol'");
  }

  @Test
  void shouldRefuseAMatrixOfAnotherWidthOrTypeSayingWhatItMustBe() {
    assertRefused(model(List.of(tensor("input", "FLOAT", -1, 30)), List.of(ZIPMAP)), WINE, PLAIN,
        "the model's one input 'input' names no feature of dataset wine, so it must be a FLOAT, DOUBLE or INT64 tensor [N, 3] holding the dataset's "
            + "3 numeric and boolean features in the spec's order; it is a FLOAT tensor [N, 30]");
    assertRefused(model(List.of(tensor("input", "STRING", -1, 3)), List.of(ZIPMAP)), WINE, PLAIN, "it is a STRING tensor [N, 3]");
    assertRefused(model(List.of(tensor("input", "INT32", -1, 3)), List.of(ZIPMAP)), WINE, PLAIN, "input 'input' is a INT32 tensor");
  }

  @Test
  void shouldRefuseAFixedBatchSizeAWrongShapeAndAWrongTypeForAFeature() {
    assertRefused(model(List.of(tensor("input", "FLOAT", 1, 3)), List.of(ZIPMAP)), WINE, PLAIN,
        "input 'input' has a fixed batch size of 1 (shape [1, 3]); export it with a dynamic first dimension");
    assertRefused(model(List.of(tensor("alcohol", "FLOAT", -1, 2), tensor("ash", "FLOAT", -1, 1)), List.of(ZIPMAP)), WINE, PLAIN,
        "input 'alcohol' for feature 'alcohol' has shape [N, 2]; an input of one feature has shape [N, 1] or [N]");
    assertRefused(model(List.of(tensor("alcohol", "STRING", -1, 1), tensor("ash", "FLOAT", -1, 1)), List.of(ZIPMAP)), WINE, PLAIN,
        "input 'alcohol' is a STRING tensor but feature 'alcohol' is NUMERIC");
    assertRefused(model(List.of(tensor("shop", "FLOAT", -1, 1)), List.of(ZIPMAP)), REVIEWS, ImportMetadata.parse("{\"dataset\": \"reviews\"}"),
        "categorical and text features go into STRING tensors");
    assertRefused(model(List.of(tensor("stars", "INT64", -1, 1)), List.of(ZIPMAP)), REVIEWS, ImportMetadata.parse("{\"dataset\": \"reviews\"}"),
        "input 'stars' is an INT64 tensor, which cannot hold a missing value, but features [stars] are optional");
  }

  @Test
  void shouldRefuseAModelWithoutClassProbabilitiesListingItsOutputs() {
    assertRefused(model(List.of(tensor("input", "FLOAT", -1, 3)), List.of(tensor("variable", "FLOAT", -1, 1))), WINE, PLAIN,
        "the model outputs no class probabilities: it needs a FLOAT or DOUBLE tensor [N, 3] or a ZipMap (a sequence of maps from class to "
            + "probability) for the dataset's 3 classes; its outputs are variable FLOAT [N, 1]");
    assertRefused(model(List.of(tensor("input", "FLOAT", -1, 3)), List.of(LABEL, new Port("scores", Kind.TENSOR, "INT64", "", List.of(-1L, 3L)))),
        WINE, PLAIN, "its outputs are output_label STRING [N], scores INT64 [N, 3]");
  }

  @Test
  void shouldRefuseAModelWithoutInputs() {
    // Without tensors the signature would read as the platform's own encoding, and serving would look for an input ''.
    assertRefused(model(List.of(), List.of(ZIPMAP)), WINE, PLAIN, "the model has no inputs");
  }

  @Test
  void shouldNameTheLabelOutputBesideTheProbabilities() {
    assertThat(ImportedSignatures.of(model(List.of(tensor("input", "FLOAT", -1, 3)), List.of(LABEL, ZIPMAP)), WINE, PLAIN).labelOutput())
        .isEqualTo("output_label");
    assertThat(ImportedSignatures.of(model(List.of(tensor("input", "FLOAT", -1, 3)),
        List.of(tensor("probabilities", "FLOAT", -1, 3), tensor("label", "INT64", -1, 1))), WINE, PLAIN).labelOutput()).isEqualTo("label");
    assertThat(ImportedSignatures.of(model(List.of(tensor("input", "FLOAT", -1, 3)), List.of(ZIPMAP)), WINE, PLAIN).labelOutput()).isNull();
  }

  @Test
  void shouldRefuseClassesThatAreNotTheDatasetsClasses() {
    assertRefused(model(List.of(tensor("input", "FLOAT", -1, 3)), List.of(ZIPMAP)), WINE,
        ImportMetadata.parse("{\"dataset\": \"wine\", \"classes\": [\"class_0\", \"class_1\"]}"),
        "the metadata's classes [class_0, class_1] are not the classes of dataset wine [class_0, class_1, class_2]");
  }

  @Test
  void shouldReadARealGraphAndBuildASignatureOnWhichOnnxRuntimeRunsIt() {
    // A scaled linear model with softmax and ZipMap, as skl2onnx writes a LogisticRegression: logits = x W.
    byte[] onnx = new OnnxGraphs().producer("skl2onnx", "1.17.0")
        .input("float_input", OnnxGraphs.FLOAT, 3)
        .floats("W", List.of(3L, 3L), 1, 0, 0, 0, 1, 0, 0, 0, 1)
        .node("MatMul", List.of("float_input", "W"), List.of("logits"))
        .node("Softmax", List.of("logits"), List.of("probabilities"), OnnxGraphs.attribute("axis", 1L))
        .node("ai.onnx.ml", "ZipMap", List.of("probabilities"), List.of("output_probability"),
            OnnxGraphs.stringsAttribute("classlabels_strings", "class_0", "class_1", "class_2"))
        .zipMapOutput("output_probability", OnnxGraphs.STRING)
        .build();

    OnnxModelInfo info = OnnxModelInfo.read(onnx);
    ModelSignature signature = ImportedSignatures.of(info, WINE, PLAIN).signature();

    assertThat(info.producerName() + " " + info.producerVersion()).isEqualTo("skl2onnx 1.17.0");
    try (OnnxClassifier classifier = OnnxClassifier.load(onnx, signature)) {
      float[][] probabilities = classifier.probabilities(List.of(Map.of("alcohol", 1.0, "malic_acid", 0.0, "ash", 0.0)));
      // softmax(1, 0, 0) = (e, 1, 1) / (e + 2)
      double e = Math.E;
      assertThat(probabilities[0][0]).isCloseTo((float) (e / (e + 2)), within(1e-6f));
      assertThat(probabilities[0][1]).isCloseTo((float) (1 / (e + 2)), within(1e-6f));
    }
  }

  private static void assertRefused(OnnxModelInfo model, DatasetSpecDeclared dataset, ImportMetadata metadata, String reason) {
    assertThatThrownBy(() -> ImportedSignatures.of(model, dataset, metadata)).isInstanceOf(ImportRefusedException.class).hasMessageContaining(reason);
  }

  private static OnnxModelInfo model(List<Port> inputs, List<Port> outputs) {
    return new OnnxModelInfo(inputs, outputs, "", "", Map.of());
  }

  /** A tensor [batch, width], or [batch] when width is 0. */
  private static Port tensor(String name, String type, long batch, long width) {
    List<Long> shape = new ArrayList<>(List.of(batch));
    if (width > 0) {
      shape.add(width);
    }
    return new Port(name, Kind.TENSOR, type, "", shape);
  }

  private static FeatureSpec feature(String name, FeatureType type, boolean required) {
    return FeatureSpec.newBuilder().setName(name).setType(type).setRequired(required)
        .setCategories(type == FeatureType.CATEGORICAL ? List.of("north", "south") : List.of()).setMaxLength(type == FeatureType.TEXT ? 500 : null).build();
  }

  private static DatasetSpecDeclared dataset(List<FeatureSpec> features) {
    return DatasetSpecDeclared.newBuilder().setEventId("e").setEventTime(Instant.EPOCH).setProducer("test").setDataset(features.size() == 3 ? "wine" : "reviews")
        .setVersion(1).setIdField("id").setFeatures(features)
        .setLabel(LabelSpec.newBuilder().setName("class").setClasses(List.of("class_0", "class_1", "class_2")).setRequired(true).build())
        .setDeclaredBy("test").build();
  }
}
