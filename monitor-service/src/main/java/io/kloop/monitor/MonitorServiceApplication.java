package io.kloop.monitor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;

/**
 * Consumes the prediction log, measures drift per feature and on the output in windows against the serving version's reference profile, and emits drift reports, `DriftDetected` and `RetrainingRequested`.
 *
 * <p>Its configuration file is {@code monitor-service.yml} (not {@code application.yml}), so that all five
 * services can run side by side in one JVM in the local platform.
 */
@SpringBootApplication
@EnableConfigurationProperties(MonitorProperties.class)
public class MonitorServiceApplication {

  /** Name of the service: its artifactId, {@code spring.application.name} and configuration file name. */
  public static final String NAME = "monitor-service";

  private static final Logger log = LoggerFactory.getLogger(MonitorServiceApplication.class);

  private final MonitorProperties properties;

  MonitorServiceApplication(MonitorProperties properties) {
    this.properties = properties;
  }

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The service's application, configured from {@code monitor-service.yml}; the local platform runs it in-process. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(MonitorServiceApplication.class).properties("spring.config.name=" + NAME);
  }

  @EventListener
  void ready(ApplicationReadyEvent event) {
    ConfigurableApplicationContext context = event.getApplicationContext();
    log.info("{} ready on port {} (windows: {}, drift: {}, retraining: {})", NAME, context.getEnvironment().getProperty("local.server.port"),
        properties.window(), properties.drift(), properties.retraining());
  }
}
