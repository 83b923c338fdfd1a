package io.kloop.inference;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the inference-service, under {@code kloop.inference}.
 *
 * @param artifactRoot Directory of the local artifact store the approved models are read from. Default {@code .kloop/artifacts}.
 * @param predictionLogBuffer Most prediction-log events held in memory while Kafka is slow or away; beyond it they are dropped and counted. Default {@code 10000}.
 * @param predictionLog Whether every prediction is logged to {@code mlops.inference.prediction-logged}. Default {@code true}; off only to measure its cost.
 * @param maxInstances Most instances in one request. Default {@code 1000}.
 */
@ConfigurationProperties("kloop.inference")
public record InferenceProperties(
    @DefaultValue(".kloop/artifacts") Path artifactRoot,
    @DefaultValue("10000") int predictionLogBuffer,
    @DefaultValue("true") boolean predictionLog,
    @DefaultValue("1000") int maxInstances) {}
