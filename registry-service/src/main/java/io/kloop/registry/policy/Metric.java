package io.kloop.registry.policy;

import io.kloop.events.EvaluationMetrics;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/** A figure of {@link EvaluationMetrics} the promotion policy can set a bar on or compare with the champion. */
public enum Metric {
  ACCURACY("accuracy", true, EvaluationMetrics::getAccuracy),
  MACRO_PRECISION("macroPrecision", true, EvaluationMetrics::getMacroPrecision),
  MACRO_RECALL("macroRecall", true, EvaluationMetrics::getMacroRecall),
  MACRO_F1("macroF1", true, EvaluationMetrics::getMacroF1),
  ROC_AUC("rocAuc", true, EvaluationMetrics::getRocAuc),
  LOG_LOSS("logLoss", false, EvaluationMetrics::getLogLoss);

  private final String field;
  private final boolean higherIsBetter;
  private final Function<EvaluationMetrics, Double> value;

  Metric(String field, boolean higherIsBetter, Function<EvaluationMetrics, Double> value) {
    this.field = field;
    this.higherIsBetter = higherIsBetter;
    this.value = value;
  }

  /** The field's name in {@code EvaluationMetrics}, as configuration and messages spell it. */
  public String field() {
    return field;
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /**
   * The metric's value as training reported it (NaN and infinities included: the policy refuses them), or null
   * when the model has none (ROC-AUC of a multiclass model, log loss without probabilities).
   */
  public Double of(EvaluationMetrics metrics) {
    return value.apply(metrics);
  }

  /**
   * The metric a configuration key names, in any case and with or without dashes: {@code rocAuc},
   * {@code roc-auc} and {@code rocauc} are the same.
   */
  public static Metric parse(String name) {
    String wanted = normalise(name);
    return Arrays.stream(values()).filter(m -> normalise(m.field).equals(wanted)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown metric '" + name + "'; known: "
            + Arrays.stream(values()).map(Metric::field).collect(Collectors.joining(", "))));
  }

  private static String normalise(String name) {
    return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
  }
}
