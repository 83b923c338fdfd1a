package io.kloop.training.run;

import io.opentelemetry.api.trace.SpanContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The trace context that came with each cause of a run: a committed batch (by batch id) or a retraining
 * request (by event id), as their records' headers carried it. A run's span links to the traces of its
 * causes, so an operator can follow a model's life from the batches it learnt from. Held only while
 * tracing is on; one entry per batch, like the batches themselves in {@code TrainingState}.
 */
@Component
public class CauseTraces {

  private final Map<String, SpanContext> traces = new ConcurrentHashMap<>();

  /** Keeps a cause's trace context (invalid ones are not kept). */
  public void put(String id, SpanContext trace) {
    if (trace.isValid()) {
      traces.putIfAbsent(id, trace);
    }
  }

  /** A cause's trace context, or an invalid one. */
  SpanContext get(String id) {
    return traces.getOrDefault(id, SpanContext.getInvalid());
  }
}
