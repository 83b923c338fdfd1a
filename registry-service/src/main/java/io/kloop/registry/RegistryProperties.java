package io.kloop.registry;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the registry-service, under {@code kloop.registry}.
 *
 * @param artifactRoot Directory of the local artifact store from which model artifacts are served. Default {@code .kloop/artifacts}.
 * @param decisionTimeout How long an approve, reject or rollback call waits for the registry to apply it before answering 202 Accepted. Default {@code 10s}.
 * @param access Who may change and read the registry.
 * @param promotion The promotion policy: the default for every model, and per-model overrides.
 */
@ConfigurationProperties("kloop.registry")
@Validated
public record RegistryProperties(
    @DefaultValue(".kloop/artifacts") @NotNull Path artifactRoot,
    @DefaultValue("10s") @NotNull @DurationMin(nanos = 0, message = "must not be negative") Duration decisionTimeout,
    @DefaultValue Access access,
    @DefaultValue Promotion promotion) {

  /**
   * Access control of the HTTP API.
   *
   * @param operators Operator name to bearer token: approve, reject and rollback need one of these tokens, and the name is recorded as the decision's actor. None by default, which leaves only the promotion policy deciding.
   * @param openReads Whether reads (models, versions, audit, artifacts) need no token. Default {@code true}; when {@code false} they need an operator token too.
   */
  public record Access(Map<String, String> operators, @DefaultValue("true") boolean openReads) {
    public Access {
      operators = operators == null ? Map.of() : Map.copyOf(operators);
    }
  }

  /**
   * The promotion policy every model gets, and per-model overrides; a model's entry replaces only the fields it sets.
   *
   * @param mode {@code auto} approves a version that passes at once; {@code manual} holds it for an operator. Default {@code auto}.
   * @param minimums Lowest acceptable test-split value per metric (accuracy, macroPrecision, macroRecall, macroF1, rocAuc). None by default.
   * @param maximums Highest acceptable test-split value per lower-is-better metric (logLoss). None by default.
   * @param noRegression Metrics on which a candidate may not fall behind the champion, scored on the same split, by more than the tolerance. Default {@code accuracy, rocAuc}.
   * @param tolerance How far behind the champion a candidate may fall on each no-regression metric. Default {@code 0.01}.
   * @param models Per-model overrides, keyed by model name, with the fields above.
   */
  public record Promotion(
      @DefaultValue("auto") String mode,
      Map<String, Double> minimums,
      Map<String, Double> maximums,
      @DefaultValue({"accuracy", "rocAuc"}) List<String> noRegression,
      @DefaultValue("0.01") double tolerance,
      Map<String, ModelPromotion> models) {

    public Promotion {
      minimums = minimums == null ? Map.of() : Map.copyOf(minimums);
      maximums = maximums == null ? Map.of() : Map.copyOf(maximums);
      models = models == null ? Map.of() : Map.copyOf(models);
    }
  }

  /** A model's override of the default policy: fields left out keep the default's value. */
  public record ModelPromotion(String mode, Map<String, Double> minimums, Map<String, Double> maximums, List<String> noRegression,
      Double tolerance) {}
}
