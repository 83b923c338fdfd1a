package io.kloop.inference;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the inference-service, under {@code kloop.inference}.
 *
 * @param predictionLogBuffer Most prediction-log events held in memory while Kafka is slow or away; beyond it they are dropped and counted. Default {@code 10000}.
 */
@ConfigurationProperties("kloop.inference")
record InferenceProperties(@DefaultValue("10000") int predictionLogBuffer) {}
