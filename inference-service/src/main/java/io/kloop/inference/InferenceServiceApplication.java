package io.kloop.inference;

import io.kloop.inference.artifacts.ModelArtifacts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;

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

  private static final Logger log = LoggerFactory.getLogger(InferenceServiceApplication.class);

  private final InferenceProperties properties;

  InferenceServiceApplication(InferenceProperties properties) {
    this.properties = properties;
  }

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The service's application, configured from {@code inference-service.yml}; the local platform runs it in-process. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(InferenceServiceApplication.class).properties("spring.config.name=" + NAME);
  }

  @EventListener
  void ready(ApplicationReadyEvent event) {
    ConfigurableApplicationContext context = event.getApplicationContext();
    log.info("{} ready on port {} (artifacts from {}, predictionLog={}, predictionLogBuffer={})", NAME,
        context.getEnvironment().getProperty("local.server.port"), context.getBean(ModelArtifacts.class).describe(), properties.predictionLog(),
        properties.predictionLogBuffer());
  }
}
