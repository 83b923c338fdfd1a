package io.kloop.monitor.window;

import io.kloop.events.DriftReported;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.springframework.stereotype.Component;

/**
 * Reads the drift windows' stores for the HTTP API ({@link QueryableStores}: a 503 while they cannot be read).
 */
@Component
public class DriftReader {

  private final QueryableStores stores;

  DriftReader(QueryableStores stores) {
    this.stores = stores;
  }

  /** The model's recent reports, oldest first. */
  public List<DriftReported> reports(String model) {
    List<DriftReported> found = new ArrayList<>();
    try (KeyValueIterator<String, DriftReported> entries = stores.<DriftReported>keyValue(MonitorStores.REPORTS)
        .prefixScan(MonitorStores.prefix(model), new StringSerializer())) {
      entries.forEachRemaining(entry -> found.add(entry.value));
    }
    return found;
  }

  /** What the monitor remembers of the model: the version last judged, the drift episode, the last request. */
  public Optional<ModelDriftState> state(String model) {
    return Optional.ofNullable(stores.<ModelDriftState>keyValue(MonitorStores.MODELS).get(model));
  }
}
