package io.kloop.inference.serving;

import io.kloop.events.ModelSignature;
import io.kloop.events.PredictionLogged;
import io.kloop.inference.InferenceProperties;
import io.kloop.inference.InferenceServiceApplication;
import io.kloop.inference.log.PredictionLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Scoring: finds the model's serving version (held for the request, so a swap cannot close it
 * underneath), checks and encodes the instances, runs ONNX Runtime once for the whole batch, and hands one
 * {@code PredictionLogged} per instance to the prediction log.
 */
public class Predictions {

  /** One instance's answer. */
  public record Prediction(String predictedClass, Map<String, Double> probabilities) {}

  /** A request's answers, all from one model version. */
  public record Result(String requestId, String model, int version, ModelSignature signature, List<Prediction> predictions, long latencyMicros) {}

  private final ServedModels models;
  private final PredictionLog log;
  private final InferenceProperties properties;

  public Predictions(ServedModels models, PredictionLog log, InferenceProperties properties) {
    this.models = models;
    this.log = log;
    this.properties = properties;
  }

  /** The serving version of a model and its signature. */
  public record Served(int version, ModelSignature signature) {}

  /**
   * The model's serving version and signature, e.g. to describe it or to turn a tensor request into
   * instances.
   *
   * @throws UnknownModelException when the model, or that version of it, is not served
   */
  public Served served(String model, Integer version) {
    ServedModel served = acquire(model, version);
    try {
      return new Served(served.version(), served.approval().getSignature());
    } finally {
      served.release();
    }
  }

  /**
   * Scores the instances with the model's serving version.
   *
   * @param version the version the client asks for, or null for whichever serves
   * @param path where the instances are in the request, for error messages (e.g. {@code instances})
   */
  public Result predict(String model, Integer version, String requestId, List<Map<String, Object>> instances, String path) {
    if (instances != null && instances.size() > properties.maxInstances()) {
      throw new InvalidInputException(path + ": " + instances.size() + " instances; at most " + properties.maxInstances() + " per request");
    }
    ServedModel served = acquire(model, version);
    try {
      ModelSignature signature = served.approval().getSignature();
      List<Map<String, Object>> valid = Instances.validate(signature, instances, path);
      long started = System.nanoTime();
      float[][] probabilities = served.classifier().probabilities(served.classifier().encoding().encodeAll(valid));
      long latencyMicros = (System.nanoTime() - started) / 1_000;
      List<String> classes = signature.getOutputClasses();
      String id = requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId;
      Instant now = Instant.now();
      List<Prediction> predictions = new ArrayList<>(valid.size());
      for (int i = 0; i < valid.size(); i++) {
        Map<String, Double> byClass = new LinkedHashMap<>();
        int best = 0;
        for (int c = 0; c < classes.size(); c++) {
          if (Float.isNaN(probabilities[i][c])) {
            throw new InvalidInputException(path + "[" + i + "]: the model gives no probabilities for this instance; it cannot score "
                + "its missing (null) values");
          }
          byClass.put(classes.get(c), (double) probabilities[i][c]);
          if (probabilities[i][c] > probabilities[i][best]) {
            best = c;
          }
        }
        Prediction prediction = new Prediction(classes.get(best), byClass);
        predictions.add(prediction);
        if (properties.predictionLog()) {
          log.offer(PredictionLogged.newBuilder()
              .setEventId(UUID.randomUUID().toString()).setEventTime(now).setProducer(InferenceServiceApplication.NAME)
              .setRequestId(id).setInstanceIndex(i).setModel(model).setVersion(served.version())
              .setInputs(valid.get(i)).setPredictedClass(prediction.predictedClass())
              .setProbabilities(byClass).setLatencyMicros(latencyMicros)
              .build());
        }
      }
      return new Result(id, model, served.version(), signature, predictions, latencyMicros);
    } finally {
      served.release();
    }
  }

  private ServedModel acquire(String model, Integer version) {
    ServedModel served = models.acquire(model).orElseThrow(() -> models.status(model)
        .<RuntimeException>map(status -> new ModelUnavailableException("model " + model + " has no version that can be served: version "
            + status.failedVersion() + " failed to load (" + status.failure() + ")"))
        .orElseGet(() -> new UnknownModelException("no model named " + model + " is served here; serving: " + models.servedModels())));
    if (version != null && version != served.version()) {
      int serving = served.version();
      served.release();
      throw new UnknownModelException("model " + model + " version " + version + " is not served; version " + serving + " is");
    }
    return served;
  }
}
