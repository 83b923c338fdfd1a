package io.kloop.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** How the one tracing choice (the exporter) turns into Spring Boot's switches. */
class TracingDefaultsTest {

  private static Map<String, Object> tracing(MockEnvironment environment) {
    Map<String, Object> defaults = new LinkedHashMap<>();
    PlatformDefaults.tracing(environment, defaults);
    return defaults;
  }

  @Test
  void shouldLeaveTracingOffWithoutExporterOrEndpoint() {
    Map<String, Object> defaults = tracing(new MockEnvironment());
    assertThat(defaults).containsEntry("kloop.tracing.exporter", "none").containsEntry("kloop.tracing.enabled", false)
        .containsEntry("management.opentelemetry.enabled", false).containsEntry("management.tracing.export.otlp.enabled", false)
        .containsEntry("spring.kafka.template.observation-enabled", false).containsEntry("spring.kafka.listener.observation-enabled", false);
  }

  @Test
  void shouldExportOverOtlpWhenTheStandardEndpointVariableIsSet() {
    Map<String, Object> defaults = tracing(new MockEnvironment().withProperty("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"));
    assertThat(defaults).containsEntry("kloop.tracing.exporter", "otlp").containsEntry("kloop.tracing.enabled", true)
        .containsEntry("management.tracing.export.otlp.enabled", true).containsEntry("spring.kafka.template.observation-enabled", true)
        .containsEntry("spring.kafka.listener.observation-enabled", true).containsEntry("management.tracing.sampling.probability", "1.0")
        .doesNotContainKey("management.opentelemetry.tracing.export.otlp.endpoint");
  }

  @Test
  void shouldLogSpansWithoutOtlpWhenTheExporterIsLogging() {
    Map<String, Object> defaults = tracing(new MockEnvironment().withProperty("OTEL_TRACES_EXPORTER", "logging"));
    assertThat(defaults).containsEntry("kloop.tracing.exporter", "logging").containsEntry("kloop.tracing.enabled", true)
        .containsEntry("management.tracing.export.otlp.enabled", false);
  }

  @Test
  void shouldDefaultTheOtlpEndpointToThisHostLikeTheSdk() {
    Map<String, Object> defaults = tracing(new MockEnvironment().withProperty("OTEL_TRACES_EXPORTER", "otlp"));
    assertThat(defaults).containsEntry("management.opentelemetry.tracing.export.otlp.endpoint", "http://localhost:4318/v1/traces");
  }

  @Test
  void shouldLetTheSpringPropertyChooseOverTheEnvironmentVariable() {
    Map<String, Object> defaults = tracing(new MockEnvironment().withProperty("OTEL_TRACES_EXPORTER", "otlp")
        .withProperty("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318").withProperty("kloop.tracing.exporter", "none"));
    assertThat(defaults).containsEntry("kloop.tracing.enabled", false).containsEntry("management.tracing.export.otlp.enabled", false);
  }

  @Test
  void shouldTraceWithoutExporterWhenAskedTo() {
    Map<String, Object> defaults = tracing(new MockEnvironment().withProperty("kloop.tracing.enabled", "true"));
    assertThat(defaults).containsEntry("kloop.tracing.exporter", "none").containsEntry("kloop.tracing.enabled", true)
        .containsEntry("management.opentelemetry.enabled", true).containsEntry("management.tracing.export.otlp.enabled", false);
  }
}
