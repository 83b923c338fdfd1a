package io.kloop.inference.api;

import io.kloop.inference.serving.Predictions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The scoring endpoints' answers, as the JSON they are written as ({@link AnswerBudget} bounds their size). */
final class Answers {

  private Answers() {}

  /**
   * The named-feature API's answer: {@code {"id", "model", "version", "predictions": [...]}}, each prediction
   * {@code {"predictionId", "class", "probabilities", "version"}} and, when asked for, its {@code "explanation"}:
   * {@code {"class", "score", "value", "baseline", "contributions", "approximate"}} and, for an approximate one, the
   * {@code "method"} and the number of model {@code "evaluations"}.
   */
  static Map<String, Object> predict(Predictions.Result result) {
    List<Map<String, Object>> answers = new ArrayList<>(result.predictions().size());
    for (Predictions.Prediction prediction : result.predictions()) {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("predictionId", prediction.predictionId());
      answer.put("class", prediction.predictedClass());
      answer.put("probabilities", prediction.probabilities());
      answer.put("version", result.version());
      if (prediction.explanation() != null) {
        Predictions.Explanation explanation = prediction.explanation();
        Map<String, Object> why = new LinkedHashMap<>();
        why.put("class", prediction.predictedClass());
        why.put("score", explanation.scoreKind());
        why.put("value", explanation.score());
        why.put("baseline", explanation.baseline());
        why.put("contributions", explanation.contributions());
        why.put("approximate", explanation.approximate());
        if (explanation.approximate()) {
          why.put("method", explanation.method());
          why.put("evaluations", explanation.evaluations());
        }
        answer.put("explanation", why);
      }
      answers.add(answer);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("id", result.requestId());
    answer.put("model", result.model());
    answer.put("version", result.version());
    answer.put("predictions", answers);
    return answer;
  }

  /**
   * The Open Inference Protocol's infer answer, with the outputs asked for: the probabilities, the labels and the
   * prediction ids ({@code prediction_id}, {@code BYTES [N]}), in that order.
   */
  static Map<String, Object> infer(String name, Predictions.Result result, Set<String> wantedOutputs) {
    List<String> classes = result.signature().getOutputClasses();
    int rows = result.predictions().size();
    List<Map<String, Object>> outputs = new ArrayList<>();
    if (wantedOutputs.contains(result.signature().getProbabilityTensor())) {
      List<Double> data = new ArrayList<>(rows * classes.size());
      result.predictions().forEach(p -> classes.forEach(c -> data.add(p.probabilities().get(c))));
      Map<String, Object> tensor = OpenInferenceController.tensor(result.signature().getProbabilityTensor(), "FP32", List.of(rows, classes.size()));
      tensor.put("data", data);
      outputs.add(tensor);
    }
    if (wantedOutputs.contains(OpenInferenceController.LABEL)) {
      Map<String, Object> tensor = OpenInferenceController.tensor(OpenInferenceController.LABEL, "BYTES", List.of(rows));
      tensor.put("data", result.predictions().stream().map(Predictions.Prediction::predictedClass).toList());
      outputs.add(tensor);
    }
    if (wantedOutputs.contains(OpenInferenceController.PREDICTION_ID)) {
      Map<String, Object> tensor = OpenInferenceController.tensor(OpenInferenceController.PREDICTION_ID, "BYTES", List.of(rows));
      tensor.put("data", result.predictions().stream().map(Predictions.Prediction::predictionId).toList());
      outputs.add(tensor);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("model_name", name);
    answer.put("model_version", String.valueOf(result.version()));
    answer.put("id", result.requestId());
    answer.put("outputs", outputs);
    return answer;
  }
}
