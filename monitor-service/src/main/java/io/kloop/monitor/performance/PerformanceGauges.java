package io.kloop.monitor.performance;

import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last reported windows of each model version as gauges: {@code kloop.monitor.performance.accuracy} and
 * {@code kloop.monitor.performance.macro.f1}, tagged {@code model}, {@code version} and {@code source}
 * ({@code realized}: the last window of labelled predictions; {@code estimated}: CBPE on the last window of served
 * predictions), and {@code kloop.monitor.performance.labelled.windows{model, version}}, the labelled windows
 * reported so far (by window number, so it survives a restart with the next window).
 */
public final class PerformanceGauges {

  private final MeterRegistry meters;
  private final Map<Tags, Map<String, AtomicLong>> values = new ConcurrentHashMap<>();

  public PerformanceGauges(MeterRegistry meters) {
    this.meters = meters;
  }

  void record(PerformanceReported report) {
    Tags tags = Tags.of("model", report.getModel(), "version", String.valueOf(report.getVersion()));
    if (report.getKind() == PerformanceWindowKind.LABELLED && report.getRealized() != null) {
      Tags realized = tags.and("source", "realized");
      set("kloop.monitor.performance.accuracy", realized, report.getRealized().getAccuracy().getValue(), "Last window: accuracy");
      set("kloop.monitor.performance.macro.f1", realized, report.getRealized().getMacroF1().getValue(), "Last window: macro F1");
      set("kloop.monitor.performance.labelled.windows", tags, report.getWindow().getSequence() + 1, "Windows of labelled predictions reported");
    }
    if (report.getKind() == PerformanceWindowKind.PREDICTED && report.getEstimated() != null) {
      Tags estimated = tags.and("source", "estimated");
      set("kloop.monitor.performance.accuracy", estimated, report.getEstimated().getAccuracy().getValue(), "Last window: accuracy");
      set("kloop.monitor.performance.macro.f1", estimated, report.getEstimated().getMacroF1().getValue(), "Last window: macro F1");
    }
  }

  private void set(String name, Tags tags, double value, String description) {
    values.computeIfAbsent(tags, t -> new ConcurrentHashMap<>()).computeIfAbsent(name, n -> {
      AtomicLong bits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
      Gauge.builder(name, bits, b -> Double.longBitsToDouble(b.get())).description(description).tags(tags).register(meters);
      return bits;
    }).set(Double.doubleToLongBits(value));
  }
}
