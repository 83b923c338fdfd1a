package io.kloop.ingest.batch;

import io.kloop.test.BenchmarkReports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntFunction;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accepted-id store's writes into RocksDB, without Kafka (a load driver, not a test of speed): a write
 * per id, as the store was, against {@link WriteBatchingStore} as the pipeline now keeps it, and against the
 * same batches written in hash order, for ids that come in order and for random ones (UUIDs). Each round
 * writes {@code bench.ids} ids (default 1,000,000) into a fresh store, 8-byte values as the offsets are.
 *
 * <p>Run with {@code ./mvnw -B -ntp -pl ingest-service -am verify -Pbenchmark -Dit.test=WriteBatchingStoreBenchmark};
 * the figures are printed and written to {@code ingest-service/target/benchmark/write-batching-store.md}.
 */
class WriteBatchingStoreBenchmark {

  private static final int IDS = Integer.getInteger("bench.ids", 1_000_000);
  private static final int WARMUP_ROUNDS = Integer.getInteger("bench.warmup", 1);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

  @TempDir Path stateDir;
  private int stores;

  private enum Writes { PER_ID, BATCHED, BATCHED_IN_HASH_ORDER }

  @Test
  void measureWritesPerSecond() throws Exception {
    StringBuilder report = new StringBuilder("""
        | ids | a write per id (ids/s) | batched, as the pipeline (ids/s) | ratio | batched in hash order (ids/s) | ratio |
        | --- | ---: | ---: | ---: | ---: | ---: |
        """);
    for (boolean random : new boolean[] {false, true}) {
      IntFunction<Bytes> ids = ids(random);
      Map<Writes, List<Double>> measured = new HashMap<>();
      for (int round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
        for (Writes writes : Writes.values()) {
          double perSecond = IDS / write(writes, ids);
          System.out.printf(Locale.ROOT, "%s round %d, %s ids, %s: %,.0f ids/s%n", round < WARMUP_ROUNDS ? "warm-up" : "measured",
              round + 1, random ? "random" : "ordered", writes, perSecond);
          if (round >= WARMUP_ROUNDS) {
            measured.computeIfAbsent(writes, w -> new ArrayList<>()).add(perSecond);
          }
        }
      }
      double perId = median(measured.get(Writes.PER_ID));
      double batched = median(measured.get(Writes.BATCHED));
      double hashOrder = median(measured.get(Writes.BATCHED_IN_HASH_ORDER));
      report.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f | %,.0f | %.2f |%n", random ? "random (UUIDs)" : "in order (\"r1\", \"r2\", ...)",
          perId, batched, batched / perId, hashOrder, hashOrder / perId));
    }
    report.append(String.format(Locale.ROOT, "%nMedians of %d measured rounds after %d warm-up rounds, %,d ids per round into a fresh store,"
        + " keys prefixed with a dataset name as the pipeline's are; Java %s, %d cores.%n", ROUNDS, WARMUP_ROUNDS, IDS,
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors()));
    System.out.println("\n" + report);
    Path out = BenchmarkReports.file("write-batching-store.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  /** Seconds taken to write every id, the last batch included. */
  private double write(Writes writes, IntFunction<Bytes> ids) {
    KeyValueStore<Bytes, byte[]> rocksDb = open();
    KeyValueStore<Bytes, byte[]> store = writes == Writes.BATCHED ? new WriteBatchingStore(rocksDb, WriteBatchingStore.MAX_PENDING) : rocksDb;
    Map<Bytes, byte[]> hashOrder = new HashMap<>();
    long start = System.nanoTime();
    for (int i = 0; i < IDS; i++) {
      Bytes id = ids.apply(i);
      byte[] offset = new byte[8];
      if (writes == Writes.BATCHED_IN_HASH_ORDER) {
        hashOrder.put(id, offset);
        if (hashOrder.size() == WriteBatchingStore.MAX_PENDING || i == IDS - 1) {
          List<KeyValue<Bytes, byte[]>> batch = new ArrayList<>(hashOrder.size());
          hashOrder.forEach((key, value) -> batch.add(KeyValue.pair(key, value)));
          rocksDb.putAll(batch);
          hashOrder.clear();
        }
      } else {
        store.put(id, offset);
      }
    }
    if (store instanceof WriteBatchingStore batching) {
      batching.writeThrough();
    }
    // Without the flush of RocksDB's memtable to a file that a commit would add: the same for all three.
    double seconds = (System.nanoTime() - start) / 1e9;
    store.close();
    return seconds;
  }

  private KeyValueStore<Bytes, byte[]> open() {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "write-batching-benchmark");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
    KeyValueStore<Bytes, byte[]> store = Stores.persistentKeyValueStore("ids-" + stores++).get();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  /** The i-th id of a round: in order, or random (seeded, so each mode gets the same ids). */
  private static IntFunction<Bytes> ids(boolean random) {
    if (!random) {
      return i -> key("r" + i);
    }
    return new IntFunction<>() {
      private Random seeded;

      @Override
      public Bytes apply(int i) {
        if (i == 0) {
          seeded = new Random(42);
        }
        return key(new UUID(seeded.nextLong(), seeded.nextLong()).toString());
      }
    };
  }

  private static Bytes key(String id) {
    return Bytes.wrap(("benchmark-dataset\u0000" + id).getBytes(StandardCharsets.UTF_8));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }
}
