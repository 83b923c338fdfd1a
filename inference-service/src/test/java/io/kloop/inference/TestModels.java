package io.kloop.inference;

import ai.onnx.proto.OnnxMl;
import io.kloop.events.ArtifactRef;
import io.kloop.events.ConfusionMatrix;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelSignature;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.SignatureField;
import io.kloop.model.OnnxClassifier;
import io.kloop.service.artifacts.LocalArtifactStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

/** Small real ONNX classifiers (a linear layer and a softmax) and their approvals, as the registry would announce them. */
public final class TestModels {

  /** Inputs: radius (numeric), smooth (boolean), shape (categorical: round, oval): four tensor columns. */
  public static final ModelSignature SIGNATURE = ModelSignature.newBuilder()
      .setInputs(List.of(
          SignatureField.newBuilder().setName("radius").setType(FeatureType.NUMERIC).build(),
          SignatureField.newBuilder().setName("smooth").setType(FeatureType.BOOLEAN).build(),
          SignatureField.newBuilder().setName("shape").setType(FeatureType.CATEGORICAL).setCategories(List.of("round", "oval")).build()))
      .setOutputClasses(List.of("benign", "malignant"))
      .setInputTensor("input")
      .setProbabilityTensor("probabilities")
      .build();

  /** The "training means" the models impute for missing (NaN) columns, as exported models do. */
  static final float[] MEANS = {0.5f, 0.5f, 0.6f, 0.4f};

  private TestModels() {}

  /**
   * Weight of each column (radius, smooth, shape=round, shape=oval) for the first class; the second
   * class has the opposite weights, so a column's effect on the first class's log-odds is twice its weight.
   */
  static float weight(int column, float scale) {
    return new float[] {0.8f, 0.5f, 0.3f, -0.2f}[column] * scale;
  }

  /** A linear model whose weights are scaled by {@code scale}, so two versions answer differently. */
  public static byte[] onnx(float scale) {
    return onnx(scale, true, true);
  }

  /**
   * A linear model whose weights are scaled by {@code scale}; {@code declaredAdditive} says whether its
   * artifact declares additive scores (as training does for linear models), {@code imputes} whether it
   * replaces missing (NaN) columns by {@link #MEANS} (without, a missing value makes its probabilities NaN).
   */
  static byte[] onnx(float scale, boolean declaredAdditive, boolean imputes) {
    float[] weights = new float[8];
    for (int column = 0; column < 4; column++) {
      weights[2 * column] = weight(column, scale);
      weights[2 * column + 1] = -weight(column, scale);
    }
    ONNXContext onnx = new ONNXContext();
    ONNXPlaceholder input = onnx.floatInput("input", 4);
    ONNXPlaceholder output = onnx.floatOutput("probabilities", 2);
    var w = onnx.floatTensor("weights", List.of(4, 2), buffer -> buffer.put(weights));
    var bias = onnx.array("bias", new float[] {0.1f, -0.1f});
    var present = input.apply(ONNXOperators.GREATER_OR_EQUAL, onnx.constant("negative_infinity", Float.NEGATIVE_INFINITY));
    (imputes ? present.apply(ONNXOperators.WHERE, List.of(input, onnx.array("means", MEANS))) : input)
        .apply(ONNXOperators.GEMM, List.of(w, bias)).apply(ONNXOperators.SOFTMAX, Map.of("axis", 1)).assignTo(output);
    OnnxMl.ModelProto.Builder model = OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13).build())
        .setGraph(onnx.buildGraph());
    if (declaredAdditive) {
      model.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(OnnxClassifier.ADDITIVE_KEY).setValue(OnnxClassifier.ADDITIVE_VALUE));
    }
    return model.build().toByteArray();
  }

  /**
   * The probabilities (benign, malignant) the model of this scale gives each instance, worked out from its
   * formula in double precision (no ONNX Runtime, no encoding code): the softmax of {@code z} and {@code -z} with
   * {@code z = sum of weight * column + 0.1}, the columns radius, smooth (1 or 0) and the one-hot shape (round,
   * oval); every value present.
   */
  public static double[][] expectedProbabilities(List<Map<String, Object>> instances, float scale) {
    double[][] probabilities = new double[instances.size()][];
    for (int i = 0; i < instances.size(); i++) {
      Map<String, Object> instance = instances.get(i);
      double[] columns = {((Number) instance.get("radius")).doubleValue(), Boolean.TRUE.equals(instance.get("smooth")) ? 1 : 0,
          "round".equals(instance.get("shape")) ? 1 : 0, "oval".equals(instance.get("shape")) ? 1 : 0};
      double z = 0.1;
      for (int c = 0; c < columns.length; c++) {
        z += weight(c, scale) * columns[c];
      }
      double benign = 1 / (1 + Math.exp(-2 * z));
      probabilities[i] = new double[] {benign, 1 - benign};
    }
    return probabilities;
  }

  public static ModelApproved approval(String model, int version, ArtifactRef artifact) {
    return approval(model, version, artifact, SIGNATURE);
  }

  /** An approval of a two-class model (benign, malignant) with this signature, as the registry announces one. */
  public static ModelApproved approval(String model, int version, ArtifactRef artifact, ModelSignature signature) {
    FeatureProfile output = FeatureProfile.newBuilder().setName("prediction").setType(FeatureType.CATEGORICAL).setCount(10)
        .setCategoryFrequencies(Map.of("benign", 0.5, "malignant", 0.5)).build();
    return ModelApproved.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("registry-service")
        .setModel(model).setVersion(version).setRunId("run-" + version).setDecisionId(UUID.randomUUID().toString())
        .setActor("policy:auto").setReason("test").setPreviousVersion(version > 1 ? version - 1 : null)
        .setArtifact(artifact).setSignature(signature)
        .setReferenceProfile(ReferenceProfile.newBuilder().setFeatures(List.of()).setOutput(output).setSampleSeed(1).build())
        .setMetrics(EvaluationMetrics.newBuilder().setSplit("test").setRows(10).setAccuracy(0.9).setMacroPrecision(0.9).setMacroRecall(0.9)
            .setMacroF1(0.9).setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(List.of("benign", "malignant"))
                .setCounts(List.of(List.of(5L, 0L), List.of(1L, 4L))).build()).build())
        .build();
  }

  public static ArtifactRef store(LocalArtifactStore store, byte[] onnx) {
    return store.put(onnx, "application/onnx");
  }
}
