package io.kloop.monitor;

import io.kloop.service.ReadySummary;
import io.kloop.service.ServiceApplications;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

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

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The service's application, configured from {@code monitor-service.yml}; the local platform runs it in-process. */
  public static SpringApplicationBuilder builder() {
    return ServiceApplications.builder(MonitorServiceApplication.class, NAME);
  }

  @Bean
  ReadySummary readySummary(MonitorProperties properties) {
    return () -> "windows: " + properties.window() + ", drift: " + properties.drift() + ", retraining: " + properties.retraining();
  }
}
