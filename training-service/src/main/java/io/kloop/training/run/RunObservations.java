package io.kloop.training.run;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.EvaluationMetrics;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * What operators see of runs besides their records: a run's trace ({@code training run}), linked to the traces of
 * its causes, with a child span per phase; the count of runs by outcome ({@code kloop.training.runs}), their
 * duration ({@code kloop.training.run.duration}), each phase's duration ({@code kloop.training.phase}) and the
 * last successful run's test metrics ({@code kloop.training.test.metric}). Kept apart from {@link TrainingRunner}
 * so that the runner does the run and this class measures it.
 */
@Component
class RunObservations {

  /** A run over a long window links to its newest batches only (the SDK keeps 128 links by default). */
  private static final int MAX_LINKED_BATCHES = 100;

  private final MeterRegistry meters;
  private final KloopTracing tracing;
  private final CauseTraces causes;
  private final Map<String, Map<String, AtomicLong>> testMetrics = new ConcurrentHashMap<>();

  RunObservations(MeterRegistry meters, KloopTracing tracing, CauseTraces causes) {
    this.meters = meters;
    this.tracing = tracing;
    this.causes = causes;
  }

  /** Whether runs are traced. */
  boolean tracing() {
    return tracing.enabled();
  }

  /** A run's span, linked to the traces of the requests that asked for it. */
  Span runSpan(String model, List<String> triggers) {
    List<SpanContext> requests = new ArrayList<>();
    triggers.forEach(trigger -> requests.add(causes.get(trigger)));
    Span span = tracing.linkedTo("training run", SpanKind.INTERNAL, requests);
    span.setAttribute("kloop.model", model);
    span.setAttribute("kloop.run.trigger", String.join(",", triggers));
    return span;
  }

  /** Links the run's span to the traces of the newest batches it reads. */
  void linkBatches(Span run, List<DatasetBatchCommitted> window) {
    for (int i = Math.max(0, window.size() - MAX_LINKED_BATCHES); i < window.size() && run.isRecording(); i++) {
      SpanContext batch = causes.get(window.get(i).getBatchId());
      if (batch.isValid()) {
        run.addLink(batch);
      }
    }
  }

  /** A phase's span, a child of the run's; an invalid span when the run's is not recorded. */
  Span phaseSpan(Span run, String phase) {
    if (!run.isRecording()) {
      return Span.getInvalid();
    }
    return tracing.span("phase " + phase).setParent(Context.current().with(run)).setAttribute("kloop.phase", phase).startSpan();
  }

  void phaseFinished(String model, String phase, long millis) {
    Timer.builder("kloop.training.phase").description("Duration of each phase of a training run")
        .tag("model", model).tag("phase", phase).register(meters).record(Duration.ofMillis(millis));
  }

  /** Counts a run that ended with the outcome ({@code succeeded} or {@code failed}). */
  void counted(String model, String outcome) {
    meters.counter("kloop.training.runs", "model", model, "outcome", outcome).increment();
  }

  /** Times a run from its start ({@code begun}, by {@link System#nanoTime()}) to its announcement. */
  void runDuration(String model, String outcome, long begun) {
    Timer.builder("kloop.training.run.duration").description("Duration of a training run, from its start to its announcement")
        .tag("model", model).tag("outcome", outcome).register(meters).record(System.nanoTime() - begun, TimeUnit.NANOSECONDS);
  }

  /** The last successful run's metrics on its held-out test split, one gauge per metric. */
  void testMetrics(String model, EvaluationMetrics metrics) {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("accuracy", metrics.getAccuracy());
    values.put("macro_precision", metrics.getMacroPrecision());
    values.put("macro_recall", metrics.getMacroRecall());
    values.put("macro_f1", metrics.getMacroF1());
    values.put("roc_auc", metrics.getRocAuc() == null ? Double.NaN : metrics.getRocAuc());
    values.put("log_loss", metrics.getLogLoss() == null ? Double.NaN : metrics.getLogLoss());
    values.put("brier_score", metrics.getBrierScore() == null ? Double.NaN : metrics.getBrierScore());
    values.put("expected_calibration_error", metrics.getExpectedCalibrationError() == null ? Double.NaN : metrics.getExpectedCalibrationError());
    Map<String, AtomicLong> gauges = testMetrics.computeIfAbsent(model, m -> new ConcurrentHashMap<>());
    values.forEach((metric, value) -> gauges.computeIfAbsent(metric, name -> {
      AtomicLong bits = new AtomicLong();
      Gauge.builder("kloop.training.test.metric", bits, b -> Double.longBitsToDouble(b.get()))
          .description("The last successful run's metric on its held-out test split").tag("model", model).tag("metric", name).register(meters);
      return bits;
    }).set(Double.doubleToLongBits(value)));
  }
}
