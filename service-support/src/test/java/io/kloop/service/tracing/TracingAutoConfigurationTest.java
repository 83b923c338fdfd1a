package io.kloop.service.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.tracing.Tracer;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.NoopTracerAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The tracing wiring of a service: off by default, on with its own SDK and service name, the logging exporter on request. */
class TracingAutoConfigurationTest {

  private final ApplicationContextRunner contexts = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
      TracingAutoConfiguration.class, OpenTelemetrySdkAutoConfiguration.class, OpenTelemetryTracingAutoConfiguration.class,
      NoopTracerAutoConfiguration.class, MicrometerTracingAutoConfiguration.class, ObservationAutoConfiguration.class));

  @Test
  void shouldMakeNoSpansWhenTracingIsOff() {
    contexts.run(context -> {
      assertThat(context.getBean(Tracer.class)).isSameAs(Tracer.NOOP);
      KloopTracing tracing = context.getBean(KloopTracing.class);
      assertThat(tracing.enabled()).isFalse();
      RecordHeaders headers = new RecordHeaders();
      tracing.inject(tracing.linkedTo("nothing", SpanKind.INTERNAL, List.of()), headers);
      assertThat(headers.toArray()).isEmpty();
    });
  }

  @Test
  void shouldTraceWithEachContextsOwnServiceNameAndCarryTheContextInRecordHeaders() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    ApplicationContextRunner traced = contexts.withPropertyValues("kloop.tracing.enabled=true", "management.tracing.sampling.probability=1.0")
        .withBean(SpanProcessor.class, () -> SimpleSpanProcessor.create(spans));
    traced.withPropertyValues("spring.application.name=first-service").run(first ->
        traced.withPropertyValues("spring.application.name=second-service").run(second -> {
          assertThat(first.getBean(Tracer.class)).isNotSameAs(Tracer.NOOP);
          KloopTracing producer = first.getBean(KloopTracing.class);
          KloopTracing consumer = second.getBean(KloopTracing.class);
          Span sent = producer.linkedTo("send", SpanKind.PRODUCER, List.of());
          RecordHeaders headers = new RecordHeaders();
          producer.inject(sent, headers);
          sent.end();
          assertThat(headers.lastHeader("traceparent")).isNotNull();
          Span received = consumer.continueFrom("process", SpanKind.CONSUMER, headers);
          received.end();
          SpanContext remote = consumer.remote(headers);
          assertThat(remote.getSpanId()).isEqualTo(sent.getSpanContext().getSpanId());

          List<SpanData> finished = spans.getFinishedSpanItems();
          assertThat(finished).extracting(s -> s.getResource().getAttribute(AttributeKey.stringKey("service.name")))
              .containsExactly("first-service", "second-service");
          assertThat(finished.get(1).getParentSpanId()).isEqualTo(finished.get(0).getSpanId());
          assertThat(finished.get(1).getTraceId()).isEqualTo(finished.get(0).getTraceId());
        }));
    // Each context keeps its SDK to itself: nothing was made the JVM-global OpenTelemetry.
    assertThat(GlobalOpenTelemetry.get().getTracerProvider().get("probe").spanBuilder("probe").startSpan().getSpanContext().isValid()).isFalse();
  }

  @Test
  void shouldAlsoLogSpansWhenTheExporterIsLogging() {
    contexts.withPropertyValues("kloop.tracing.enabled=true", "kloop.tracing.exporter=logging")
        .run(context -> assertThat(context).hasSingleBean(LoggingSpanExporter.class));
    contexts.withPropertyValues("kloop.tracing.enabled=true", "kloop.tracing.exporter=otlp")
        .run(context -> assertThat(context).doesNotHaveBean(LoggingSpanExporter.class));
  }
}
