package io.kloop.monitor.performance;

import io.kloop.events.ConfusionMatrix;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.events.RealizedPerformance;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last reported windows of each model version as gauges, tagged {@code model} and {@code version}:
 * <ul>
 *   <li>{@code kloop.monitor.performance.accuracy} and {@code kloop.monitor.performance.macro.f1}, also tagged
 *       {@code source} ({@code realized}: the last window of labelled predictions; {@code estimated}: CBPE on the last
 *       window of served predictions);</li>
 *   <li>{@code kloop.monitor.performance.log.loss}, {@code kloop.monitor.performance.brier.score} and
 *       {@code kloop.monitor.performance.calibration.error} (expected calibration error), realized, of the last labelled
 *       window;</li>
 *   <li>{@code kloop.monitor.performance.confusion}, also tagged {@code actual} and {@code predicted} (class labels):
 *       the last labelled window's confusion matrix, for models of at most {@value #MAX_CONFUSION_CLASSES} classes (k²
 *       series per version; larger matrices are only in the reports);</li>
 *   <li>{@code kloop.monitor.performance.labelled.windows}, the labelled windows reported so far (by window number, so
 *       it survives a restart with the next window).</li>
 * </ul>
 * Once a version reports a window of served predictions, the gauges of the model's older versions are removed: served
 * in order, the newer version took over (as the older one's served window closed), and the older one's figures would
 * otherwise stay on the dashboards for ever. A late labelled window of an older version shows again until the newer
 * version's next served window.
 *
 * <p>One instance serves every task of the processor, so its methods are synchronized (called once per window).
 */
public final class PerformanceGauges {

  /** Models of more classes have no confusion gauges. */
  static final int MAX_CONFUSION_CLASSES = 20;

  private final MeterRegistry meters;
  /** Per model, per version: each gauge registered, by name and tags, and the value it reads. */
  private final Map<String, Map<Integer, Map<Key, Registered>>> gauges = new HashMap<>();

  private record Key(String name, Tags tags) {}

  private record Registered(Gauge gauge, AtomicLong bits) {}

  public PerformanceGauges(MeterRegistry meters) {
    this.meters = meters;
  }

  synchronized void record(PerformanceReported report) {
    String model = report.getModel();
    int version = report.getVersion();
    Tags tags = Tags.of("model", model, "version", String.valueOf(version));
    if (report.getKind() == PerformanceWindowKind.LABELLED && report.getRealized() != null) {
      RealizedPerformance realized = report.getRealized();
      Tags source = tags.and("source", "realized");
      set(model, version, "kloop.monitor.performance.accuracy", source, realized.getAccuracy().getValue(), "Last window: accuracy");
      set(model, version, "kloop.monitor.performance.macro.f1", source, realized.getMacroF1().getValue(), "Last window: macro F1");
      set(model, version, "kloop.monitor.performance.log.loss", tags, realized.getLogLoss().getValue(), "Last labelled window: log loss");
      set(model, version, "kloop.monitor.performance.brier.score", tags, realized.getBrierScore().getValue(), "Last labelled window: Brier score");
      set(model, version, "kloop.monitor.performance.calibration.error", tags, realized.getExpectedCalibrationError().getValue(),
          "Last labelled window: expected calibration error");
      confusion(model, version, tags, realized.getConfusionMatrix());
      set(model, version, "kloop.monitor.performance.labelled.windows", tags, report.getWindow().getSequence() + 1, "Windows of labelled predictions reported");
    }
    if (report.getKind() == PerformanceWindowKind.PREDICTED) {
      retireOlderThan(model, version);
      if (report.getEstimated() != null) {
        Tags estimated = tags.and("source", "estimated");
        set(model, version, "kloop.monitor.performance.accuracy", estimated, report.getEstimated().getAccuracy().getValue(), "Last window: accuracy");
        set(model, version, "kloop.monitor.performance.macro.f1", estimated, report.getEstimated().getMacroF1().getValue(), "Last window: macro F1");
      }
    }
  }

  private void confusion(String model, int version, Tags tags, ConfusionMatrix matrix) {
    List<String> labels = matrix.getLabels();
    if (labels.size() > MAX_CONFUSION_CLASSES) {
      return;
    }
    for (int actual = 0; actual < labels.size(); actual++) {
      for (int predicted = 0; predicted < labels.size(); predicted++) {
        set(model, version, "kloop.monitor.performance.confusion", tags.and("actual", labels.get(actual), "predicted", labels.get(predicted)),
            matrix.getCounts().get(actual).get(predicted), "Last labelled window: predictions of an actual class served as a class");
      }
    }
  }

  /** Removes the gauges of the model's versions older than {@code version}. */
  private void retireOlderThan(String model, int version) {
    Map<Integer, Map<Key, Registered>> versions = gauges.get(model);
    if (versions == null) {
      return;
    }
    for (Integer old : new TreeMap<>(versions).headMap(version).keySet()) {
      versions.remove(old).values().forEach(registered -> meters.remove(registered.gauge()));
    }
  }

  private void set(String model, int version, String name, Tags tags, double value, String description) {
    gauges.computeIfAbsent(model, m -> new HashMap<>()).computeIfAbsent(version, v -> new HashMap<>()).computeIfAbsent(new Key(name, tags), key -> {
      AtomicLong bits = new AtomicLong();
      return new Registered(Gauge.builder(name, bits, b -> Double.longBitsToDouble(b.get())).description(description).tags(tags).register(meters), bits);
    }).bits().set(Double.doubleToLongBits(value));
  }
}
