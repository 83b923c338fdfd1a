package io.kloop.training;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the training-service, under {@code kloop.training}.
 *
 * @param artifactRoot Directory of the local artifact store: batch files are read from it, ONNX models written to it. Default {@code .kloop/artifacts}.
 * @param maxConcurrentRuns How many models may train at the same time (a model never runs twice at once). Default 1.
 * @param seed Seed of every random choice of a run (SGD order, profile samples), so runs are reproducible. Default 42.
 * @param runTimeout The longest a training run may take; a run still busy then is stopped and fails with
 *     {@code TrainingFailed} saying so. Default 30 minutes.
 * @param models Models declared by configuration, by name; each is stored as a spec event at start-up unless
 *     the stored spec already says the same. Specs declared over HTTP live alongside.
 */
@ConfigurationProperties("kloop.training")
public record TrainingProperties(
    @DefaultValue(".kloop/artifacts") Path artifactRoot,
    @DefaultValue("1") int maxConcurrentRuns,
    @DefaultValue("42") long seed,
    @DefaultValue("30m") Duration runTimeout,
    Map<String, ConfiguredModel> models) {

  public TrainingProperties {
    models = models == null ? Map.of() : Map.copyOf(models);
    if (maxConcurrentRuns < 1) {
      throw new IllegalArgumentException("kloop.training.max-concurrent-runs must be at least 1, not " + maxConcurrentRuns);
    }
    if (runTimeout == null || runTimeout.isNegative() || runTimeout.isZero() || runTimeout.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException("kloop.training.run-timeout must be more than 0 and at most 7d, not " + runTimeout);
    }
  }

  /**
   * A model declared in configuration.
   *
   * @param dataset the dataset it learns from
   * @param algorithms algorithm families to search (logistic-regression, factorization-machine, liblinear); default logistic-regression
   * @param grid per algorithm, values to try per hyperparameter; the family's defaults for the rest
   * @param minNewRows new rows since the last run that trigger a run; default 100
   * @param window {@code all}, {@code last-rows:N} or {@code last-batches:N}; default all
   * @param cooldown minimum time between runs started by new data; default 1 minute
   */
  public record ConfiguredModel(
      String dataset,
      @DefaultValue("logistic-regression") List<String> algorithms,
      Map<String, Map<String, List<String>>> grid,
      @DefaultValue("100") long minNewRows,
      @DefaultValue("all") String window,
      @DefaultValue("1m") Duration cooldown) {}
}
