package io.kloop.monitor.truth;

import io.kloop.service.kafka.JsonSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The join's two state stores, local RocksDB stores backed by compacted changelog topics written in the same
 * transaction as what the join emits.
 *
 * <ul>
 *   <li>{@value #HELD}: what the join holds per key ({@code model + "\0" + predictionId}), one entry, since a key never
 *       holds more than one of a waiting prediction, an early label and a marker; so a record costs one lookup, and a
 *       join replaces the waiting prediction by its marker in one write. The value's first byte says which: a waiting
 *       prediction is its {@link TruthCodecs#pending} bytes (whose format byte is {@code 1}), a marker is {@code 2} and
 *       its 9 bytes ({@link TruthCodecs#marker}), an early label {@code 3} and its JSON.
 *   <li>{@value #INDEX}: when each entry ends, in time order. A key is the deadline as 8 bytes, big-endian (negative
 *       ones as 0, so unsigned byte order is time order), the kind ({@code P}, {@code E}, {@code M}) and the entry's key
 *       in UTF-8; no value.
 * </ul>
 */
public final class TruthStores {

  /** What the join holds per key: waiting predictions, labels waiting for their prediction, markers. */
  public static final String HELD = "truth-held";
  /** When each entry of {@link #HELD} ends, in time order. */
  public static final String INDEX = "truth-index";
  /** Both, for the processor's connection. */
  public static final String[] NAMES = {HELD, INDEX};

  private static final byte[] NOTHING = new byte[0];
  private static final byte PENDING_TAG = 1;
  private static final byte MARKER_TAG = 2;
  private static final byte EARLY_TAG = 3;
  /** Larger than any kind letter: ends the range of every index entry of a deadline. */
  private static final byte AFTER_KINDS = (byte) 0xff;

  private TruthStores() {}

  /** The two stores' builders, on RocksDB. */
  public static List<StoreBuilder<?>> builders() {
    return builders(Stores::persistentKeyValueStore);
  }

  /** The two stores' builders on the given suppliers (by store name), with the join's serdes. */
  public static List<StoreBuilder<?>> builders(Function<String, KeyValueBytesStoreSupplier> suppliers) {
    return List.of(
        Stores.keyValueStoreBuilder(suppliers.apply(HELD), Serdes.String(), heldSerde()),
        Stores.keyValueStoreBuilder(suppliers.apply(INDEX), Serdes.Bytes(), Serdes.ByteArray()));
  }

  /** The values of {@value #HELD} as stored. */
  static Serde<JoinState.Held> heldSerde() {
    Serde<EarlyLabel> json = new JsonSerde<>(EarlyLabel.class);
    Serializer<JoinState.Held> serializer = (topic, held) -> {
      if (held == null) {
        return null;
      }
      if (held instanceof PendingPrediction pending) {
        return TruthCodecs.pending(pending);
      }
      byte[] payload = held instanceof Marker marker ? TruthCodecs.marker(marker) : json.serializer().serialize(topic, (EarlyLabel) held);
      byte[] bytes = new byte[payload.length + 1];
      bytes[0] = held instanceof Marker ? MARKER_TAG : EARLY_TAG;
      System.arraycopy(payload, 0, bytes, 1, payload.length);
      return bytes;
    };
    Deserializer<JoinState.Held> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      return switch (bytes[0]) {
        case PENDING_TAG -> TruthCodecs.pending(bytes);
        case MARKER_TAG -> TruthCodecs.marker(Arrays.copyOfRange(bytes, 1, bytes.length));
        case EARLY_TAG -> json.deserializer().deserialize(topic, Arrays.copyOfRange(bytes, 1, bytes.length));
        default -> throw new IllegalArgumentException("unknown kind " + bytes[0] + " of a held entry");
      };
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /** The index key of an entry. */
  static Bytes indexKey(JoinState.Due due) {
    byte[] key = due.key().getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(9 + key.length).putLong(Math.max(0, due.deadline())).put((byte) due.kind().code()).put(key).array());
  }

  /** The join's state on the task's stores. */
  public static JoinState state(ProcessorContext<?, ?> context) {
    return new StoreState(context.getStateStore(HELD), context.getStateStore(INDEX));
  }

  /** The join's state on the given stores. */
  static JoinState state(KeyValueStore<String, JoinState.Held> held, KeyValueStore<Bytes, byte[]> index) {
    return new StoreState(held, index);
  }

  private record StoreState(KeyValueStore<String, Held> entries, KeyValueStore<Bytes, byte[]> index) implements JoinState {

    @Override
    public Held held(String key) {
      return entries.get(key);
    }

    @Override
    public void replace(String key, Held previous, Held next) {
      if (next != null) {
        entries.put(key, next);
      } else if (previous != null) {
        entries.delete(key);
      }
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
      Bytes from = Bytes.wrap(new byte[8]);
      Bytes to = Bytes.wrap(ByteBuffer.allocate(9).putLong(Math.max(0, now)).put(AFTER_KINDS).array());
      try (KeyValueIterator<Bytes, byte[]> entries = index.range(from, to)) {
        while (entries.hasNext() && due.size() < max) {
          byte[] key = entries.next().key.get();
          ByteBuffer read = ByteBuffer.wrap(key);
          due.add(new Due(read.getLong(), JoinState.Kind.of((char) read.get()), new String(key, 9, key.length - 9, StandardCharsets.UTF_8)));
        }
      }
      return due;
    }
  }
}
