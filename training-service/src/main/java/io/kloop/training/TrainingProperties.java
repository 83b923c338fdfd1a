package io.kloop.training;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the training-service, under {@code kloop.training}.
 *
 * @param artifactRoot Directory of the local artifact store: batch files are read from it, ONNX models written to it. Default {@code .kloop/artifacts}.
 * @param maxConcurrentRuns How many models may train at the same time (a model never runs twice at once). Default 1.
 * @param seed Seed of every random choice of a run (SGD order, profile samples), so runs are reproducible. Default 42.
 * @param runTimeout The longest a training run may take; a run still busy then is stopped and fails with
 *     {@code TrainingFailed} saying so. Default 30 minutes.
 * @param maxImportSize The largest ONNX file {@code POST /v1/models/{name}/imports} takes (the {@code model} part); a larger
 *     one is refused with 413. The file is held in memory while it is read and checked, then waits in the artifact store
 *     until it is judged. From 1KB to 1GB; default 64MB.
 * @param maxConcurrentImports How many import requests are read and checked at the same time, each holding its file in
 *     memory (up to {@code maxImportSize}, about twice that while the last part arrives); one more is refused with 429
 *     before its body is read. From 1 to 64; default 2.
 * @param maxPendingImports How many imports may be between their admission and the end of their judging (read and
 *     checked, waiting for a run thread, or being judged); one more is refused with 429 before its body is read. A waiting
 *     import's file waits in the artifact store, not in memory. From 1 to 1,000; default 4.
 * @param textHashBuckets How many hashed-token columns each text input of the platform's own models takes
 *     (model-support's {@code FeatureEncoding}: term frequencies per bucket of the token's MurmurHash3),
 *     from 2 to 16,384. Default 256: training holds each encoded row in memory as floats, so a text input
 *     costs 1 KB a row (10 MB for 10,000 rows) and the model 256 weights per class, while a few hundred
 *     buckets leave room for the few hundred words that carry most of a short text's class (words beyond
 *     that share buckets, which a linear model tolerates); raise it for larger vocabularies. A model keeps
 *     the number it was trained with in its signature, so changing it never breaks a served model.
 * @param models Models declared by configuration, by name; each is stored as a spec event at start-up unless
 *     the stored spec already says the same. Specs declared over HTTP live alongside.
 */
@ConfigurationProperties("kloop.training")
@Validated
public record TrainingProperties(
    @DefaultValue(".kloop/artifacts") @NotNull Path artifactRoot,
    @DefaultValue("1") @Min(value = 1, message = "must be at least 1") int maxConcurrentRuns,
    @DefaultValue("42") long seed,
    @DefaultValue("30m") @NotNull(message = "must be more than 0 and at most 7d")
    @DurationMin(nanos = 0, inclusive = false, message = "must be more than 0 and at most 7d")
    @DurationMax(days = 7, message = "must be more than 0 and at most 7d") Duration runTimeout,
    @DefaultValue("64MB") @NotNull(message = "must be from 1KB to 1GB") DataSize maxImportSize,
    @DefaultValue("2") @Min(value = 1, message = "must be from 1 to 64") @Max(value = 64, message = "must be from 1 to 64")
    int maxConcurrentImports,
    @DefaultValue("4") @Min(value = 1, message = "must be from 1 to 1000") @Max(value = 1_000, message = "must be from 1 to 1000")
    int maxPendingImports,
    @DefaultValue("256") @Min(value = 2, message = "must be from 2 to 16384") @Max(value = 16_384, message = "must be from 2 to 16384")
    int textHashBuckets,
    Map<String, ConfiguredModel> models) {

  /** The most bytes an import's file may have. */
  public static final DataSize MAX_IMPORT_SIZE_LIMIT = DataSize.ofGigabytes(1);

  public TrainingProperties {
    models = models == null ? Map.of() : Map.copyOf(models);
  }

  @AssertTrue(message = "max-import-size must be from 1KB to 1GB")
  boolean isMaxImportSizeInRange() {
    return maxImportSize == null || (maxImportSize.toBytes() >= 1024 && maxImportSize.compareTo(MAX_IMPORT_SIZE_LIMIT) <= 0);
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
   * @param schedule a cron expression of six fields, in UTC, at whose firings training asks for a run (at most once a
   *     minute); default none
   * @param feedback whether the monitor publishes the model's predictions joined to their ground truth as records of
   *     its dataset; default true
   */
  public record ConfiguredModel(
      String dataset,
      @DefaultValue("logistic-regression") List<String> algorithms,
      Map<String, Map<String, List<String>>> grid,
      @DefaultValue("100") long minNewRows,
      @DefaultValue("all") String window,
      @DefaultValue("1m") Duration cooldown,
      String schedule,
      @DefaultValue("true") boolean feedback) {}
}
