package io.kloop.training.run;

import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelSignature;
import io.kloop.model.ClassificationMetrics;
import io.kloop.model.OnnxClassifier;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a candidate and the champion are scored on the test split, the same for a trained and an imported candidate:
 * {@link ClassificationMetrics} on the probabilities, every figure required to be defined ({@link MetricChecks}); the
 * champion run by ONNX Runtime from its stored file, whichever signature it has (the platform's encoding or raw
 * tensors), its probabilities aligned to the dataset's classes.
 */
final class HeldOutScores {

  private static final Logger log = LoggerFactory.getLogger(HeldOutScores.class);

  private HeldOutScores() {}

  /**
   * The candidate's test metrics; fails in {@code phase} when one is undefined (the registry could not judge it).
   *
   * @param probabilities per test row, the probability of each of {@code classes}
   */
  static EvaluationMetrics candidate(String phase, List<String> classes, int[] truth, double[][] probabilities) {
    EvaluationMetrics evaluated = ClassificationMetrics.evaluate(Split.TEST.id(), classes, truth, probabilities);
    List<String> undefined = MetricChecks.undefined(evaluated, classes.size());
    if (!undefined.isEmpty()) {
      throw new TrainingFailure(phase, "the test metrics are not all defined, so the registry could not judge the model: "
          + String.join("; ", undefined));
    }
    return evaluated;
  }

  /** The champion's test metrics, or null (logged) when it cannot be scored or scores undefined metrics. */
  static EvaluationMetrics champion(String model, TrainingPipeline.Champion champion, List<Map<String, Object>> test, List<String> classes,
      int[] truth) {
    try {
      double[][] probabilities = probabilities(champion.onnx().get(), champion.signature(), test);
      List<String> championClasses = champion.signature().getOutputClasses();
      double[][] aligned = new double[probabilities.length][classes.size()];
      for (int i = 0; i < probabilities.length; i++) {
        for (int c = 0; c < championClasses.size(); c++) {
          int index = classes.indexOf(championClasses.get(c));
          if (index >= 0) {
            aligned[i][index] = probabilities[i][c];
          }
        }
      }
      EvaluationMetrics metrics = ClassificationMetrics.evaluate(Split.TEST.id(), classes, truth, aligned);
      List<String> undefined = MetricChecks.undefined(metrics, classes.size());
      if (!undefined.isEmpty()) {
        log.warn("Model {}: the champion (version {}) scored undefined metrics on the test split, so none are reported: {}",
            model, champion.version(), String.join("; ", undefined));
        return null;
      }
      return metrics;
    } catch (RuntimeException e) {
      log.warn("Model {}: the champion (version {}) could not be scored on the test split, so none is reported: {}",
          model, champion.version(), e.getMessage());
      return null;
    }
  }

  /** Rows given to ONNX Runtime at once: bounds the native memory a long test split takes. */
  static final int CHUNK = 1_000;

  /**
   * A stored model's probabilities on the rows, in its signature's output order, whichever inputs it takes.
   *
   * @throws OnnxClassifier.ModelLoadException when the file does not load or does not fit the signature
   * @throws IllegalArgumentException when a value cannot go into its tensor, IllegalStateException when the model fails
   */
  static double[][] probabilities(byte[] onnx, ModelSignature signature, List<Map<String, Object>> rows) {
    double[][] probabilities = new double[rows.size()][];
    try (OnnxClassifier classifier = OnnxClassifier.load(onnx, signature)) {
      for (int start = 0; start < rows.size(); start += CHUNK) {
        float[][] chunk = classifier.probabilities(rows.subList(start, Math.min(rows.size(), start + CHUNK)));
        for (int i = 0; i < chunk.length; i++) {
          probabilities[start + i] = new double[chunk[i].length];
          for (int c = 0; c < chunk[i].length; c++) {
            probabilities[start + i][c] = chunk[i][c];
          }
        }
      }
    }
    return probabilities;
  }
}
