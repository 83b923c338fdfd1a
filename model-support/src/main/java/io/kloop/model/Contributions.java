package io.kloop.model;

import java.util.Arrays;

/**
 * Each input's contribution to a class score of an additive model ({@link OnnxClassifier#additive()}):
 * the score with that input at the row's value and every other input at its training mean, minus the score
 * with every input at its training mean (the baseline). For an additive model this is the same as
 * removing the input from the row, and the baseline plus all contributions is the row's score. Probing
 * one input at a time keeps the computation near the baseline, so it stays exact where the row's own
 * probabilities round to 0 and 1 in single precision (a very confident prediction).
 *
 * <p>The score is the class's log-odds, {@code log(p / (1 - p))}, for two classes, and its centred
 * log-probability, {@code log p_c - mean_k log p_k}, for more. Setting an input to its training mean means
 * setting its columns to NaN, which the exported graph imputes with the training means (for a categorical
 * input, each one-hot column becomes the category's training frequency).
 */
public final class Contributions {

  /**
   * One row's explanation for one class; {@code score} is {@code baseline} plus the contributions. A
   * contribution is infinite or NaN only when one input alone saturates the model's probabilities.
   */
  public record Explanation(double score, double baseline, double[] contributions) {}

  private Contributions() {}

  /**
   * Explains the given rows for the given class of each row, with one ONNX Runtime call for all of them.
   *
   * @param rows encoded rows, as {@link FeatureEncoding} makes them
   * @param classes for each row, the index (in the signature's output classes) of the class to explain
   * @throws IllegalArgumentException when the model does not declare additive scores
   */
  public static Explanation[] explain(OnnxClassifier classifier, float[][] rows, int[] classes) {
    if (!classifier.additive()) {
      throw new IllegalArgumentException("the model does not declare additive class scores");
    }
    FeatureEncoding encoding = classifier.encoding();
    int inputs = classifier.signature().getInputs().size();
    // Probe 0: every input at its mean (the baseline); then, per row and input, the baseline with that
    // input's columns taken from the row.
    float[] baseline = new float[encoding.width()];
    Arrays.fill(baseline, Float.NaN);
    float[][] probes = new float[1 + rows.length * inputs][];
    probes[0] = baseline;
    int next = 1;
    for (float[] row : rows) {
      for (int input = 0; input < inputs; input++) {
        float[] probe = baseline.clone();
        System.arraycopy(row, encoding.firstColumn(input), probe, encoding.firstColumn(input), encoding.endColumn(input) - encoding.firstColumn(input));
        probes[next++] = probe;
      }
    }
    float[][] probabilities = classifier.probabilities(probes);
    Explanation[] explanations = new Explanation[rows.length];
    for (int r = 0; r < rows.length; r++) {
      double base = score(probabilities[0], classes[r]);
      double score = base;
      double[] contributions = new double[inputs];
      for (int input = 0; input < inputs; input++) {
        contributions[input] = score(probabilities[1 + r * inputs + input], classes[r]) - base;
        score += contributions[input];
      }
      explanations[r] = new Explanation(score, base, contributions);
    }
    return explanations;
  }

  /** The class's log-odds (two classes) or centred log-probability (more), computed in double precision. */
  public static double score(float[] probabilities, int c) {
    if (probabilities.length == 2) {
      return Math.log(probabilities[c]) - Math.log(probabilities[1 - c]);
    }
    double mean = 0;
    for (float p : probabilities) {
      mean += Math.log(p);
    }
    return Math.log(probabilities[c]) - mean / probabilities.length;
  }
}
