package io.kloop.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batching store over a real RocksDB store: what it holds back, and when it writes it through. */
class WriteBatchingStoreTest {

  @TempDir Path stateDir;
  private MockProcessorContext<Object, Object> context;
  /** The RocksDB store beneath, read directly to see what has been written through. */
  private KeyValueStore<Bytes, byte[]> rocksDb;
  private WriteBatchingStore store;

  @BeforeEach
  void open() {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "write-batching-test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    context = new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
    rocksDb = Stores.persistentKeyValueStore("ids").get();
    store = new WriteBatchingStore(rocksDb, 4);
    store.init(context.getStateStoreContext(), store);
  }

  @AfterEach
  void close() {
    if (store.isOpen()) {
      store.close();
    }
  }

  @Test
  void holdsWritesBackUntilFlushedYetAnswersThemAtOnce() {
    store.put(key("a"), value(1));
    store.put(key("b"), value(2));
    store.put(key("a"), value(3));

    assertThat(store.get(key("a"))).isEqualTo(value(3));
    assertThat(store.get(key("b"))).isEqualTo(value(2));
    assertThat(store.get(key("c"))).isNull();
    assertThat(rocksDb.get(key("a"))).as("not yet in RocksDB").isNull();
    assertThat(store.pending()).isEqualTo(2);

    store.flush();

    assertThat(store.pending()).isZero();
    assertThat(rocksDb.get(key("a"))).isEqualTo(value(3));
    assertThat(rocksDb.get(key("b"))).isEqualTo(value(2));
  }

  @Test
  void writesThroughOnceTheLimitOfHeldWritesIsReached() {
    store.put(key("a"), value(1));
    store.put(key("b"), value(2));
    store.put(key("c"), value(3));
    assertThat(rocksDb.get(key("a"))).isNull();

    store.put(key("d"), value(4));

    assertThat(store.pending()).isZero();
    assertThat(List.of(rocksDb.get(key("a")), rocksDb.get(key("b")), rocksDb.get(key("c")), rocksDb.get(key("d"))))
        .containsExactly(value(1), value(2), value(3), value(4));
  }

  @Test
  void deletesWhetherTheKeyIsHeldOrWrittenAndPutIfAbsentKeepsWhatIsThere() {
    store.putAll(List.of(KeyValue.pair(key("a"), value(1)), KeyValue.pair(key("b"), value(2))));
    store.flush();
    store.put(key("c"), value(3));

    assertThat(store.delete(key("a"))).isEqualTo(value(1));
    assertThat(store.delete(key("c"))).isEqualTo(value(3));
    assertThat(store.putIfAbsent(key("b"), value(9))).isEqualTo(value(2));
    assertThat(store.putIfAbsent(key("a"), value(4))).isNull();
    store.put(key("b"), null);

    assertThat(store.get(key("a"))).isEqualTo(value(4));
    assertThat(store.get(key("b"))).as("a held delete hides what RocksDB still has").isNull();
    assertThat(rocksDb.get(key("b"))).isEqualTo(value(2));
    assertThat(store.get(key("c"))).isNull();
    store.flush();
    assertThat(rocksDb.get(key("b"))).isNull();
    assertThat(rocksDb.get(key("c"))).isNull();
    assertThat(rocksDb.get(key("a"))).isEqualTo(value(4));
  }

  @Test
  void iteratorsSeeHeldWrites() {
    store.put(key("a"), value(1));
    store.flush();
    store.put(key("b"), value(2));
    store.delete(key("a"));

    assertThat(keys(store.all())).containsExactly("b");
    store.put(key("c"), value(3));
    assertThat(keys(store.range(key("a"), key("z")))).containsExactly("b", "c");
    assertThat(keys(store.reverseAll())).containsExactly("c", "b");
  }

  @Test
  void writesHeldWritesThroughWhenClosed() {
    store.put(key("a"), value(1));
    store.close();

    KeyValueStore<Bytes, byte[]> reopened = Stores.persistentKeyValueStore("ids").get();
    reopened.init(context.getStateStoreContext(), reopened);
    try {
      assertThat(reopened.get(key("a"))).isEqualTo(value(1));
    } finally {
      reopened.close();
    }
  }

  @Test
  void forgetsHeldWritesWhenOpenedAgainAfterACloseThatFailed() {
    store.put(key("a"), value(1));
    rocksDb.close();
    // RocksDB is closed: the held write cannot go through.
    assertThatThrownBy(store::close).isInstanceOf(InvalidStateStoreException.class);

    // How Kafka Streams revives a task: the same store object, initialised again.
    store.init(context.getStateStoreContext(), store);

    assertThat(store.pending()).isZero();
    assertThat(store.get(key("a"))).isNull();
  }

  @Test
  void refusesAnEmptyBatch() {
    assertThatThrownBy(() -> new WriteBatchingStore(rocksDb, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPending must be at least 1");
  }

  private static Bytes key(String key) {
    return Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] value(long value) {
    return Long.toString(value).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> keys(KeyValueIterator<Bytes, byte[]> iterator) {
    List<String> keys = new ArrayList<>();
    try (iterator) {
      iterator.forEachRemaining(entry -> keys.add(new String(entry.key.get(), StandardCharsets.UTF_8)));
    }
    return keys;
  }
}
