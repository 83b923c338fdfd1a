package io.kloop.inference;

import io.kloop.inference.artifacts.ModelArtifacts;
import io.kloop.service.ReadySummary;
import io.kloop.service.ServiceApplications;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Serves the approved model over HTTP with ONNX Runtime (Open Inference Protocol v2 and a named-feature JSON API), swaps models without dropping a request, and logs every prediction to Kafka without slowing the request.
 *
 * <p>Its configuration file is {@code inference-service.yml} (not {@code application.yml}), so that all five
 * services can run side by side in one JVM in the local platform.
 */
@SpringBootApplication
@EnableConfigurationProperties(InferenceProperties.class)
public class InferenceServiceApplication {

  /** Name of the service: its artifactId, {@code spring.application.name} and configuration file name. */
  public static final String NAME = "inference-service";

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The service's application, configured from {@code inference-service.yml}; the local platform runs it in-process. */
  public static SpringApplicationBuilder builder() {
    return ServiceApplications.builder(InferenceServiceApplication.class, NAME);
  }

  @Bean
  ReadySummary readySummary(InferenceProperties properties, ModelArtifacts artifacts) {
    return () -> "artifacts from " + artifacts.describe() + ", predictionLog=" + properties.predictionLog() + ", predictionLogBuffer="
        + properties.predictionLogBuffer();
  }
}
