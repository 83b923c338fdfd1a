package io.kloop.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The tests' reading of environment variables is Spring Boot's: for every variable the deployment files give
 * a service, the property it is taken to set is the property Spring Boot's own environment property source
 * finds it under.
 */
class EnvironmentBindingTest {

  @Test
  void shouldBindTheFormsSpringBootAcceptsAndNothingElse() {
    assertThat(EnvironmentBinding.bind("SPRING_KAFKA_BOOTSTRAP_SERVERS", "spring.kafka.bootstrap-servers"))
        .contains("spring.kafka.bootstrap-servers");
    assertThat(EnvironmentBinding.bind("SPRING_KAFKA_BOOTSTRAPSERVERS", "spring.kafka.bootstrap-servers"))
        .contains("spring.kafka.bootstrap-servers");
    assertThat(EnvironmentBinding.bind("KLOOP_REGISTRY_ACCESS_OPERATORS_ALICE", "kloop.registry.access.operators.*"))
        .contains("kloop.registry.access.operators.alice");
    assertThat(EnvironmentBinding.bind("SPRING_KAFKA_BOOTSTRAP", "spring.kafka.bootstrap-servers")).isEmpty();
    assertThat(EnvironmentBinding.bind("KLOOP_INGEST_ARTIFACTS_ROOT", "kloop.ingest.artifact-root")).isEmpty();
    assertThat(EnvironmentBinding.bind("KLOOP_REGISTRY_ACCESS_OPERATORS", "kloop.registry.access.operators.*")).isEmpty();
  }

  @Test
  void shouldRefuseAVariableNoPropertyOfTheServiceTakes() {
    PlatformService monitor = PlatformService.of("monitor-service");
    Map<String, String> environment = Map.of(
        "SERVER_PORT", "8085",
        "KLOOP_MONITOR_ARTIFACT_ROOT", "/var/lib/kloop/artifacts",
        "KLOOP_MONITOR_WINDOW_SIZE", "500",
        "OTEL_SERVICE_NAME", "monitor-service");

    assertThat(EnvironmentBinding.unknown(environment, monitor)).containsExactly("KLOOP_MONITOR_ARTIFACT_ROOT");
  }

  @Test
  void shouldAgreeWithSpringBootOnEveryVariableTheDeploymentFilesSet() {
    Map<String, Set<String>> checked = new LinkedHashMap<>();
    for (PlatformService service : PlatformService.all()) {
      Map<String, String> environments = new LinkedHashMap<>(new ComposeFile().environment(service.name()));
      for (String kustomization : Workloads.KUSTOMIZATIONS) {
        var resources = Kustomization.of(kustomization).build();
        environments.putAll(Workloads.environment(resources, Workloads.deployment(resources, service.name())));
      }
      for (String variable : environments.keySet()) {
        EnvironmentBinding.binding(variable, service.properties()).ifPresent(binding -> {
          assertThat(springBootFinds(variable, binding.property()))
              .as("Spring Boot binds %s to %s (%s)", variable, binding.property(), service.name())
              .isTrue();
          checked.computeIfAbsent(service.name(), k -> new TreeSet<>()).add(variable);
        });
      }
    }
    assertThat(checked).as("variables checked per service").hasSize(PlatformService.all().size());
  }

  private static boolean springBootFinds(String variable, String property) {
    SystemEnvironmentPropertySource environment = new SystemEnvironmentPropertySource(
        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.<String, Object>of(variable, "value"));
    return ConfigurationPropertySource.from(environment).getConfigurationProperty(ConfigurationPropertyName.of(property)) != null;
  }
}
