package io.kloop.producer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded synthetic classification data with controlled drift. Features {@code x1..xN} are independent
 * standard normals; the label is {@code positive} with probability {@code 1 / (1 + exp(-w·x))}, the
 * weights {@code w} drawn once from the seed. Drift is applied after the label is drawn, as the world
 * changes under a fixed model: {@code shift} adds a multiple of the feature's standard deviation (1),
 * {@code scale} multiplies it; {@code invertLabel} flips the relation between features and label.
 * The same seed and options always give the same records.
 */
public final class SyntheticRecords {

  public static final String POSITIVE = "positive";
  public static final String NEGATIVE = "negative";

  /** How the generated data differs from the reference distribution. */
  public record Drift(Map<String, Double> shift, Map<String, Double> scale, boolean invertLabel) {
    public static final Drift NONE = new Drift(Map.of(), Map.of(), false);
  }

  private final int features;
  private final double[] weights;
  private final SplittableRandom random;
  private final Drift drift;
  private final String idPrefix;
  private long next;

  public SyntheticRecords(int features, long seed, Drift drift, String idPrefix) {
    if (features < 1) {
      throw new IllegalArgumentException("at least one feature");
    }
    for (String name : drift.shift().keySet()) {
      checkFeature(name, features);
    }
    for (String name : drift.scale().keySet()) {
      checkFeature(name, features);
    }
    this.features = features;
    SplittableRandom weightRandom = new SplittableRandom(seed);
    this.weights = new double[features];
    for (int i = 0; i < features; i++) {
      weights[i] = weightRandom.nextDouble(-2, 2);
    }
    this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    this.drift = drift;
    this.idPrefix = idPrefix;
  }

  private static void checkFeature(String name, int features) {
    if (!name.matches("x[1-9][0-9]*") || Integer.parseInt(name.substring(1)) > features) {
      throw new IllegalArgumentException("no feature " + name + ": features are x1..x" + features);
    }
  }

  public static String featureName(int index) {
    return "x" + (index + 1);
  }

  public SourceRecord next() {
    double[] x = new double[features];
    double score = 0;
    for (int i = 0; i < features; i++) {
      x[i] = random.nextGaussian();
      score += weights[i] * x[i];
    }
    boolean positive = random.nextDouble() < 1 / (1 + Math.exp(-score));
    if (drift.invertLabel()) {
      positive = !positive;
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < features; i++) {
      String name = featureName(i);
      double value = x[i] * drift.scale().getOrDefault(name, 1.0) + drift.shift().getOrDefault(name, 0.0);
      values.put(name, value);
    }
    return new SourceRecord(idPrefix + (next++), values, positive ? POSITIVE : NEGATIVE);
  }

  public List<SourceRecord> next(int count) {
    List<SourceRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      records.add(next());
    }
    return records;
  }

  /** The dataset spec of synthetic data with the given number of features, as JSON for the ingest API. */
  public static String specJson(int features) {
    StringBuilder json = new StringBuilder("{\"idField\": \"id\", \"features\": [");
    for (int i = 0; i < features; i++) {
      json.append(i == 0 ? "" : ", ").append("{\"name\": \"").append(featureName(i)).append("\", \"type\": \"numeric\"}");
    }
    return json.append("], \"label\": {\"name\": \"label\", \"classes\": [\"").append(NEGATIVE).append("\", \"")
        .append(POSITIVE).append("\"]}}").toString();
  }
}
