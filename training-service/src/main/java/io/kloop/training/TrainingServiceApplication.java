package io.kloop.training;

import io.kloop.service.ReadySummary;
import io.kloop.service.ServiceApplications;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Trains a classifier (Tribuo) when enough new data has arrived or a retraining request comes in, evaluates it against the current champion on the same held-out split, records a reference profile of the training data, exports ONNX and announces `ModelTrained` (or `TrainingFailed`).
 *
 * <p>Its configuration file is {@code training-service.yml} (not {@code application.yml}), so that all five
 * services can run side by side in one JVM in the local platform.
 */
@SpringBootApplication
@EnableConfigurationProperties(TrainingProperties.class)
public class TrainingServiceApplication {

  /** Name of the service: its artifactId, {@code spring.application.name} and configuration file name. */
  public static final String NAME = "training-service";

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The service's application, configured from {@code training-service.yml}; the local platform runs it in-process. */
  public static SpringApplicationBuilder builder() {
    return ServiceApplications.builder(TrainingServiceApplication.class, NAME);
  }

  @Bean
  ReadySummary readySummary(TrainingProperties properties) {
    return () -> "artifactRoot=" + properties.artifactRoot();
  }
}
