package io.kloop.registry.policy;

import static io.kloop.registry.TrainedModels.metrics;
import static io.kloop.registry.TrainedModels.trained;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.EvaluationMetrics;
import io.kloop.registry.RegistryProperties;
import io.kloop.registry.policy.PromotionPolicy.Outcome;
import io.kloop.registry.policy.PromotionPolicy.Verdict;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PromotionPolicyTest {

  private static final EvaluationMetrics CHAMPION = metrics(0.95, 0.97);

  private final PromotionPolicy policy = new PromotionPolicy(PromotionPolicy.Mode.AUTO, Map.of(Metric.ACCURACY, 0.8), Map.of(),
      List.of(Metric.ACCURACY, Metric.ROC_AUC), 0.01);

  @Test
  void shouldApproveAFirstModelThatMeetsTheMinimums() {
    Verdict verdict = policy.evaluate(trained("m", "r1", metrics(0.9, 0.95), null, null, null), null);

    assertThat(verdict.outcome()).isEqualTo(Outcome.APPROVE);
    assertThat(verdict.reason()).contains("accuracy 0.9000 >= minimum 0.8000").contains("no champion yet");
  }

  @Test
  void shouldRejectAModelBelowAMinimumEvenWithoutAChampion() {
    Verdict verdict = policy.evaluate(trained("m", "r1", metrics(0.7, 0.95), null, null, null), null);

    assertThat(verdict.outcome()).isEqualTo(Outcome.REJECT);
    assertThat(verdict.violations()).containsExactly("accuracy 0.7000 < minimum 0.8000");
  }

  @Test
  void shouldRejectARegressionBeyondTheToleranceOnTheSameSplitAndAllowOneWithinIt() {
    Verdict worse = policy.evaluate(trained("m", "r2", metrics(0.93, 0.965), 1, CHAMPION, null), 1);
    Verdict slightlyWorse = policy.evaluate(trained("m", "r3", metrics(0.945, 0.962), 1, CHAMPION, null), 1);

    assertThat(worse.outcome()).isEqualTo(Outcome.REJECT);
    assertThat(worse.violations()).containsExactly("accuracy 0.9300 is 0.0200 below the champion (version 1) 0.9500, tolerance 0.0100");
    assertThat(slightlyWorse.outcome()).isEqualTo(Outcome.APPROVE);
    assertThat(slightlyWorse.reason()).contains("rocAuc 0.9620 vs champion (version 1) 0.9700");
  }

  @Test
  void shouldTreatLogLossAsLowerIsBetter() {
    PromotionPolicy byLoss = new PromotionPolicy(PromotionPolicy.Mode.AUTO, Map.of(), Map.of(Metric.LOG_LOSS, 0.1), List.of(Metric.LOG_LOSS), 0);

    Verdict verdict = byLoss.evaluate(trained("m", "r1", metrics(0.9, 0.9), null, null, null), null);

    assertThat(verdict.violations()).containsExactly("logLoss 0.2000 > maximum 0.1000");
    assertThatThrownBy(() -> new PromotionPolicy(PromotionPolicy.Mode.AUTO, Map.of(Metric.LOG_LOSS, 0.1), Map.of(), List.of(), 0))
        .hasMessageContaining("logLoss is better when lower");
  }

  @Test
  void shouldHoldACandidateScoredAgainstAnotherChampionBecauseTheFiguresDoNotCompare() {
    Verdict verdict = policy.evaluate(trained("m", "r4", metrics(0.99, 0.99), 1, CHAMPION, null), 2);
    Verdict noChampionMetrics = policy.evaluate(trained("m", "r5", metrics(0.99, 0.99), null, null, null), 2);

    assertThat(verdict.outcome()).isEqualTo(Outcome.HOLD);
    assertThat(verdict.reason()).contains("scored against version 1 but the champion is version 2").contains("an operator must decide");
    assertThat(noChampionMetrics.outcome()).isEqualTo(Outcome.HOLD);
  }

  @Test
  void shouldRejectAMissingMetricThePolicyNeeds() {
    PromotionPolicy needsAuc = new PromotionPolicy(PromotionPolicy.Mode.AUTO, Map.of(Metric.ROC_AUC, 0.9), Map.of(), List.of(), 0);

    Verdict verdict = needsAuc.evaluate(trained("m", "r1", metrics(0.9, null), null, null, null), null);

    assertThat(verdict.outcome()).isEqualTo(Outcome.REJECT);
    assertThat(verdict.violations()).containsExactly("rocAuc is not available for this model, but the policy sets a minimum 0.9000");
  }

  @Test
  void shouldHoldAPassingVersionInManualMode() {
    PromotionPolicy manual = new PromotionPolicy(PromotionPolicy.Mode.MANUAL, Map.of(), Map.of(), List.of(Metric.ACCURACY), 0);

    Verdict verdict = manual.evaluate(trained("m", "r2", metrics(0.96, 0.97), 1, CHAMPION, null), 1);

    assertThat(verdict.outcome()).isEqualTo(Outcome.HOLD);
    assertThat(verdict.reason()).contains("mode manual: waits for an operator");
  }

  @Test
  void shouldMergeAModelsOverrideWithTheDefaultsAndNameTheFaultyKey() {
    RegistryProperties.Promotion config = new RegistryProperties.Promotion("auto", Map.of("roc-auc", 0.9), Map.of(), List.of("accuracy"), 0.02,
        Map.of("careful", new RegistryProperties.ModelPromotion("manual", null, null, null, 0.0)));

    PromotionPolicies policies = new PromotionPolicies(config);

    assertThat(policies.of("anything")).isEqualTo(new PromotionPolicy(PromotionPolicy.Mode.AUTO, Map.of(Metric.ROC_AUC, 0.9), Map.of(),
        List.of(Metric.ACCURACY), 0.02));
    assertThat(policies.of("careful")).isEqualTo(new PromotionPolicy(PromotionPolicy.Mode.MANUAL, Map.of(Metric.ROC_AUC, 0.9), Map.of(),
        List.of(Metric.ACCURACY), 0.0));
    assertThatThrownBy(() -> new PromotionPolicies(new RegistryProperties.Promotion("auto", Map.of("auc", 0.9), Map.of(), List.of(), 0, Map.of())))
        .hasMessageContaining("kloop.registry.promotion").hasMessageContaining("unknown metric 'auc'");
    assertThatThrownBy(() -> new PromotionPolicies(new RegistryProperties.Promotion("auto", Map.of(), Map.of(), List.of(), 0,
        Map.of("m", new RegistryProperties.ModelPromotion("sometimes", null, null, null, null)))))
        .hasMessageContaining("kloop.registry.promotion.models.m").hasMessageContaining("mode must be auto or manual");
  }

  /** Test-split metrics with one figure replaced. */
  private static EvaluationMetrics with(EvaluationMetrics metrics, Metric metric, Double value) {
    // Field by field: Avro's copying builder refuses to deep-copy the confusion matrix outside the services.
    EvaluationMetrics.Builder builder = EvaluationMetrics.newBuilder().setSplit(metrics.getSplit()).setRows(metrics.getRows())
        .setAccuracy(metrics.getAccuracy()).setMacroPrecision(metrics.getMacroPrecision()).setMacroRecall(metrics.getMacroRecall())
        .setMacroF1(metrics.getMacroF1()).setRocAuc(metrics.getRocAuc()).setLogLoss(metrics.getLogLoss())
        .setConfusionMatrix(metrics.getConfusionMatrix());
    switch (metric) {
      case ACCURACY -> builder.setAccuracy(value);
      case MACRO_PRECISION -> builder.setMacroPrecision(value);
      case MACRO_RECALL -> builder.setMacroRecall(value);
      case MACRO_F1 -> builder.setMacroF1(value);
      case ROC_AUC -> builder.setRocAuc(value);
      case LOG_LOSS -> builder.setLogLoss(value);
    }
    return builder.build();
  }

  static Stream<Double> brokenFigures() {
    return Stream.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
  }

  @ParameterizedTest
  @MethodSource("brokenFigures")
  void shouldRejectACandidateWhoseFigureUnderAMinimumIsNotFinite(Double broken) {
    Verdict verdict = policy.evaluate(trained("m", "r1", with(metrics(0.9, 0.95), Metric.ACCURACY, broken), null, null, null), null);

    assertThat(verdict.outcome()).isEqualTo(Outcome.REJECT);
    assertThat(verdict.violations()).containsExactly("accuracy is " + broken + (broken.isNaN() ? " (not a number)" : " (not a measured figure)")
        + ", but the policy sets a minimum 0.8000");
  }

  @ParameterizedTest
  @MethodSource("brokenFigures")
  void shouldRejectACandidateWhoseFigureUnderAMaximumIsNotFinite(Double broken) {
    PromotionPolicy byLoss = new PromotionPolicy(PromotionPolicy.Mode.AUTO, Map.of(), Map.of(Metric.LOG_LOSS, 0.3), List.of(), 0);

    Verdict verdict = byLoss.evaluate(trained("m", "r1", with(metrics(0.9, 0.95), Metric.LOG_LOSS, broken), null, null, null), null);

    assertThat(verdict.outcome()).isEqualTo(Outcome.REJECT);
    assertThat(verdict.violations()).singleElement().asString().startsWith("logLoss is " + broken).endsWith("but the policy sets a maximum 0.3000");
  }

  @Test
  void shouldRejectACandidateWhoseLogLossIsMissingUnderAMaximum() {
    PromotionPolicy byLoss = new PromotionPolicy(PromotionPolicy.Mode.AUTO, Map.of(), Map.of(Metric.LOG_LOSS, 0.3), List.of(), 0);

    Verdict verdict = byLoss.evaluate(trained("m", "r1", with(metrics(0.9, 0.95), Metric.LOG_LOSS, null), null, null, null), null);

    assertThat(verdict.outcome()).isEqualTo(Outcome.REJECT);
    assertThat(verdict.violations()).containsExactly("logLoss is not available for this model, but the policy sets a maximum 0.3000");
  }

  @ParameterizedTest
  @MethodSource("brokenFigures")
  void shouldRejectACandidateWhoseComparedFigureIsNotFinite(Double broken) {
    Verdict verdict = policy.evaluate(trained("m", "r2", with(metrics(0.96, 0.97), Metric.ROC_AUC, broken), 1, CHAMPION, null), 1);

    assertThat(verdict.outcome()).isEqualTo(Outcome.REJECT);
    assertThat(verdict.violations()).singleElement().asString().startsWith("rocAuc is " + broken)
        .endsWith("but is 0.9700 for the champion (version 1)");
  }

  @Test
  void shouldRejectACandidateMissingAFigureTheChampionHas() {
    Verdict verdict = policy.evaluate(trained("m", "r2", metrics(0.96, null), 1, CHAMPION, null), 1);

    assertThat(verdict.outcome()).isEqualTo(Outcome.REJECT);
    assertThat(verdict.violations()).containsExactly("rocAuc is not available for this model but is 0.9700 for the champion (version 1)");
  }

  @ParameterizedTest
  @MethodSource("brokenFigures")
  void shouldHoldACandidateWhenTheChampionsFigureOnTheSameSplitIsNotFinite(Double broken) {
    Verdict verdict = policy.evaluate(trained("m", "r2", metrics(0.96, 0.97), 1, with(CHAMPION, Metric.ROC_AUC, broken), null), 1);

    assertThat(verdict.outcome()).isEqualTo(Outcome.HOLD);
    assertThat(verdict.reason()).startsWith("the champion (version 1)'s rocAuc on the same split is " + broken
        + ", so the candidate's 0.9700 cannot be compared with it").contains("an operator must decide");
    assertThat(verdict.violations()).isEmpty();
  }

  @Test
  void shouldHoldACandidateWhenTheChampionLacksAFigureTheCandidateHas() {
    Verdict verdict = policy.evaluate(trained("m", "r2", metrics(0.96, 0.97), 1, metrics(0.95, null), null), 1);

    assertThat(verdict.outcome()).isEqualTo(Outcome.HOLD);
    assertThat(verdict.reason()).startsWith("the champion (version 1)'s rocAuc on the same split is missing");
  }

  @Test
  void shouldNotCompareAFigureNeitherHasAsForMulticlassModels() {
    Verdict verdict = policy.evaluate(trained("m", "r2", metrics(0.96, null), 1, metrics(0.95, null), null), 1);

    assertThat(verdict.outcome()).isEqualTo(Outcome.APPROVE);
    assertThat(verdict.reason()).contains("rocAuc not compared (neither has one");
  }

  @ParameterizedTest
  @MethodSource("brokenFigures")
  void shouldHoldACandidateWithABrokenFigureNoRuleLooksAt(Double broken) {
    Verdict first = policy.evaluate(trained("m", "r1", with(metrics(0.9, 0.95), Metric.MACRO_F1, broken), null, null, null), null);
    Verdict later = policy.evaluate(trained("m", "r2", with(metrics(0.96, 0.97), Metric.MACRO_RECALL, broken), 1, CHAMPION, null), 1);

    assertThat(first.outcome()).isEqualTo(Outcome.HOLD);
    assertThat(first.reason()).startsWith("the candidate's macroF1 is " + broken + ", so its evaluation cannot be trusted");
    assertThat(later.outcome()).isEqualTo(Outcome.HOLD);
    assertThat(later.reason()).startsWith("the candidate's macroRecall is " + broken);
  }

  @Test
  void shouldRefuseAPolicyWithoutFiniteBarsOrTolerance() {
    assertThatThrownBy(() -> new PromotionPolicy(PromotionPolicy.Mode.AUTO, Map.of(), Map.of(), List.of(), Double.POSITIVE_INFINITY))
        .hasMessageContaining("tolerance must be a finite number");
    assertThatThrownBy(() -> new PromotionPolicy(PromotionPolicy.Mode.AUTO, Map.of(Metric.ACCURACY, Double.NEGATIVE_INFINITY), Map.of(), List.of(), 0))
        .hasMessageContaining("the minimum of accuracy must be a finite number");
  }
}
