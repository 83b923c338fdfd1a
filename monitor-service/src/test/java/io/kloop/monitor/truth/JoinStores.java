package io.kloop.monitor.truth;

import java.util.List;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** The join's stores in memory, as {@link TruthStores#builders} makes them (its serdes), for tests without a topology. */
final class JoinStores {

  private final MockProcessorContext<?, ?> context;

  JoinStores(MockProcessorContext<?, ?> context) {
    this.context = context;
    List<StateStore> stores = TruthStores.builders(Stores::inMemoryKeyValueStore).stream()
        .map(builder -> (StateStore) builder.withLoggingDisabled().build()).toList();
    for (StateStore store : stores) {
      store.init(context.getStateStoreContext(), store);
      context.addStateStore(store);
    }
  }

  JoinState state() {
    return TruthStores.state(context);
  }

  long indexSize() {
    KeyValueStore<?, ?> index = context.getStateStore(TruthStores.INDEX);
    return index.approximateNumEntries();
  }
}
