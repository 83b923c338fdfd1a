package io.kloop.training;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;

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

  private static final Logger log = LoggerFactory.getLogger(TrainingServiceApplication.class);

  private final TrainingProperties properties;

  TrainingServiceApplication(TrainingProperties properties) {
    this.properties = properties;
  }

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The service's application, configured from {@code training-service.yml}; the local platform runs it in-process. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(TrainingServiceApplication.class).properties("spring.config.name=" + NAME);
  }

  @EventListener
  void ready(ApplicationReadyEvent event) {
    ConfigurableApplicationContext context = event.getApplicationContext();
    log.info("{} ready on port {} (artifactRoot={})", NAME, context.getEnvironment().getProperty("local.server.port"),
        properties.artifactRoot());
  }
}
