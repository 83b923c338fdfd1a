package io.kloop.inference;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the inference-service, under {@code kloop.inference}.
 *
 * @param artifactRoot Directory of the local artifact store the approved models are read from, shared with training and the registry; with {@code registryUrl} set, the cache the models downloaded from the registry are kept in. Default {@code .kloop/artifacts}.
 * @param predictionLogBuffer Most prediction-log events held in memory while Kafka is slow or away; beyond it they are dropped and counted. Default {@code 10000}.
 * @param predictionLog Whether every prediction is logged to {@code mlops.inference.prediction-logged}. Default {@code true}; off only to measure its cost.
 * @param predictionLogCompression Compression of the prediction log's producer batches ({@code none}, {@code lz4}, {@code snappy}, {@code zstd}, {@code gzip}). Default {@code none} (Kafka's default): see the README.
 * @param maxInstances Most instances in one request. Default {@code 1000}.
 * @param registryUrl Base URL of the registry, e.g. {@code http://registry-service:8083}: when set, approved models are downloaded from it ({@code GET /v1/models/{name}/versions/{v}/artifact}) into {@code artifactRoot} instead of being read from a shared artifact store. Unset by default.
 * @param registryTimeout Most time one download from the registry may take, from connecting to the last byte. Default {@code 30s}.
 * @param registryRetryMaxDelay Longest wait between two attempts at a download that failed (the first after 1 s, then twice as long each time). Default {@code 1m}.
 * @param explanationEvaluations Most model evaluations spent on one approximate explanation (a model that does not declare additive scores, e.g. an imported tree ensemble, explained with Shapley values: model-support's {@code KernelShap}): the row, the background rows and every coalition tried times every background row. Default {@code 2048}.
 * @param explanationBackground Background rows of approximate explanations, drawn once per loaded version from its reference profile (fewer when the budget needs it). Default {@code 16}.
 * @param maxApproximateExplanations Most instances of one request that may be explained approximately (their evaluations go to ONNX Runtime in calls of at most 16 MB of input, 128 MB per request: model-support's {@code KernelShap}). Default {@code 16}.
 */
@ConfigurationProperties("kloop.inference")
@Validated
public record InferenceProperties(
    @DefaultValue(".kloop/artifacts") @NotNull Path artifactRoot,
    @DefaultValue("10000") @Min(value = 1, message = "must be at least 1") int predictionLogBuffer,
    @DefaultValue("true") boolean predictionLog,
    @DefaultValue("none") @NotNull @Pattern(regexp = "none|lz4|snappy|zstd|gzip", message = "must be none, lz4, snappy, zstd or gzip")
    String predictionLogCompression,
    @DefaultValue("1000") @Min(value = 1, message = "must be at least 1") int maxInstances,
    URI registryUrl,
    @DefaultValue("30s") @NotNull @DurationMin(nanos = 0, inclusive = false, message = "must be positive") Duration registryTimeout,
    @DefaultValue("1m") @NotNull @DurationMin(nanos = 0, inclusive = false, message = "must be positive") Duration registryRetryMaxDelay,
    @DefaultValue("2048") @Min(value = 64, message = "must be at least 64") @Max(value = 65_536, message = "must be at most 65536")
    int explanationEvaluations,
    @DefaultValue("16") @Min(value = 1, message = "must be at least 1") @Max(value = 1024, message = "must be at most 1024") int explanationBackground,
    @DefaultValue("16") @Min(value = 1, message = "must be at least 1") @Max(value = 1000, message = "must be at most 1000")
    int maxApproximateExplanations) {}
