package io.kloop.model;

import static io.kloop.model.OnnxClassifierRawTensorsTest.field;
import static io.kloop.model.OnnxClassifierRawTensorsTest.tensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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

  /**
   * Nine features with interactions: P(yes) = 0.5 + 0.05 x0 x1 + 0.05 max(x2, x3, x4) + 0.02 x5 x6 x7 + 0.03 x8,
   * P(no) = 1 - P(yes); {@link #nonAdditive(double[])} is the same function in Java.
   */
  private static byte[] nonAdditiveGraph() {
    OnnxGraphs graph = new OnnxGraphs().input("x", OnnxGraphs.FLOAT, 9).longs("axis", 1);
    for (int i = 0; i <= 9; i++) {
      graph.longs("s" + i, i);
    }
    for (int i = 0; i < 9; i++) {
      graph.node("Slice", List.of("x", "s" + i, "s" + (i + 1), "axis"), List.of("x" + i));
    }
    return graph
        .node("Mul", List.of("x0", "x1"), List.of("a"))
        .node("Max", List.of("x2", "x3", "x4"), List.of("b"))
        .node("Mul", List.of("x5", "x6"), List.of("c56"))
        .node("Mul", List.of("c56", "x7"), List.of("c"))
        .node("Concat", List.of("a", "b", "c", "x8"), List.of("terms"), OnnxGraphs.attribute("axis", 1L))
        .floats("W", List.of(4L, 2L), -0.05f, 0.05f, -0.05f, 0.05f, -0.02f, 0.02f, -0.03f, 0.03f).floats("B", List.of(2L), 0.5f, 0.5f)
        .node("Gemm", List.of("terms", "W", "B"), List.of("probabilities"))
        .tensorOutput("probabilities", OnnxGraphs.FLOAT, 2).build();
  }

  private static double nonAdditive(double[] x) {
    return 0.5 + 0.05 * x[0] * x[1] + 0.05 * Math.max(x[2], Math.max(x[3], x[4])) + 0.02 * x[5] * x[6] * x[7] + 0.03 * x[8];
  }

  /**
   * Exact interventional Shapley values of P(yes), by enumerating every coalition S of the features not i
   * with the weight |S|! (M - |S| - 1)! / M!, on the Java function.
   */
  private static double[] exactShapley(double[] x, List<double[]> background) {
    int m = x.length;
    double[] value = new double[1 << m];
    for (int s = 0; s < value.length; s++) {
      double sum = 0;
      for (double[] reference : background) {
        double[] mixed = new double[m];
        for (int f = 0; f < m; f++) {
          mixed[f] = (s & (1 << f)) != 0 ? x[f] : reference[f];
        }
        sum += nonAdditive(mixed);
      }
      value[s] = sum / background.size();
    }
    double[] factorial = new double[m + 1];
    factorial[0] = 1;
    for (int i = 1; i <= m; i++) {
      factorial[i] = factorial[i - 1] * i;
    }
    double[] phi = new double[m];
    for (int i = 0; i < m; i++) {
      for (int s = 0; s < value.length; s++) {
        if ((s & (1 << i)) == 0) {
          int size = Integer.bitCount(s);
          phi[i] += factorial[size] * factorial[m - size - 1] / factorial[m] * (value[s | (1 << i)] - value[s]);
        }
      }
    }
    return phi;
  }

  private static final List<double[]> NINE_BACKGROUND = List.of(
      new double[] {0, 1, -1, 0.5, 2, 1, 0, -1, 0.5}, new double[] {1, -1, 0, 1, -0.5, 2, 1, 1, -1},
      new double[] {-1, 2, 1.5, -1, 0, -1, 2, 0.5, 2});
  private static final double[] NINE_X = {2, 1.5, 3, -2, 1, 1.5, -2, 2, 1};

  @Test
  void shouldComeCloseToTheExactShapleyValuesOfAModelWithInteractionsWhenSampling() {
    double[] exact = exactShapley(NINE_X, NINE_BACKGROUND);
    // The test's own formula agrees with the model: its values sum to f(x) - mean f(background).
    double mean = NINE_BACKGROUND.stream().mapToDouble(KernelShapTest::nonAdditive).average().orElseThrow();
    assertThat(java.util.Arrays.stream(exact).sum()).isCloseTo(nonAdditive(NINE_X) - mean, within(1e-12));
    try (OnnxClassifier classifier = OnnxClassifier.load(nonAdditiveGraph(), signature(9))) {
      // 1,200 evaluations: the 3 background rows, the row, and 398 of the 510 proper coalitions times 3.
      KernelShap.Explanation explanation = new KernelShap(1200, 3).explain(classifier, List.of(row(NINE_X)), new int[] {1},
          NINE_BACKGROUND.stream().map(KernelShapTest::row).toList())[0];

      assertThat(explanation.exact()).isFalse();
      assertThat(explanation.evaluations()).isEqualTo(3 + 1 + 398 * 3);
      assertThat(explanation.value()).isCloseTo(nonAdditive(NINE_X), within(1e-5));
      assertThat(explanation.baseline()).isCloseTo(mean, within(1e-5));
      // The exact values range from -0.08 to 0.13; with 398 of the 510 coalitions each comes within 0.01 (0.003 with this seed).
      for (int i = 0; i < 9; i++) {
        assertThat(explanation.contributions()[i]).as("feature %d (exact %.4f)", i, exact[i]).isCloseTo(exact[i], within(0.01));
      }
    }
  }

  @Test
  void shouldGiveARowTheSameExplanationWhereverItIsInTheRequest() {
    List<Map<String, Object>> background = NINE_BACKGROUND.stream().map(KernelShapTest::row).toList();
    Map<String, Object> x = row(NINE_X);
    Map<String, Object> other = row(1, 1, 1, 1, 1, 1, 1, 1, 1);
    try (OnnxClassifier classifier = OnnxClassifier.load(nonAdditiveGraph(), signature(9))) {
      KernelShap shap = new KernelShap(600, 17);
      KernelShap.Explanation alone = shap.explain(classifier, List.of(x), new int[] {1}, background)[0];
      KernelShap.Explanation second = shap.explain(classifier, List.of(other, x), new int[] {1, 1}, background)[1];
      KernelShap.Explanation third = new KernelShap(600, 17).explain(classifier, List.of(other, other, x), new int[] {0, 0, 1}, background)[2];

      assertThat(alone.exact()).isFalse();
      assertThat(second.contributions()).containsExactly(alone.contributions());
      assertThat(third.contributions()).containsExactly(alone.contributions());
      // The seed matters: another one samples other coalitions and answers (slightly) otherwise.
      assertThat(new KernelShap(600, 18).explain(classifier, List.of(x), new int[] {1}, background)[0].contributions())
          .isNotEqualTo(alone.contributions());
    }
  }

  @Test
  void shouldFitALinearModelExactlyWithTheFewestEvaluationsThatDetermineTheFit() {
    // 12 features: 2 * 12 coalitions (each feature and its complement) and the row and one background row.
    float[] w = {0.01f, -0.02f, 0.03f, 0.04f, -0.05f, 0.06f, 0.07f, -0.01f, 0.02f, 0.03f, -0.04f, 0.05f};
    double[] reference = {1, 0, -1, 2, 0.5, 1, 1, -2, 0, 1, 3, -1};
    double[] x = {1, 2, -1, 0.5, 3, -2, 1, 1, 0, 2, -1, 1};
    try (OnnxClassifier classifier = OnnxClassifier.load(linear(w), signature(w.length))) {
      KernelShap.Explanation explanation = new KernelShap(26, 1).explain(classifier, List.of(row(x)), new int[] {1}, List.of(row(reference)))[0];

      assertThat(explanation.exact()).isFalse();
      assertThat(explanation.evaluations()).isEqualTo(26);
      for (int i = 0; i < w.length; i++) {
        assertThat(explanation.contributions()[i]).as("feature %d", i).isCloseTo(w[i] * (x[i] - reference[i]), within(1e-5));
      }
    }
  }

  @Test
  void shouldRefuseWhatItCannotExplainWithinItsLimits() {
    try (OnnxClassifier classifier = OnnxClassifier.load(interaction(), signature(3))) {
      // Three features need 2 + 6 evaluations (all 6 coalitions, here also exact); 7 cannot determine the fit.
      assertThatThrownBy(() -> new KernelShap(7, 5).explain(classifier, List.of(row(3, 4, 9)), new int[] {1}, List.of(row(0, 0, 0))))
          .isInstanceOf(KernelShap.RefusedException.class)
          .hasMessage("approximate explanations of a model with 3 inputs need at least 8 model evaluations per instance (one complementary "
              + "pair of coalitions per input, for a determined fit); the budget is 7");
      assertThat(new KernelShap(8, 5).explain(classifier, List.of(row(3, 4, 9)), new int[] {1}, List.of(row(0, 0, 0)))[0].exact()).isTrue();
    }
    try (OnnxClassifier classifier = OnnxClassifier.load(linear(new float[101]), signature(101))) {
      assertThat(new KernelShap(2048, 1).refusal(classifier, List.of(row(new double[101])), List.of(row(new double[101]))))
          .isEqualTo("approximate explanations take at most 100 inputs; this model has 101");
    }
    // 100 features with the largest budget: the fit caps the coalitions, 99^2 multiply-adds each and 99^3 for the
    // solution within 25,000,000: (25,000,000 - 970,299) / 9,801 = 2,451.8, so 2,450 in pairs.
    assertThat(new KernelShap(65_536, 1).plan(100, 16)).isEqualTo(new KernelShap.Plan(16, 2450, false));
  }

  @Test
  void shouldSizeOnnxRuntimeCallsByBytesAndRefuseTooManyBytesPerRequest() {
    assertThat(KernelShap.callEnds(new long[] {6, 5, 4, 20, 1, 1}, 10)).containsExactly(1, 3, 4, 6);
    assertThat(KernelShap.callEnds(new long[0], 10)).isEmpty();

    ModelSignature text = ModelSignature.newBuilder()
        .setInputs(List.of(field("review", FeatureType.TEXT))).setOutputClasses(List.of("negative", "positive"))
        .setInputTensor("").setProbabilityTensor("output_probability").setProbabilityFormat(io.kloop.events.ProbabilityFormat.ZIPMAP)
        .setTensors(List.of(tensor("text", TensorElementType.STRING, 2, "review"))).build();
    try (OnnxClassifier classifier = OnnxClassifier.load(OnnxClassifierRawTensorsTest.textModel(), text)) {
      // "é" is 2 bytes of UTF-8, "😀" 4; each string 32 more.
      assertThat(classifier.inputBytes(Map.of("review", "good é😀"))).containsExactly(32 + 5 + 2 + 4);
      assertThat(classifier.fixedInputBytes()).isZero();
      // One feature has no proper coalition: 16 background rows and the row, 17 evaluations per instance.
      List<Map<String, Object>> background = java.util.Collections.nCopies(16, Map.of("review", "ok"));
      Map<String, Object> novel = Map.of("review", "a".repeat(100_000));
      // 17 * (32 + 100,000 + 34) = 1,701,122 bytes per instance; 128 MB = 134,217,728 bytes: 78 instances fit, 79 do not.
      assertThat(new KernelShap(2048, 1).refusal(classifier, java.util.Collections.nCopies(78, novel), background)).isNull();
      assertThat(new KernelShap(2048, 1).refusal(classifier, java.util.Collections.nCopies(79, novel), background))
          .startsWith("approximate explanations may give the model at most 128 MB of input per request").contains("these 79 instances");
      KernelShap.Explanation explanation = new KernelShap(2048, 1).explain(classifier, List.of(Map.of("review", "good")), new int[] {1}, background)[0];
      // "good" scores 2 against "ok"'s 0: P(positive) goes from 1/2 to sigmoid(2).
      assertThat(explanation.contributions()[0]).isCloseTo(1 / (1 + Math.exp(-2)) - 0.5, within(1e-6));
    }
  }
}
