package io.kloop.monitor.bench;

import io.kloop.events.DataRecord;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.truth.FeedbackSpecs;
import io.kloop.monitor.truth.GroundTruthJoin;
import io.kloop.monitor.truth.GroundTruthProcessor;
import io.kloop.monitor.truth.TruthEvents;
import io.kloop.monitor.truth.TruthStores;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * The monitor's {@link GroundTruthProcessor} on a task of its own, fed encoded records one at a time as its stream
 * thread would: its four stores (the production builders of {@link TruthStores}, RocksDB, or the same serdes on
 * in-memory stores), every record's topic, offset and the processor's clock set as the task sets them, what it
 * emits serialized as the sinks would (feedback {@code DataRecord}s by {@link EventSerializer}), and its expiry
 * punctuation every second of the processor's clock. The stores are not flushed while the task runs, as under the
 * monitor's {@code exactly_once_v2} ({@code monitor-service.yml}): Kafka Streams 4.2 checkpoints a running task, which
 * flushes its stores, only when processing at least once ({@code StreamTask.postCommit}: {@code enforceCheckpoint ||
 * !eosEnabled}); under exactly once it does so when the task is suspended or closed, and its commits flush only
 * caches, which these stores do not have. RocksDB writes its full memtables out itself, on its background threads.
 *
 * <p>What it leaves out of the topology: the broker, the changelog (a {@code MockProcessorContext} has no record
 * collector: the stores' changelogging is replaced by counting what it would send, {@link ChangelogCounting}),
 * the transaction, and the one-line step after the processor that drops the join's dead letters of predictions
 * ({@code DriftOwnsPredictionDeadLetters}).
 */
final class JoinHarness implements AutoCloseable {

  /** Where the join's state lives. */
  enum Kind { ROCKSDB, IN_MEMORY }

  private static final long EXPIRY_MILLIS = 1_000L;

  private final Kind kind;
  private final Path stateDir;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final MockProcessorContext<String, Object> context;
  private final GroundTruthProcessor processor;
  private final List<StateStore> stores;
  private final EventSerializer<SpecificRecord> sink = new EventSerializer<>();
  private final Map<String, LongAdder[]> changelog = new LinkedHashMap<>();
  private final Map<String, ChangelogCounting> suppliers = new LinkedHashMap<>();
  private long nextExpiry = Long.MIN_VALUE;
  long commitNanos;
  long expiryNanos;
  long feedbackRecords;
  long feedbackBytes;
  long deadLetters;

  JoinHarness(Kind kind, Path stateDir) {
    this.kind = kind;
    this.stateDir = stateDir;
    Properties config = new Properties();
    config.put("application.id", "monitor-service-bench");
    config.put("bootstrap.servers", "unused:9092");
    context = new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
    // The production builders and serdes, on counting suppliers (RocksDB, or in memory for the baseline).
    stores = TruthStores.builders(this::supplier).stream().map(builder -> (StateStore) builder.withLoggingDisabled().build()).toList();
    for (StateStore store : stores) {
      store.init(context.getStateStoreContext(), store);
      context.addStateStore(store);
    }
    FeedbackSpecs specs = new FeedbackSpecs();
    specs.add(TruthEvents.spec(LabelledTraffic.MODEL, LabelledTraffic.DATASET, true));
    GroundTruthJoin.Classes classes = (model, version) -> Optional.of(LabelledTraffic.CLASSES);
    processor = new GroundTruthProcessor(MonitorProperties.GroundTruth.DEFAULTS, classes, specs, meters, KloopTracing.OFF);
    processor.init(context);
  }

  /** The store's supplier (RocksDB as in production, or in memory), its changelogging replaced by counting what the changelog would get. */
  private KeyValueBytesStoreSupplier supplier(String name) {
    LongAdder[] counts = {new LongAdder(), new LongAdder()};
    changelog.put(name, counts);
    ChangelogCounting supplier = new ChangelogCounting(kind == Kind.ROCKSDB ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name),
        counts[0], counts[1]);
    suppliers.put(name, supplier);
    return supplier;
  }

  Kind kind() {
    return kind;
  }

  /** Hands one record to the processor as its task would, then commits or expires when it is time. */
  void feed(LabelledTraffic.Event event) {
    String topic = event.label() ? Topics.GROUND_TRUTH_REPORTED.name() : Topics.PREDICTION_LOGGED.name();
    context.setRecordMetadata(topic, 0, event.offset());
    context.setCurrentSystemTimeMs(event.time());
    context.setCurrentStreamTimeMs(event.time());
    processor.process(new Record<>(LabelledTraffic.MODEL, event.value(), event.time()));
    for (MockProcessorContext.CapturedForward<?, ?> forward : context.forwarded()) {
      Object value = forward.record().value();
      if (value instanceof DataRecord record) {
        feedbackRecords++;
        feedbackBytes += sink.serialize(Topics.DATA_RECORD.name(), record).length;
      } else if (value instanceof byte[]) {
        deadLetters++;
      }
    }
    context.resetForwards();
    if (nextExpiry == Long.MIN_VALUE) {
      nextExpiry = event.time() + EXPIRY_MILLIS;
    }
    if (event.time() >= nextExpiry) {
      long start = System.nanoTime();
      context.scheduledPunctuators().get(0).getPunctuator().punctuate(event.time());
      expiryNanos += System.nanoTime() - start;
      nextExpiry += EXPIRY_MILLIS * ((event.time() - nextExpiry) / EXPIRY_MILLIS + 1);
    }
  }

  /** Flushes every store, as a task's checkpoint does (when it is suspended or closed): for measuring the files on disk. */
  void commit() {
    long start = System.nanoTime();
    stores.forEach(StateStore::flush);
    commitNanos += System.nanoTime() - start;
  }

  /** The join counter of an outcome ({@code joined}, {@code late}, ...). */
  long labels(String outcome) {
    return (long) meters.counter("kloop.monitor.ground-truth", "outcome", outcome).count();
  }

  /** The predictions counter of a fate ({@code waiting}, {@code repeated}, ...). */
  long predictions(String fate) {
    return (long) meters.counter("kloop.monitor.ground-truth.predictions", "outcome", fate).count();
  }

  /** Entries and their key and value bytes as stored (what RocksDB and the compacted changelog hold live), per store. */
  Map<String, long[]> live() {
    Map<String, long[]> live = new LinkedHashMap<>();
    suppliers.forEach((name, supplier) -> {
      long[] counts = new long[3];
      try (KeyValueIterator<Bytes, byte[]> all = supplier.store().all()) {
        while (all.hasNext()) {
          KeyValue<Bytes, byte[]> entry = all.next();
          counts[0]++;
          counts[1] += entry.key.get().length;
          counts[2] += entry.value.length;
        }
      }
      live.put(name, counts);
    });
    return live;
  }

  /** The bytes of the RocksDB SST files per store, after a commit (nothing for in-memory stores). */
  Map<String, Long> sstBytes() {
    commit();
    // RocksDB's background compactions may delete files while they are listed: then list them again.
    for (int attempt = 1; ; attempt++) {
      try {
        return listSstBytes();
      } catch (UncheckedIOException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  private Map<String, Long> listSstBytes() {
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (String name : TruthStores.NAMES) {
      bytes.put(name, 0L);
    }
    try (Stream<Path> files = Files.walk(stateDir)) {
      files.filter(file -> file.getFileName().toString().endsWith(".sst")).forEach(file -> {
        String store = file.getParent().getFileName().toString();
        bytes.computeIfPresent(store, (name, sum) -> sum + sizeOf(file));
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes;
  }


  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Changelog records and bytes per store so far. */
  Map<String, long[]> changelog() {
    Map<String, long[]> counts = new LinkedHashMap<>();
    changelog.forEach((name, adders) -> counts.put(name, new long[] {adders[0].sum(), adders[1].sum()}));
    return counts;
  }

  @Override
  public void close() {
    processor.close();
    stores.forEach(StateStore::close);
  }
}
