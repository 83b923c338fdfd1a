package io.kloop.monitor.truth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The join's counters: labels by outcome ({@code kloop.monitor.ground-truth{outcome}}), predictions by what became
 * of them ({@code kloop.monitor.ground-truth.predictions{outcome}}: waiting, joined, repeated, too-old, expired,
 * invalid (an id no label can name, dead-lettered by the join)),
 * labels that waited for their prediction ({@code kloop.monitor.ground-truth.early}), predictions kept without their
 * inputs ({@code kloop.monitor.ground-truth.inputs.dropped}) and feedback records
 * ({@code kloop.monitor.ground-truth.feedback{outcome}}: published, off, no-spec, inputs-not-kept).
 */
final class TruthMeters {

  private final MeterRegistry registry;
  private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
  private final Map<String, Counter> others = new ConcurrentHashMap<>();

  TruthMeters(MeterRegistry registry) {
    this.registry = registry;
    for (Outcome outcome : Outcome.values()) {
      outcomes.put(outcome, registry.counter("kloop.monitor.ground-truth", "outcome", outcome.tag()));
    }
  }

  void outcome(Outcome outcome) {
    outcomes.get(outcome).increment();
  }

  void prediction(GroundTruthJoin.Fate fate, boolean inputsDropped) {
    count("kloop.monitor.ground-truth.predictions", fate.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    if (inputsDropped) {
      count("kloop.monitor.ground-truth.inputs.dropped", null);
    }
  }

  void expired() {
    count("kloop.monitor.ground-truth.predictions", "expired");
  }

  void held() {
    count("kloop.monitor.ground-truth.early", null);
  }

  void feedback(String outcome) {
    count("kloop.monitor.ground-truth.feedback", outcome);
  }

  private void count(String name, String outcome) {
    others.computeIfAbsent(name + "|" + outcome, key -> outcome == null ? registry.counter(name) : registry.counter(name, "outcome", outcome))
        .increment();
  }
}
