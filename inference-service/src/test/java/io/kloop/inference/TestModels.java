package io.kloop.inference;

import io.kloop.events.ArtifactRef;
import io.kloop.events.ConfusionMatrix;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelSignature;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.SignatureField;
import io.kloop.service.artifacts.LocalArtifactStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

/** Small real ONNX classifiers (a linear layer and a softmax) and their approvals, as the registry would announce them. */
final class TestModels {

  /** Inputs: radius (numeric), smooth (boolean), shape (categorical: round, oval): four tensor columns. */
  static final ModelSignature SIGNATURE = ModelSignature.newBuilder()
      .setInputs(List.of(
          SignatureField.newBuilder().setName("radius").setType(FeatureType.NUMERIC).build(),
          SignatureField.newBuilder().setName("smooth").setType(FeatureType.BOOLEAN).build(),
          SignatureField.newBuilder().setName("shape").setType(FeatureType.CATEGORICAL).setCategories(List.of("round", "oval")).build()))
      .setOutputClasses(List.of("benign", "malignant"))
      .setInputTensor("input")
      .setProbabilityTensor("probabilities")
      .build();

  private TestModels() {}

  /** A model whose weights are scaled by {@code scale}, so two versions answer differently. */
  static byte[] onnx(float scale) {
    float[] weights = {0.8f * scale, -0.8f * scale, 0.5f * scale, -0.5f * scale, 0.3f * scale, -0.3f * scale, -0.2f * scale, 0.2f * scale};
    ONNXContext onnx = new ONNXContext();
    ONNXPlaceholder input = onnx.floatInput("input", 4);
    ONNXPlaceholder output = onnx.floatOutput("probabilities", 2);
    var w = onnx.floatTensor("weights", List.of(4, 2), buffer -> buffer.put(weights));
    var bias = onnx.array("bias", new float[] {0.1f, -0.1f});
    input.apply(ONNXOperators.GEMM, List.of(w, bias)).apply(ONNXOperators.SOFTMAX, Map.of("axis", 1)).assignTo(output);
    return ai.onnx.proto.OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13).build())
        .setGraph(onnx.buildGraph())
        .build().toByteArray();
  }

  static ModelApproved approval(String model, int version, ArtifactRef artifact) {
    FeatureProfile output = FeatureProfile.newBuilder().setName("prediction").setType(FeatureType.CATEGORICAL).setCount(10)
        .setCategoryFrequencies(Map.of("benign", 0.5, "malignant", 0.5)).build();
    return ModelApproved.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("registry-service")
        .setModel(model).setVersion(version).setRunId("run-" + version).setDecisionId(UUID.randomUUID().toString())
        .setActor("policy:auto").setReason("test").setPreviousVersion(version > 1 ? version - 1 : null)
        .setArtifact(artifact).setSignature(SIGNATURE)
        .setReferenceProfile(ReferenceProfile.newBuilder().setFeatures(List.of()).setOutput(output).setSampleSeed(1).build())
        .setMetrics(EvaluationMetrics.newBuilder().setSplit("test").setRows(10).setAccuracy(0.9).setMacroPrecision(0.9).setMacroRecall(0.9)
            .setMacroF1(0.9).setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(List.of("benign", "malignant"))
                .setCounts(List.of(List.of(5L, 0L), List.of(1L, 4L))).build()).build())
        .build();
  }

  static ArtifactRef store(LocalArtifactStore store, byte[] onnx) {
    return store.put(onnx, "application/onnx");
  }
}
