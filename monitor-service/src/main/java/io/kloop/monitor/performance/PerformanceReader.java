package io.kloop.monitor.performance;

import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.monitor.window.QueryableStores;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.springframework.stereotype.Component;

/**
 * Reads the performance windows' stores for the HTTP API ({@link QueryableStores}: a 503 while they cannot be read).
 */
@Component
public class PerformanceReader {

  private final QueryableStores stores;

  PerformanceReader(QueryableStores stores) {
    this.stores = stores;
  }

  /** The model's recent reports of a kind, oldest first. */
  public List<PerformanceReported> reports(String model, PerformanceWindowKind kind) {
    List<PerformanceReported> found = new ArrayList<>();
    try (KeyValueIterator<String, PerformanceReported> entries = stores.<PerformanceReported>keyValue(PerformanceStores.REPORTS)
        .prefixScan(PerformanceStores.prefix(model, kind), new StringSerializer())) {
      entries.forEachRemaining(entry -> found.add(entry.value));
    }
    return found;
  }

  /** What the monitor remembers of the model's performance: the episode and the report count. */
  public Optional<PerformanceState> state(String model) {
    return Optional.ofNullable(stores.<PerformanceState>keyValue(PerformanceStores.MODELS).get(model));
  }
}
