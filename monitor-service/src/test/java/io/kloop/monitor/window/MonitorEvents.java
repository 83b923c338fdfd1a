package io.kloop.monitor.window;

import io.kloop.events.ArtifactRef;
import io.kloop.events.ConfusionMatrix;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelSignature;
import io.kloop.events.PredictionLogged;
import io.kloop.events.ReferenceProfile;
import io.kloop.monitor.drift.SyntheticModel;
import io.kloop.monitor.drift.TextModel;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;

/**
 * Approvals and logged predictions of the {@link SyntheticModel} and the {@link TextModel}, as the registry and inference publish them
 * (the same events the monitor's broker ITs send), for the tests of the monitor's windows without a broker.
 */
final class MonitorEvents {

  /** The reference profile every approval carries: a training draw of the synthetic model. */
  static final ReferenceProfile PROFILE = SyntheticModel.reference(42, 2_000, 300);

  /** The reference profile of the text model's approvals. */
  static final ReferenceProfile TEXT_PROFILE = TextModel.reference(25, 2_000);

  private MonitorEvents() {}

  static ModelApproved approval(String model, int version) {
    return approval(model, version, SyntheticModel.signature(), PROFILE, SyntheticModel.CLASSES);
  }

  /** An approval of the {@link TextModel}: one text input, {@code review}. */
  static ModelApproved textApproval(String model, int version) {
    return approval(model, version, TextModel.signature(), TEXT_PROFILE, TextModel.CLASSES);
  }

  private static ModelApproved approval(String model, int version, ModelSignature signature, ReferenceProfile profile, List<String> classes) {
    return ModelApproved.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(Instant.EPOCH).setProducer("registry-service")
        .setModel(model).setVersion(version).setRunId("run-" + version).setDecisionId(UUID.randomUUID().toString())
        .setActor("policy:auto").setReason("test").setPreviousVersion(version > 1 ? version - 1 : null)
        .setArtifact(ArtifactRef.newBuilder().setUri("file:///nowhere").setSha256("0".repeat(64)).setSizeBytes(1).setMediaType("application/onnx").build())
        .setSignature(signature)
        .setReferenceProfile(profile)
        .setMetrics(EvaluationMetrics.newBuilder().setSplit("test").setRows(10).setAccuracy(0.9).setMacroPrecision(0.9).setMacroRecall(0.9)
            .setMacroF1(0.9).setConfusionMatrix(ConfusionMatrix.newBuilder().setLabels(classes)
                .setCounts(List.of(List.of(5L, 0L), List.of(1L, 4L))).build()).build())
        .build();
  }

  /** The next prediction of the text model's {@code traffic}, each word unseen with probability {@code unseen}. */
  static PredictionLogged textPrediction(TextModel traffic, String model, int version, double unseen, Instant eventTime) {
    HashMap<String, Object> inputs = new HashMap<>(traffic.next(unseen));
    return PredictionLogged.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(eventTime).setProducer("inference-service")
        .setRequestId(UUID.randomUUID().toString()).setInstanceIndex(0).setModel(model).setVersion(version)
        .setInputs(inputs).setPredictedClass(traffic.predicted()).setProbabilities(new HashMap<>(traffic.probabilities()))
        .setLatencyMicros(50)
        .build();
  }

  /** The next prediction of {@code traffic}, made at {@code eventTime}. */
  static PredictionLogged prediction(SyntheticModel traffic, String model, int version, SyntheticModel.Scenario scenario, Instant eventTime) {
    HashMap<String, Object> inputs = new HashMap<>(traffic.next(scenario));
    return PredictionLogged.newBuilder()
        .setEventId(UUID.randomUUID().toString()).setEventTime(eventTime).setProducer("inference-service")
        .setRequestId(UUID.randomUUID().toString()).setInstanceIndex(0).setModel(model).setVersion(version)
        .setInputs(inputs).setPredictedClass(traffic.predicted()).setProbabilities(new HashMap<>(traffic.probabilities()))
        .setLatencyMicros(50)
        .build();
  }
}
