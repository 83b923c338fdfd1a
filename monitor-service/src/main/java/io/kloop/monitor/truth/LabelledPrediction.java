package io.kloop.monitor.truth;

/**
 * A served prediction joined to its ground truth, exactly once: forwarded by the ground-truth join to the
 * performance windows, within one stream task.
 *
 * @param prediction the prediction as served
 * @param trueLabel the true class, one of the version's output classes
 * @param observedAt when the truth was observed ({@code GroundTruthReported.observedTime}), epoch milliseconds
 */
public record LabelledPrediction(ServedPrediction prediction, String trueLabel, long observedAt) {}
