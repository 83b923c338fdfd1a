package io.kloop.training;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the training-service, under {@code kloop.training}.
 *
 * @param artifactRoot Directory of the local artifact store: batch files are read from it, ONNX models written to it. Default {@code .kloop/artifacts}.
 */
@ConfigurationProperties("kloop.training")
record TrainingProperties(@DefaultValue(".kloop/artifacts") java.nio.file.Path artifactRoot) {}
