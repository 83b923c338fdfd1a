package io.kloop.service.tracing;

import io.micrometer.observation.Observation;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The platform's spans, made with this application context's own OpenTelemetry SDK (never the JVM-global
 * one, so that five services in one JVM each report under their own {@code service.name}), and the W3C trace
 * context carried in Kafka record headers ({@code traceparent}, {@code tracestate}).
 *
 * <p>Where Spring does not trace for us (Kafka Streams processors, plain Kafka clients, work done later than
 * the record that asked for it), services start spans here: a span that continues a record's trace
 * ({@link #continueFrom}), a span that starts a trace of its own and links to the traces of what caused it
 * ({@link #linkedTo}), and the record headers of a span ({@link #inject}).
 *
 * <p>When tracing is off ({@link #OFF}, {@code kloop.tracing.enabled=false}) {@link #enabled()} is false and
 * every method is a cheap no-op: spans are OpenTelemetry's non-recording ones and no header is written.
 * Hot paths check {@link #enabled()} first and create nothing.
 */
public final class KloopTracing {

  /** The instrumentation scope of the platform's own spans. */
  public static final String SCOPE = "io.kloop";

  /** Tracing off: no spans, no headers. */
  public static final KloopTracing OFF = new KloopTracing(OpenTelemetry.noop(), false);

  private static final TextMapGetter<Headers> HEADER_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers headers) {
      List<String> keys = new ArrayList<>();
      for (Header header : headers) {
        keys.add(header.key());
      }
      return keys;
    }

    @Override
    public String get(Headers headers, String key) {
      if (headers == null) {
        return null;
      }
      Header header = headers.lastHeader(key);
      return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
  };

  private static final TextMapSetter<Headers> HEADER_SETTER = (headers, key, value) -> {
    if (headers != null) {
      headers.remove(key);
      headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
  };

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final boolean enabled;

  private KloopTracing(OpenTelemetry openTelemetry, boolean enabled) {
    this.tracer = openTelemetry.getTracer(SCOPE);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    this.enabled = enabled;
  }

  /** Spans of this application context's SDK. */
  /**
   * Runs {@code work} with {@code span} current, records an exception that escapes it on the span (status
   * ERROR) and rethrows it, and ends the span.
   */
  public static void within(Span span, Runnable work) {
    try (Scope scope = span.makeCurrent()) {
      work.run();
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      throw e;
    } finally {
      span.end();
    }
  }

  public static KloopTracing of(OpenTelemetry openTelemetry) {
    return new KloopTracing(openTelemetry, true);
  }

  /** Whether spans are made at all; false when tracing is off. */
  public boolean enabled() {
    return enabled;
  }

  /** A span builder of the platform's tracer, for spans the helpers below do not cover. */
  public SpanBuilder span(String name) {
    return tracer.spanBuilder(name);
  }

  /** The trace context a record's headers carry, or an invalid one when they carry none (or tracing is off). */
  public SpanContext remote(Headers headers) {
    if (!enabled || headers == null) {
      return SpanContext.getInvalid();
    }
    return Span.fromContext(propagator.extract(Context.root(), headers, HEADER_GETTER)).getSpanContext();
  }

  /**
   * A span continuing the trace of the record's headers (its parent is the span that produced the record),
   * or a new trace when the headers carry none. Started; the caller ends it.
   */
  public Span continueFrom(String name, SpanKind kind, Headers headers) {
    if (!enabled) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder(name).setSpanKind(kind)
        .setParent(propagator.extract(Context.root(), headers == null ? new RecordHeaders() : headers, HEADER_GETTER))
        .startSpan();
  }

  /**
   * The first span of a new trace, linked to the traces of what caused it (invalid contexts are skipped):
   * where one piece of work follows many earlier ones, or follows them much later (a training run after
   * batches, a decision after a training run). Started; the caller ends it.
   */
  public Span linkedTo(String name, SpanKind kind, List<SpanContext> causes) {
    if (!enabled) {
      return Span.getInvalid();
    }
    SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(kind).setNoParent();
    for (SpanContext cause : causes) {
      if (cause.isValid()) {
        builder.addLink(cause);
      }
    }
    return builder.startSpan();
  }

  /** Writes the span's trace context into record headers (replacing any earlier one); nothing when tracing is off. */
  public void inject(Span span, Headers headers) {
    if (enabled && span.getSpanContext().isValid()) {
      propagator.inject(Context.root().with(span), headers, HEADER_SETTER);
    }
  }

  /** Writes a trace context into record headers, e.g. one taken from a request and kept for later. */
  public void inject(SpanContext context, Headers headers) {
    inject(Span.wrap(context), headers);
  }

  /**
   * The span of a Micrometer observation (Spring's HTTP server request, say) as an OpenTelemetry parent,
   * or the root context when it has none. WebFlux keeps the request's observation in the Reactor context,
   * not in a thread local, so handlers pass it on explicitly.
   */
  public Context contextOf(Observation.ContextView observation) {
    if (!enabled || observation == null) {
      return Context.root();
    }
    TracingObservationHandler.TracingContext tracing = observation.get(TracingObservationHandler.TracingContext.class);
    if (tracing == null || tracing.getSpan() == null) {
      return Context.root();
    }
    TraceContext trace = tracing.getSpan().context();
    SpanContext parent = SpanContext.create(trace.traceId(), trace.spanId(),
        Boolean.TRUE.equals(trace.sampled()) ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
    return parent.isValid() ? Context.root().with(Span.wrap(parent)) : Context.root();
  }

  /**
   * Makes the observation's span the current parent on this thread until the scope closes (a no-op scope
   * when tracing is off or there is no observation).
   */
  public Scope enter(Observation.ContextView observation) {
    if (!enabled || observation == null) {
      return Scope.noop();
    }
    return contextOf(observation).makeCurrent();
  }
}
