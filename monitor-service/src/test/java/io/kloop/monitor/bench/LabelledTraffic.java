package io.kloop.monitor.bench;

import io.kloop.events.GroundTruthReported;
import io.kloop.events.PredictionLogged;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Seeded traffic of a breast-cancer-shaped model (the 30 numeric inputs of the shipped data set, classes
 * {@code malignant} and {@code benign}) at a fixed rate of event time, a fixed share of whose predictions is
 * labelled a fixed delay after it was served, as the encoded records the monitor reads.
 *
 * <p>Prediction {@code i} is served at {@code start + i × 1000 / rate} ms; everything about it (inputs, answer,
 * whether and how it is labelled) follows from {@code i} and the seed alone, so a slice of the stream can be
 * made without the slices before it. Its id is {@code <requestId>/0}, the request id a UUID, as inference logs it.
 * A labelled prediction's true class is drawn from its served probabilities (a calibrated model).
 */
final class LabelledTraffic {

  static final String MODEL = "breast-cancer";
  static final String DATASET = "breast-cancer-data";
  static final List<String> CLASSES = List.of("malignant", "benign");

  /** The shipped request's feature names (455 bytes in UTF-8) and values, whose scales the inputs follow. */
  private static final String[] NAMES = {"mean_radius", "mean_texture", "mean_perimeter", "mean_area", "mean_smoothness",
      "mean_compactness", "mean_concavity", "mean_concave_points", "mean_symmetry", "mean_fractal_dimension", "radius_error",
      "texture_error", "perimeter_error", "area_error", "smoothness_error", "compactness_error", "concavity_error",
      "concave_points_error", "symmetry_error", "fractal_dimension_error", "worst_radius", "worst_texture", "worst_perimeter",
      "worst_area", "worst_smoothness", "worst_compactness", "worst_concavity", "worst_concave_points", "worst_symmetry",
      "worst_fractal_dimension"};
  private static final double[] SCALES = {17.99, 10.38, 122.8, 1001, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095,
      0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003, 0.006193, 25.38, 17.33, 184.6, 2019, 0.1622, 0.6656,
      0.7119, 0.2654, 0.4601, 0.1189};

  /** One record of the stream, encoded, with when it reaches the join (its event time) and its offset in its topic. */
  record Event(boolean label, long time, long offset, byte[] value) {}

  private final long seed;
  private final long start;
  private final int rate;
  private final double labelled;
  private final long delayMillis;
  private final EventSerializer<PredictionLogged> predictions = new EventSerializer<>();
  private final EventSerializer<GroundTruthReported> labels = new EventSerializer<>();
  private long labelOffset;

  LabelledTraffic(long seed, long start, int rate, double labelled, long delayMillis) {
    this.seed = seed;
    this.start = start;
    this.rate = rate;
    this.labelled = labelled;
    this.delayMillis = delayMillis;
  }

  /** When prediction {@code i} is served. */
  long servedAt(long i) {
    return start + i * 1000 / rate;
  }

  /**
   * The records that reach the join in event-time seconds {@code [from, to)} since the start, in time order (at
   * the same millisecond, the label first): the predictions served then, and the labels of earlier ones due then.
   * Labels must be asked for in order (their offsets count on).
   */
  List<Event> slice(long fromSecond, long toSecond) {
    long firstPrediction = fromSecond * rate;
    long endPrediction = toSecond * rate;
    long delayed = delayMillis * rate / 1000;
    List<Event> events = new ArrayList<>((int) ((endPrediction - firstPrediction) * (1 + labelled)) + 16);
    long nextLabel = Math.max(0, firstPrediction - delayed);
    for (long i = firstPrediction; i < endPrediction; i++) {
      // Labels of predictions served a delay before this one come first.
      for (; nextLabel < endPrediction - delayed && servedAt(nextLabel) + delayMillis <= servedAt(i); nextLabel++) {
        addLabel(events, nextLabel);
      }
      events.add(new Event(false, servedAt(i), i, predictions.serialize(Topics.PREDICTION_LOGGED.name(), prediction(i))));
    }
    for (; nextLabel < endPrediction - delayed; nextLabel++) {
      addLabel(events, nextLabel);
    }
    return events;
  }

  private void addLabel(List<Event> events, long i) {
    SplittableRandom random = random(i);
    PredictionLogged prediction = prediction(i, random);
    if (random.nextDouble() >= labelled) {
      return;
    }
    double malignant = prediction.getProbabilities().get("malignant");
    String truth = random.nextDouble() < malignant ? "malignant" : "benign";
    Instant observed = Instant.ofEpochMilli(servedAt(i) + delayMillis);
    GroundTruthReported label = GroundTruthReported.newBuilder()
        .setEventId(new UUID(seed, 2 * i + 1).toString()).setEventTime(observed).setProducer("pathology-lab")
        .setModel(MODEL).setPredictionId(prediction.getPredictionId()).setLabel(truth).setObservedTime(observed).setSource("lims")
        .build();
    events.add(new Event(true, observed.toEpochMilli(), labelOffset++, labels.serialize(Topics.GROUND_TRUTH_REPORTED.name(), label)));
  }

  /** Prediction {@code i} as inference logs it. */
  PredictionLogged prediction(long i) {
    return prediction(i, random(i));
  }

  private PredictionLogged prediction(long i, SplittableRandom random) {
    Map<String, Object> inputs = new HashMap<>();
    double logit = 0;
    for (int f = 0; f < NAMES.length; f++) {
      double z = random.nextGaussian();
      inputs.put(NAMES[f], SCALES[f] * Math.exp(0.3 * z));
      logit += (f % 3 == 0 ? 0.6 : -0.2) * z;
    }
    double malignant = 1 / (1 + Math.exp(-logit));
    Map<String, Double> probabilities = new LinkedHashMap<>();
    probabilities.put("malignant", malignant);
    probabilities.put("benign", 1 - malignant);
    String requestId = new UUID(seed, 2 * i).toString();
    return PredictionLogged.newBuilder()
        .setEventId(UUID.nameUUIDFromBytes(requestId.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString())
        .setEventTime(Instant.ofEpochMilli(servedAt(i))).setProducer("inference-service")
        .setRequestId(requestId).setInstanceIndex(0).setModel(MODEL).setVersion(1)
        .setInputs(inputs).setPredictedClass(malignant >= 0.5 ? "malignant" : "benign").setProbabilities(probabilities)
        .setLatencyMicros(180 + random.nextInt(100)).setPredictionId(requestId + "/0")
        .build();
  }

  /** The randomness of prediction {@code i}: its inputs first, then whether and how it is labelled. */
  private SplittableRandom random(long i) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
  }
}
