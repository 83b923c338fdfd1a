package io.kloop.monitor.truth;

import io.kloop.service.kafka.JsonSerde;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The join's state stores, local RocksDB stores backed by compacted changelog topics written in the same
 * transaction as what the join emits. Keys are {@code model + "\0" + predictionId}; the index's keys are the
 * deadline (19 digits, so they sort by time), the kind ({@code P}, {@code E}, {@code M}) and that key.
 */
public final class TruthStores {

  /** Predictions waiting for their label ({@link PendingPrediction}, compact: {@link TruthCodecs}). */
  public static final String PENDING = "truth-pending";
  /** Labels waiting for their prediction ({@link EarlyLabel}, JSON). */
  public static final String EARLY = "truth-early";
  /** Joined and expired predictions, remembered for a while ({@link Marker}, 9 bytes). */
  public static final String MARKERS = "truth-markers";
  /** When each entry of the other three ends, in time order. */
  public static final String INDEX = "truth-index";
  /** All four, for the processor's connection. */
  public static final String[] NAMES = {PENDING, EARLY, MARKERS, INDEX};

  private static final byte[] NOTHING = new byte[0];

  private TruthStores() {}

  /** The four stores' builders. */
  public static List<StoreBuilder<?>> builders() {
    return List.of(
        store(PENDING, Serdes.serdeFrom((topic, p) -> p == null ? null : TruthCodecs.pending(p), (topic, b) -> b == null ? null : TruthCodecs.pending(b))),
        store(EARLY, new JsonSerde<>(EarlyLabel.class)),
        store(MARKERS, Serdes.serdeFrom((topic, m) -> m == null ? null : TruthCodecs.marker(m), (topic, b) -> b == null ? null : TruthCodecs.marker(b))),
        store(INDEX, Serdes.ByteArray()));
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values);
  }

  /** The index key of an entry. */
  static String indexKey(JoinState.Due due) {
    return new StringBuilder(20 + due.key().length()).append(deadlineDigits(due.deadline())).append(due.kind().code()).append(due.key())
        .toString();
  }

  /** A deadline as 19 digits (negative ones as 0), so that the index sorts by time. */
  private static String deadlineDigits(long deadline) {
    String digits = Long.toString(Math.max(0, deadline));
    return "0".repeat(19 - digits.length()) + digits;
  }

  /** The join's state on the task's stores. */
  public static JoinState state(ProcessorContext<?, ?> context) {
    return new StoreState(context.getStateStore(PENDING), context.getStateStore(EARLY), context.getStateStore(MARKERS),
        context.getStateStore(INDEX));
  }

  /** The join's state on the given stores. */
  static JoinState state(KeyValueStore<String, PendingPrediction> pending, KeyValueStore<String, EarlyLabel> early,
      KeyValueStore<String, Marker> markers, KeyValueStore<String, byte[]> index) {
    return new StoreState(pending, early, markers, index);
  }

  private record StoreState(KeyValueStore<String, PendingPrediction> pendings, KeyValueStore<String, EarlyLabel> earlies,
      KeyValueStore<String, Marker> markers, KeyValueStore<String, byte[]> index) implements JoinState {

    @Override
    public Held held(String key) {
      PendingPrediction pending = pendings.get(key);
      if (pending != null) {
        return pending;
      }
      EarlyLabel early = earlies.get(key);
      return early != null ? early : markers.get(key);
    }

    @Override
    public void replace(String key, Held previous, Held next) {
      if (previous != null && (next == null || previous.getClass() != next.getClass())) {
        store(previous).delete(key);
      }
      if (next != null) {
        store(next).put(key, next);
      }
    }

    @SuppressWarnings("unchecked")
    private KeyValueStore<String, Held> store(Held held) {
      Object store = held instanceof PendingPrediction ? pendings : held instanceof EarlyLabel ? earlies : markers;
      return (KeyValueStore<String, Held>) store;
    }

    @Override
    public void schedule(Due due) {
      index.put(indexKey(due), NOTHING);
    }

    @Override
    public void unschedule(Due due) {
      index.delete(indexKey(due));
    }

    @Override
    public List<Due> due(long now, int max) {
      List<Due> due = new ArrayList<>();
      // '\uffff' is larger (in UTF-8) than any kind letter: every entry with a deadline up to now, and no later one.
      try (KeyValueIterator<String, byte[]> entries = index.range(deadlineDigits(0), deadlineDigits(now) + '\uffff')) {
        while (entries.hasNext() && due.size() < max) {
          String key = entries.next().key;
          due.add(new Due(Long.parseLong(key.substring(0, 19)), JoinState.Kind.of(key.charAt(19)), key.substring(20)));
        }
      }
      return due;
    }
  }
}
