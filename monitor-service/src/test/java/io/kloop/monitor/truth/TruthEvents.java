package io.kloop.monitor.truth;

import io.kloop.events.ArtifactRef;
import io.kloop.events.ConfusionMatrix;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.GroundTruthReported;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelSpecDeclared;
import io.kloop.events.PredictionLogged;
import io.kloop.events.TrainingWindow;
import io.kloop.events.TrainingWindowKind;
import io.kloop.monitor.drift.SyntheticModel;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Model specs, labels and predictions with ids, as training, label producers and inference publish them, for the join's tests. */
public final class TruthEvents {

  private TruthEvents() {}

  /** Version {@code version} of the {@link SyntheticModel} (classes {@code no}, {@code yes}) approved. */
  public static ModelApproved approval(String model, int version) {
    return ModelApproved.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("registry-service")
        .setModel(model).setVersion(version).setRunId("run-" + version).setDecisionId(UUID.randomUUID().toString())
        .setActor("policy:auto").setReason("test").setPreviousVersion(version > 1 ? version - 1 : null)
        .setArtifact(ArtifactRef.newBuilder().setUri("file:///nowhere").setSha256("0".repeat(64)).setSizeBytes(1).setMediaType("application/onnx").build())
        .setSignature(SyntheticModel.signature())
        .setReferenceProfile(SyntheticModel.reference(42, 500, 100))
        .setMetrics(EvaluationMetrics.newBuilder().setSplit("test").setRows(10).setAccuracy(0.9).setMacroPrecision(0.9).setMacroRecall(0.9)
            .setMacroF1(0.9).setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(SyntheticModel.CLASSES)
                .setCounts(List.of(List.of(5L, 0L), List.of(1L, 4L))).build()).build())
        .build();
  }

  /** A model's spec naming its dataset and whether its served predictions come back as feedback. */
  public static ModelSpecDeclared spec(String model, String dataset, boolean feedback) {
    return ModelSpecDeclared.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.EPOCH).setProducer("training-service")
        .setModel(model).setDataset(dataset).setAlgorithms(List.of()).setMinNewRows(100)
        .setWindow(TrainingWindow.newBuilder().setKind(TrainingWindowKind.ALL).setSize(0).build())
        .setCooldownMillis(0).setFeedback(feedback).setDeclaredBy("test")
        .build();
  }

  /** A label of a prediction, observed at {@code observedTime}. */
  public static GroundTruthReported label(String model, String predictionId, String label, Instant observedTime) {
    return GroundTruthReported.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(observedTime).setProducer("labeller")
        .setModel(model).setPredictionId(predictionId).setLabel(label).setObservedTime(observedTime).setSource("test")
        .build();
  }

  /** A prediction of two classes ({@code no}, {@code yes}), with its id ({@code null}: logged before ids existed). */
  public static PredictionLogged prediction(String model, int version, String predictionId, Map<String, Object> inputs, String predicted,
      Instant eventTime) {
    return PredictionLogged.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(eventTime).setProducer("inference-service")
        .setRequestId("request-" + (predictionId == null ? UUID.randomUUID().toString() : predictionId)).setInstanceIndex(0).setModel(model).setVersion(version)
        .setInputs(new java.util.HashMap<>(inputs)).setPredictedClass(predicted)
        .setProbabilities(Map.of("no", predicted.equals("no") ? 0.8 : 0.2, "yes", predicted.equals("no") ? 0.2 : 0.8))
        .setLatencyMicros(50).setPredictionId(predictionId)
        .build();
  }
}
