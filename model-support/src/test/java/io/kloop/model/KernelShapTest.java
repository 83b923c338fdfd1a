package io.kloop.model;

import static io.kloop.model.OnnxClassifierRawTensorsTest.field;
import static io.kloop.model.OnnxClassifierRawTensorsTest.tensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.test.OnnxGraphs;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.events.TensorElementType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelShapTest {

  /** P(yes) = 0.5 + sum_i w_i x_i over one FLOAT [N, M] input, P(no) = 1 - P(yes): additive in the probability. */
  private static byte[] linear(float[] w) {
    float[] weights = new float[w.length * 2];
    for (int i = 0; i < w.length; i++) {
      weights[2 * i] = -w[i];
      weights[2 * i + 1] = w[i];
    }
    return new OnnxGraphs().input("x", OnnxGraphs.FLOAT, w.length)
        .floats("W", List.of((long) w.length, 2L), weights).floats("B", List.of(2L), 0.5f, 0.5f)
        .node("Gemm", List.of("x", "W", "B"), List.of("probabilities"))
        .tensorOutput("probabilities", OnnxGraphs.FLOAT, 2).build();
  }

  /** P(yes) = 0.5 + 0.1 a b over x = [a, b, c] (c unused): all of its effect is the interaction of a and b. */
  private static byte[] interaction() {
    return new OnnxGraphs().input("x", OnnxGraphs.FLOAT, 3)
        .longs("s0", 0).longs("s1", 1).longs("s2", 2).longs("axis", 1)
        .floats("W", List.of(1L, 2L), -0.1f, 0.1f).floats("B", List.of(2L), 0.5f, 0.5f)
        .node("Slice", List.of("x", "s0", "s1", "axis"), List.of("a"))
        .node("Slice", List.of("x", "s1", "s2", "axis"), List.of("b"))
        .node("Mul", List.of("a", "b"), List.of("ab"))
        .node("Gemm", List.of("ab", "W", "B"), List.of("probabilities"))
        .tensorOutput("probabilities", OnnxGraphs.FLOAT, 2).build();
  }

  private static ModelSignature signature(int features) {
    List<SignatureField> inputs = new ArrayList<>();
    String[] names = new String[features];
    for (int i = 0; i < features; i++) {
      names[i] = "f" + i;
      inputs.add(field(names[i], FeatureType.NUMERIC));
    }
    return ModelSignature.newBuilder().setInputs(inputs).setOutputClasses(List.of("no", "yes")).setInputTensor("")
        .setProbabilityTensor("probabilities").setTensors(List.of(tensor("x", TensorElementType.FLOAT, 2, names))).build();
  }

  private static Map<String, Object> row(double... values) {
    Map<String, Object> row = new HashMap<>();
    for (int i = 0; i < values.length; i++) {
      row.put("f" + i, values[i]);
    }
    return row;
  }

  @Test
  void shouldGiveEachFeatureOfALinearModelItsWeightTimesItsDistanceFromTheBackgroundMean() {
    float[] w = {0.1f, -0.2f, 0.05f};
    List<Map<String, Object>> background = List.of(row(0, 0, 0), row(1, 2, -2), row(2, 1, 4));
    // Background means: 1, 1, 2/3.
    try (OnnxClassifier classifier = OnnxClassifier.load(linear(w), signature(3))) {
      KernelShap.Explanation[] explanations = new KernelShap(2048, 7).explain(classifier,
          List.of(row(3, -1, 1), row(0.5, 0.5, 0.5)), new int[] {1, 0}, background);

      KernelShap.Explanation yes = explanations[0];
      assertThat(yes.exact()).isTrue();
      assertThat(yes.contributions()[0]).isCloseTo(0.1 * (3 - 1), within(1e-5));
      assertThat(yes.contributions()[1]).isCloseTo(-0.2 * (-1 - 1), within(1e-5));
      assertThat(yes.contributions()[2]).isCloseTo(0.05 * (1 - 2.0 / 3), within(1e-5));
      assertThat(yes.value()).isCloseTo(0.5 + 0.3 + 0.2 + 0.05, within(1e-5));
      assertThat(yes.baseline()).isCloseTo(0.5 + 0.1 - 0.2 + 0.05 * 2 / 3, within(1e-5));
      // 3 background rows, the row, 6 proper coalitions times 3 background rows.
      assertThat(yes.evaluations()).isEqualTo(3 + 1 + 6 * 3);
      // Class "no" of the second row: the opposite weights.
      assertThat(explanations[1].contributions()[0]).isCloseTo(-0.1 * (0.5 - 1), within(1e-5));
      assertThat(explanations[1].contributions()[1]).isCloseTo(0.2 * (0.5 - 1), within(1e-5));
    }
  }

  @Test
  void shouldSplitAnInteractionEvenlyBetweenItsFeatures() {
    // Background (0, 0, 0) and (2, 1, 5): v(empty) = 0.5 + 0.1 (0 + 2) / 2; for x = (3, 4, 9),
    // v({a}) = 0.5 + 0.1 (3 * 0 + 3 * 1) / 2, v({b}) = 0.5 + 0.1 (0 * 4 + 2 * 4) / 2, v({a, b}) = 0.5 + 1.2.
    // phi_a = (v({a}) - v()) / 2 + (v({a,b}) - v({b})) / 2 = (0.15 - 0.1) / 2 + (1.7 - 0.9) / 2 = 0.425;
    // phi_b = (v({b}) - v()) / 2 + (v({a,b}) - v({a})) / 2 = (0.9 - 0.6) / 2 + (1.7 - 0.65) / 2 = 0.675; phi_c = 0.
    try (OnnxClassifier classifier = OnnxClassifier.load(interaction(), signature(3))) {
      KernelShap.Explanation explanation = new KernelShap(2048, 7).explain(classifier, List.of(row(3, 4, 9)), new int[] {1},
          List.of(row(0, 0, 0), row(2, 1, 5)))[0];

      assertThat(explanation.contributions()).containsExactly(new double[] {0.425, 0.675, 0}, within(1e-5));
      assertThat(explanation.value() - explanation.baseline()).isCloseTo(1.7 - 0.6, within(1e-5));
    }
  }

  @Test
  void shouldSampleCoalitionsWithinTheBudgetWhenThereAreTooManyFeaturesForAllOfThem() {
    float[] w = {0.01f, -0.02f, 0.03f, 0.04f, -0.05f, 0.06f, 0.07f, -0.01f, 0.02f, 0.03f, -0.04f, 0.05f};
    List<Map<String, Object>> background = new ArrayList<>();
    for (int b = 0; b < 20; b++) {
      double[] values = new double[w.length];
      for (int i = 0; i < w.length; i++) {
        values[i] = (b * 7 + i * 3) % 5 - 2;
      }
      background.add(row(values));
    }
    double[] x = {1, 2, -1, 0.5, 3, -2, 1, 1, 0, 2, -1, 1};
    try (OnnxClassifier classifier = OnnxClassifier.load(linear(w), signature(w.length))) {
      KernelShap shap = new KernelShap(512, 11);
      KernelShap.Explanation explanation = shap.explain(classifier, List.of(row(x)), new int[] {1}, background)[0];

      assertThat(explanation.exact()).isFalse();
      assertThat(explanation.evaluations()).isLessThanOrEqualTo(512);
      // For an additive model the least-squares fit is exact whatever coalitions were drawn.
      for (int i = 0; i < w.length; i++) {
        int feature = i;
        double mean = background.stream().mapToDouble(r -> (Double) r.get("f" + feature)).average().orElseThrow();
        assertThat(explanation.contributions()[i]).as("feature %d", i).isCloseTo(w[i] * (x[i] - mean), within(1e-4));
      }
    }
  }

  @Test
  void shouldKeepTheSumAndTheSeedsAnswerWhenSamplingANonAdditiveModel() {
    List<String> names = List.of("f0", "f1", "f2");
    List<Map<String, Object>> background = List.of(row(0, 0, 0), row(2, 1, 5), row(-1, 3, 2));
    try (OnnxClassifier classifier = OnnxClassifier.load(interaction(), signature(3))) {
      // A budget of 7: one background row (the budget cannot pay for three), the row, and 4 of the 6 coalitions.
      KernelShap.Explanation first = new KernelShap(7, 5).explain(classifier, List.of(row(3, 4, 9)), new int[] {1}, background)[0];
      KernelShap.Explanation again = new KernelShap(7, 5).explain(classifier, List.of(row(3, 4, 9)), new int[] {1}, background)[0];

      assertThat(first.exact()).isFalse();
      assertThat(first.evaluations()).isEqualTo(1 + 1 + 4);
      assertThat(first.contributions()).containsExactly(again.contributions());
      double sum = 0;
      for (double contribution : first.contributions()) {
        sum += contribution;
      }
      assertThat(sum).isCloseTo(first.value() - first.baseline(), within(1e-9));
      assertThat(names).hasSize(first.contributions().length);
    }
  }
}
