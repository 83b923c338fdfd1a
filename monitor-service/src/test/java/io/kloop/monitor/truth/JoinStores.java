package io.kloop.monitor.truth;

import io.kloop.service.kafka.JsonSerde;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** The join's four stores in memory, with the production serdes, for tests without a topology. */
final class JoinStores {

  final KeyValueStore<String, PendingPrediction> pending;
  final KeyValueStore<String, EarlyLabel> early;
  final KeyValueStore<String, Marker> markers;
  final KeyValueStore<String, byte[]> index;

  JoinStores(MockProcessorContext<?, ?> context) {
    pending = store(context, TruthStores.PENDING,
        Serdes.serdeFrom((topic, p) -> p == null ? null : TruthCodecs.pending(p), (topic, b) -> b == null ? null : TruthCodecs.pending(b)));
    early = store(context, TruthStores.EARLY, new JsonSerde<>(EarlyLabel.class));
    markers = store(context, TruthStores.MARKERS,
        Serdes.serdeFrom((topic, m) -> m == null ? null : TruthCodecs.marker(m), (topic, b) -> b == null ? null : TruthCodecs.marker(b)));
    index = store(context, TruthStores.INDEX, Serdes.ByteArray());
  }

  JoinState state() {
    return TruthStores.state(pending, early, markers, index);
  }

  long indexSize() {
    return index.approximateNumEntries();
  }

  private static <V> KeyValueStore<String, V> store(MockProcessorContext<?, ?> context, String name, Serde<V> values) {
    KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }
}
