package io.kloop.service.tracing;

import io.micrometer.observation.ObservationPredicate;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import java.util.Arrays;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.tracing.autoconfigure.NoopTracerAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * Tracing of every service, on Spring Boot's OpenTelemetry SDK (one per application context, with the
 * service's own {@code service.name}; nothing is registered as the JVM-global OpenTelemetry). HTTP server
 * requests and Spring Kafka's templates and listeners are traced by Spring (Micrometer Observation bridged
 * to OpenTelemetry); the platform's own spans and the Kafka Streams and plain-client records go through
 * {@link KloopTracing}.
 *
 * <p>{@code kloop.tracing.enabled} decides (its default follows the exporter, see {@code PlatformDefaults}):
 * when off, Micrometer's no-op tracer and propagator stand in, so no span is made anywhere and no trace
 * header written. {@code kloop.tracing.exporter} may include {@code logging}: spans are then also written to
 * the log. Probes and scrapes ({@code /actuator/**}) are never observed.
 */
@AutoConfiguration(before = {OpenTelemetryTracingAutoConfiguration.class, NoopTracerAutoConfiguration.class})
public class TracingAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  KloopTracing kloopTracing(ObjectProvider<OpenTelemetry> openTelemetry,
      @Value("${kloop.tracing.enabled:false}") boolean enabled) {
    OpenTelemetry sdk = enabled ? openTelemetry.getIfAvailable() : null;
    return sdk == null ? KloopTracing.OFF : KloopTracing.of(sdk);
  }

  /** Health probes and metric scrapes would otherwise make a trace every few seconds. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.http.server.reactive.observation.ServerRequestObservationContext")
  static class WebRequests {

    @Bean
    ObservationPredicate skipActuatorRequests() {
      return (name, context) -> !(context instanceof ServerRequestObservationContext request
          && request.getCarrier().getPath().value().startsWith("/actuator"));
    }
  }

  /** Tracing off: nothing observed makes a span, nothing sent carries a trace header. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty(name = "kloop.tracing.enabled", havingValue = false, matchIfMissing = true)
  static class TracingOff {

    @Bean
    Tracer noopTracer() {
      return Tracer.NOOP;
    }

    @Bean
    Propagator noopPropagator() {
      return Propagator.NOOP;
    }
  }

  /** {@code kloop.tracing.exporter=logging} (or {@code OTEL_TRACES_EXPORTER=logging}): spans written to the log too. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty("kloop.tracing.enabled")
  @Conditional(LoggingExporterCondition.class)
  static class LoggingExport {

    @Bean
    LoggingSpanExporter loggingSpanExporter() {
      return LoggingSpanExporter.create();
    }
  }

  static class LoggingExporterCondition implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      String exporters = context.getEnvironment().getProperty("kloop.tracing.exporter", "");
      return Arrays.stream(exporters.split(",")).map(String::trim).anyMatch(e -> e.equals("logging") || e.equals("console"));
    }
  }
}
