package io.kloop.registry;

import io.kloop.registry.policy.PromotionPolicies;
import io.kloop.service.ReadySummary;
import io.kloop.service.ServiceApplications;
import io.kloop.service.artifacts.LocalArtifactStore;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

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

  private final RegistryProperties properties;

  RegistryServiceApplication(RegistryProperties properties) {
    this.properties = properties;
  }

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The service's application, configured from {@code registry-service.yml}; the local platform runs it in-process. */
  public static SpringApplicationBuilder builder() {
    return ServiceApplications.builder(RegistryServiceApplication.class, NAME);
  }

  @Bean
  LocalArtifactStore artifactStore() {
    return new LocalArtifactStore(properties.artifactRoot());
  }

  @Bean
  PromotionPolicies promotionPolicies() {
    return new PromotionPolicies(properties.promotion());
  }

  @Bean
  ReadySummary readySummary(PromotionPolicies policies) {
    return () -> "artifactRoot=" + properties.artifactRoot() + ", operators=" + properties.access().operators().keySet() + ", open reads="
        + properties.access().openReads() + "; promotion policy: " + policies.describe();
  }
}
