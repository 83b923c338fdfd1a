package io.kloop.monitor.window;

import io.kloop.events.DriftReported;
import io.kloop.events.DriftStatistic;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last judged window of each model as gauges: per model, feature (or the output) and statistic
 * ({@code psi}, {@code kolmogorov_smirnov}, {@code chi_square}, {@code jensen_shannon}) the statistic's
 * value ({@code kloop.monitor.drift.statistic}), its p-value where the test has one
 * ({@code kloop.monitor.drift.p.value}) and whether it crossed its threshold
 * ({@code kloop.monitor.drift.drifted}, 1 or 0); per model the share of drifted features
 * ({@code kloop.monitor.drift.drifted.share}), whether the window drifted ({@code kloop.monitor.drift.drifting})
 * and the version judged ({@code kloop.monitor.drift.version}).
 */
final class DriftGauges {

  private final MeterRegistry meters;
  private final Map<Tags, Map<String, AtomicLong>> values = new ConcurrentHashMap<>();

  DriftGauges(MeterRegistry meters) {
    this.meters = meters;
  }

  void record(DriftReported report) {
    Tags model = Tags.of("model", report.getModel());
    for (DriftStatistic statistic : report.getFeatures()) {
      Tags tags = model.and("feature", statistic.getFeature(), "statistic", statistic.getTest().name().toLowerCase(Locale.ROOT));
      set("kloop.monitor.drift.statistic", tags, statistic.getStatistic(), "Last judged window: the drift statistic of a feature");
      set("kloop.monitor.drift.drifted", tags, statistic.getDrifted() ? 1 : 0, "Last judged window: 1 when the statistic crossed its threshold");
      if (statistic.getPValue() != null) {
        set("kloop.monitor.drift.p.value", tags, statistic.getPValue(), "Last judged window: the p-value of a feature's test");
      }
    }
    set("kloop.monitor.drift.drifted.share", model, report.getDriftedShare(), "Last judged window: share of features that drifted");
    set("kloop.monitor.drift.drifting", model, report.getDrifting() ? 1 : 0, "Last judged window: 1 when the model was drifting");
    set("kloop.monitor.drift.version", model, report.getVersion(), "Last judged window: the model version judged");
  }

  private void set(String name, Tags tags, double value, String description) {
    values.computeIfAbsent(tags, t -> new ConcurrentHashMap<>()).computeIfAbsent(name, n -> {
      AtomicLong bits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
      Gauge.builder(name, bits, b -> Double.longBitsToDouble(b.get())).description(description).tags(tags).register(meters);
      return bits;
    }).set(Double.doubleToLongBits(value));
  }
}
