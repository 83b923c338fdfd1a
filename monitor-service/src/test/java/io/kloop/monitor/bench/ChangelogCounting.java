package io.kloop.monitor.bench;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A bytes store supplier whose stores count what a changelogging store would send to its changelog topic: a
 * record per write, key and value bytes (a delete: the key and no value), as Kafka Streams' own
 * {@code ChangeLoggingKeyValueBytesStore} logs them. For the stores of a harness that cannot log (a
 * {@code MockProcessorContext} has no record collector).
 */
final class ChangelogCounting implements KeyValueBytesStoreSupplier {

  private final KeyValueBytesStoreSupplier inner;
  private final LongAdder records;
  private final LongAdder bytes;
  private KeyValueStore<Bytes, byte[]> last;

  ChangelogCounting(KeyValueBytesStoreSupplier inner, LongAdder records, LongAdder bytes) {
    this.inner = inner;
    this.records = records;
    this.bytes = bytes;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public KeyValueStore<Bytes, byte[]> get() {
    last = new Store(inner.get());
    return last;
  }

  /** The bytes store made last, to read what it holds as stored. */
  KeyValueStore<Bytes, byte[]> store() {
    return last;
  }

  @Override
  public String metricsScope() {
    return inner.metricsScope();
  }

  private final class Store extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, byte[], byte[]> implements KeyValueStore<Bytes, byte[]> {

    Store(KeyValueStore<Bytes, byte[]> wrapped) {
      super(wrapped);
    }

    private void logged(Bytes key, byte[] value) {
      records.increment();
      bytes.add(key.get().length + (value == null ? 0 : value.length));
    }

    @Override
    public void put(Bytes key, byte[] value) {
      wrapped().put(key, value);
      logged(key, value);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
      byte[] previous = wrapped().putIfAbsent(key, value);
      if (previous == null) {
        logged(key, value);
      }
      return previous;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
      wrapped().putAll(entries);
      entries.forEach(entry -> logged(entry.key, entry.value));
    }

    @Override
    public byte[] delete(Bytes key) {
      byte[] previous = wrapped().delete(key);
      logged(key, null);
      return previous;
    }

    @Override
    public byte[] get(Bytes key) {
      return wrapped().get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
      return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
      return wrapped().all();
    }

    @Override
    public long approximateNumEntries() {
      return wrapped().approximateNumEntries();
    }
  }
}
