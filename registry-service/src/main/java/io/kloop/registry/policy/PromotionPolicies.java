package io.kloop.registry.policy;

import io.kloop.registry.RegistryProperties;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The promotion policy of each model, from configuration; checked whole at start-up so a typo fails fast. */
public final class PromotionPolicies {

  private final PromotionPolicy defaults;
  private final Map<String, PromotionPolicy> models = new TreeMap<>();

  public PromotionPolicies(RegistryProperties.Promotion config) {
    this.defaults = build("default", config.mode(), config.minimums(), config.maximums(), config.noRegression(), config.tolerance());
    config.models().forEach((model, override) -> models.put(model, build(model,
        override.mode() != null ? override.mode() : config.mode(),
        override.minimums() != null ? override.minimums() : config.minimums(),
        override.maximums() != null ? override.maximums() : config.maximums(),
        override.noRegression() != null ? override.noRegression() : config.noRegression(),
        override.tolerance() != null ? override.tolerance() : config.tolerance())));
  }

  /** The policy the model's new versions face. */
  public PromotionPolicy of(String model) {
    return models.getOrDefault(model, defaults);
  }

  /** The default policy and every model's own, for the start-up log. */
  public String describe() {
    StringBuilder text = new StringBuilder("default: ").append(defaults.describe());
    models.forEach((model, policy) -> text.append("; ").append(model).append(": ").append(policy.describe()));
    return text.toString();
  }

  private static PromotionPolicy build(String name, String mode, Map<String, Double> minimums, Map<String, Double> maximums,
      List<String> noRegression, double tolerance) {
    try {
      return new PromotionPolicy(parseMode(mode), metrics(minimums), metrics(maximums), noRegression.stream().map(Metric::parse).distinct().toList(),
          tolerance);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid promotion policy (kloop.registry.promotion" + ("default".equals(name) ? "" : ".models." + name)
          + "): " + e.getMessage(), e);
    }
  }

  private static PromotionPolicy.Mode parseMode(String mode) {
    try {
      return PromotionPolicy.Mode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("mode must be auto or manual, not '" + mode + "'", e);
    }
  }

  private static Map<Metric, Double> metrics(Map<String, Double> bars) {
    Map<Metric, Double> parsed = new EnumMap<>(Metric.class);
    bars.forEach((metric, value) -> {
      if (value == null || value.isNaN()) {
        throw new IllegalArgumentException("no number given for " + metric);
      }
      parsed.put(Metric.parse(metric), value);
    });
    return parsed;
  }
}
