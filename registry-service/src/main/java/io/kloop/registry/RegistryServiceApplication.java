package io.kloop.registry;

import io.kloop.registry.policy.PromotionPolicies;
import io.kloop.service.artifacts.LocalArtifactStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/**
 * Keeps every model version with metrics and lineage, applies the promotion policy (or waits for a human), serves artifacts, and announces `ModelApproved`, `ModelRejected` and `ModelRolledBack`.
 *
 * <p>Its configuration file is {@code registry-service.yml} (not {@code application.yml}), so that all five
 * services can run side by side in one JVM in the local platform.
 */
@SpringBootApplication
@EnableConfigurationProperties(RegistryProperties.class)
public class RegistryServiceApplication {

  /** Name of the service: its artifactId, {@code spring.application.name} and configuration file name. */
  public static final String NAME = "registry-service";

  private static final Logger log = LoggerFactory.getLogger(RegistryServiceApplication.class);

  private final RegistryProperties properties;

  RegistryServiceApplication(RegistryProperties properties) {
    this.properties = properties;
  }

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The service's application, configured from {@code registry-service.yml}; the local platform runs it in-process. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(RegistryServiceApplication.class).properties("spring.config.name=" + NAME);
  }

  @Bean
  LocalArtifactStore artifactStore() {
    return new LocalArtifactStore(properties.artifactRoot());
  }

  @Bean
  PromotionPolicies promotionPolicies() {
    return new PromotionPolicies(properties.promotion());
  }

  @EventListener
  void ready(ApplicationReadyEvent event) {
    ConfigurableApplicationContext context = event.getApplicationContext();
    log.info("{} ready on port {} (artifactRoot={}, operators={}, open reads={}); promotion policy: {}", NAME,
        context.getEnvironment().getProperty("local.server.port"), properties.artifactRoot(),
        properties.access().operators().keySet(), properties.access().openReads(), context.getBean(PromotionPolicies.class).describe());
  }
}
