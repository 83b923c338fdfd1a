package io.kloop.registry;

import io.kloop.events.ArtifactRef;
import io.kloop.events.BatchRef;
import io.kloop.events.ConfusionMatrix;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ModelTrained;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.SignatureField;
import io.kloop.service.artifacts.LocalArtifactStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code ModelTrained} events as training would announce them, with the figures a test needs. */
public final class TrainedModels {

  private TrainedModels() {}

  /** Test-split metrics of a binary model (200 rows) with the given accuracy and ROC-AUC. */
  public static EvaluationMetrics metrics(double accuracy, Double rocAuc) {
    return metrics(accuracy, rocAuc, accuracy);
  }

  /** Test-split metrics of a binary model (200 rows) with the given accuracy, ROC-AUC and macro F1 (NaN or infinite if a test needs). */
  public static EvaluationMetrics metrics(double accuracy, Double rocAuc, double macroF1) {
    return EvaluationMetrics.newBuilder().setSplit("test").setRows(200).setAccuracy(accuracy)
        .setMacroPrecision(accuracy).setMacroRecall(accuracy).setMacroF1(macroF1).setRocAuc(rocAuc).setLogLoss(0.2)
        .setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(List.of("benign", "malignant"))
            .setCounts(List.of(List.of(100L, 0L), List.of(0L, 100L))).build())
        .build();
  }

  /** A run's announcement; its "ONNX file" is stored (as made-up bytes) when a store is given. */
  public static ModelTrained trained(String model, String runId, EvaluationMetrics metrics, Integer championVersion,
      EvaluationMetrics championMetrics, LocalArtifactStore store) {
    byte[] onnx = ("onnx of " + model + " run " + runId).getBytes(StandardCharsets.UTF_8);
    ArtifactRef artifact = store != null ? store.put(onnx, "application/onnx")
        : ArtifactRef.newBuilder().setUri("file:///nowhere").setSha256(LocalArtifactStore.sha256(onnx)).setSizeBytes(onnx.length)
            .setMediaType("application/onnx").build();
    FeatureProfile radius = FeatureProfile.newBuilder().setName("radius").setType(FeatureType.NUMERIC).setCount(400)
        .setBinEdges(List.of(10.0, 15.0)).setBinProportions(List.of(0.3, 0.4, 0.3)).setSample(List.of(9.0, 12.0, 17.0)).build();
    FeatureProfile output = FeatureProfile.newBuilder().setName("prediction").setType(FeatureType.CATEGORICAL).setCount(200)
        .setCategoryFrequencies(Map.of("benign", 0.6, "malignant", 0.4)).build();
    Instant started = Instant.now().minusSeconds(5);
    return ModelTrained.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setEventTime(Instant.now())
        .setProducer("training-service")
        .setModel(model)
        .setRunId(runId)
        .setDataset("cells")
        .setLineage(List.of(BatchRef.newBuilder().setDataset("cells").setBatchId("batch-" + runId).setSha256("ab".repeat(32))
            .setRowCount(569).setStorageUri("file:///batches/" + runId).build()))
        .setTrigger("new-data")
        .setAlgorithm("logistic-regression")
        .setHyperparameters(Map.of("epochs", "5"))
        .setMetrics(metrics)
        .setChampionVersion(championVersion)
        .setChampionMetrics(championMetrics)
        .setReferenceProfile(ReferenceProfile.newBuilder().setFeatures(List.of(radius)).setOutput(output).setSampleSeed(7).build())
        .setArtifact(artifact)
        .setSignature(ModelSignature.newBuilder()
            .setInputs(List.of(SignatureField.newBuilder().setName("radius").setType(FeatureType.NUMERIC).build()))
            .setOutputClasses(List.of("benign", "malignant")).setInputTensor("input").setProbabilityTensor("probabilities").build())
        .setCodeVersion("test")
        .setStartedAt(started)
        .setDurationMillis(5000)
        .build();
  }
}
