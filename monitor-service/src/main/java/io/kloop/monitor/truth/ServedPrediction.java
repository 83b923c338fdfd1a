package io.kloop.monitor.truth;

import java.util.Map;

/**
 * A served prediction as the performance windows see it: every prediction, labelled or not (CBPE estimates on
 * all of them). Forwarded by the ground-truth join to the performance windows, within one stream task.
 *
 * @param model the model that answered
 * @param version the version that answered
 * @param predictionId the prediction's id ({@code PredictionLogged.predictionId}, or {@code <requestId>/<index>})
 * @param predictedClass the class the model chose
 * @param probabilities probability per class, as served
 * @param predictedAt when the prediction was served (its event time), epoch milliseconds
 */
public record ServedPrediction(String model, int version, String predictionId, String predictedClass, Map<String, Double> probabilities,
    long predictedAt) {}
