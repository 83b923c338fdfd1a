package io.kloop.model;

import io.kloop.events.Calibration;
import io.kloop.events.ClassCalibration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Isotonic calibration of a classifier's probabilities, one class against the rest: fitted by training on a
 * version's test split (pool adjacent violators: the non-decreasing step function of the class's probability
 * closest, in squared error, to whether the class was the true one), applied by the monitor to estimate
 * performance without labels (CBPE). The fitted maps travel in the version's reference profile
 * ({@link Calibration}); {@link #apply} reads them exactly as the schema documents.
 */
public final class IsotonicCalibration {

  public static final String METHOD = "isotonic";

  private IsotonicCalibration() {}

  /**
   * @param classes class labels, in the probability columns' order
   * @param truth index into {@code classes} of each row's true class
   * @param probabilities per row, one finite probability per class
   * @throws IllegalArgumentException without rows, with a row whose length is not the number of classes, a probability
   *     that is not a finite number (NaN would never end a step) or a true class out of range
   */
  public static Calibration fit(List<String> classes, int[] truth, double[][] probabilities) {
    if (truth.length == 0 || probabilities.length != truth.length) {
      throw new IllegalArgumentException("need one probability row per true class, and at least one row; got "
          + probabilities.length + " and " + truth.length);
    }
    for (int i = 0; i < probabilities.length; i++) {
      if (probabilities[i] == null || probabilities[i].length != classes.size()) {
        throw new IllegalArgumentException("row " + i + " has " + (probabilities[i] == null ? "no" : probabilities[i].length)
            + " probabilities for " + classes.size() + " classes");
      }
      for (double p : probabilities[i]) {
        if (!Double.isFinite(p)) {
          throw new IllegalArgumentException("row " + i + " has a probability that is no finite number: " + p);
        }
      }
      if (truth[i] < 0 || truth[i] >= classes.size()) {
        throw new IllegalArgumentException("row " + i + "'s true class " + truth[i] + " is none of the " + classes.size() + " classes");
      }
    }
    List<ClassCalibration> maps = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      maps.add(fitClass(classes.get(c), c, truth, probabilities));
    }
    return Calibration.newBuilder().setMethod(METHOD).setRows(truth.length).setClasses(maps).build();
  }

  private static ClassCalibration fitClass(String label, int c, int[] truth, double[][] probabilities) {
    Integer[] order = IntStream.range(0, truth.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> probabilities[i][c]));
    // Blocks of pooled rows: their lowest probability, their count and how many were of class c. Rows of one
    // probability form one point before any pooling, so that they can never end up in two steps.
    double[] start = new double[order.length];
    double[] weight = new double[order.length];
    double[] hits = new double[order.length];
    int blocks = 0;
    int i = 0;
    while (i < order.length) {
      double x = probabilities[order[i]][c];
      double rows = 0;
      double positives = 0;
      for (; i < order.length && probabilities[order[i]][c] == x; i++) {
        rows++;
        positives += truth[order[i]] == c ? 1 : 0;
      }
      start[blocks] = x;
      weight[blocks] = rows;
      hits[blocks] = positives;
      blocks++;
      while (blocks > 1 && hits[blocks - 2] / weight[blocks - 2] >= hits[blocks - 1] / weight[blocks - 1]) {
        // a violation (or a tie): pool the last two blocks, which keeps the steps strictly increasing
        weight[blocks - 2] += weight[blocks - 1];
        hits[blocks - 2] += hits[blocks - 1];
        blocks--;
      }
    }
    List<Double> thresholds = new ArrayList<>(blocks);
    List<Double> values = new ArrayList<>(blocks);
    for (int b = 0; b < blocks; b++) {
      thresholds.add(start[b]);
      values.add(hits[b] / weight[b]);
    }
    return ClassCalibration.newBuilder().setLabel(label).setThresholds(thresholds).setValues(values).build();
  }

  /**
   * What makes a calibration unusable for a model of {@code classes}, in words, or empty when it can be applied:
   * its method is not {@value #METHOD}, its maps are not one per class with the class's label, in the classes' order
   * (a reordered calibration would map each probability through another class's steps), or a map breaks the schema:
   * no steps, not as many values as thresholds, thresholds not strictly ascending in [0, 1], values not
   * non-decreasing in [0, 1]. {@link #apply} expects a calibration without a problem.
   *
   * @param calibration the version's calibration
   * @param classes the model's output classes, in its probability columns' order
   */
  public static Optional<String> problem(Calibration calibration, List<String> classes) {
    if (!METHOD.equals(calibration.getMethod())) {
      return Optional.of("its method is " + calibration.getMethod() + ", not " + METHOD);
    }
    List<ClassCalibration> maps = calibration.getClasses();
    if (maps == null || maps.size() != classes.size()) {
      return Optional.of("it has " + (maps == null ? 0 : maps.size()) + " class maps for " + classes.size() + " classes");
    }
    for (int c = 0; c < maps.size(); c++) {
      ClassCalibration map = maps.get(c);
      if (!classes.get(c).equals(map.getLabel())) {
        return Optional.of("its map " + c + " is of class " + map.getLabel() + ", not " + classes.get(c) + " (the classes' order)");
      }
      Optional<String> broken = problem(map);
      if (broken.isPresent()) {
        return Optional.of("the map of class " + map.getLabel() + " " + broken.get());
      }
    }
    return Optional.empty();
  }

  private static Optional<String> problem(ClassCalibration map) {
    List<Double> thresholds = map.getThresholds();
    List<Double> values = map.getValues();
    if (thresholds == null || values == null || thresholds.isEmpty()) {
      return Optional.of("has no steps");
    }
    if (values.size() != thresholds.size()) {
      return Optional.of("has " + values.size() + " values for " + thresholds.size() + " thresholds");
    }
    for (int i = 0; i < thresholds.size(); i++) {
      double threshold = thresholds.get(i);
      double value = values.get(i);
      if (!(threshold >= 0 && threshold <= 1) || !(value >= 0 && value <= 1)) {
        return Optional.of("has step " + i + " (threshold " + threshold + ", value " + value + ") outside [0, 1]");
      }
      if (i > 0 && !(threshold > thresholds.get(i - 1))) {
        return Optional.of("has thresholds that are not ascending at step " + i);
      }
      if (i > 0 && value < values.get(i - 1)) {
        return Optional.of("has values that decrease at step " + i);
      }
    }
    return Optional.empty();
  }

  /**
   * The calibrated probabilities of one prediction: each class's probability through its map, then scaled to
   * sum to 1 (when every map gives 0, the probabilities are returned as they were).
   *
   * @param calibration the maps, one per class in the probability columns' order
   * @param probabilities the model's probabilities of one prediction
   */
  public static double[] apply(Calibration calibration, double[] probabilities) {
    List<ClassCalibration> maps = calibration.getClasses();
    if (maps.size() != probabilities.length) {
      throw new IllegalArgumentException("the calibration has " + maps.size() + " classes, the prediction " + probabilities.length);
    }
    double[] calibrated = new double[probabilities.length];
    double sum = 0;
    for (int c = 0; c < probabilities.length; c++) {
      calibrated[c] = step(maps.get(c), probabilities[c]);
      sum += calibrated[c];
    }
    if (sum <= 0) {
      return probabilities.clone();
    }
    for (int c = 0; c < calibrated.length; c++) {
      calibrated[c] /= sum;
    }
    return calibrated;
  }

  /** The map's value at p: the step of the largest threshold at or below p, the first step below them all. */
  static double step(ClassCalibration map, double p) {
    List<Double> thresholds = map.getThresholds();
    int low = 0;
    int high = thresholds.size() - 1;
    int found = 0;
    while (low <= high) {
      int middle = (low + high) >>> 1;
      if (thresholds.get(middle) <= p) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return map.getValues().get(found);
  }
}
