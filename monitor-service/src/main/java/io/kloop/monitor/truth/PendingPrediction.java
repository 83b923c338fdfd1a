package io.kloop.monitor.truth;

import java.util.Map;

/**
 * A served prediction waiting for its label: what the join and the feedback record need of it, kept in the
 * {@code truth-held} store ({@link TruthCodecs#pending} says how compactly).
 *
 * @param version the version that answered
 * @param predictedAt when it was served (the prediction's event time), epoch milliseconds
 * @param deadline until when it waits for its label, epoch milliseconds: {@code predictedAt} (inference's clock) plus the
 *     after-horizon, compared with the monitor's clock when a label reaches the join (not with the label's observed time)
 * @param predictedClass the class the model chose
 * @param probabilities probability per class, as served
 * @param inputs the feature values as served; null when they were larger than the join keeps (then no feedback record is made)
 */
public record PendingPrediction(int version, long predictedAt, long deadline, String predictedClass, Map<String, Double> probabilities,
    Map<String, Object> inputs) implements JoinState.Held {

  /** The prediction as the performance windows see it. */
  public ServedPrediction served(String model, String predictionId) {
    return new ServedPrediction(model, version, predictionId, predictedClass, probabilities, predictedAt);
  }
}
