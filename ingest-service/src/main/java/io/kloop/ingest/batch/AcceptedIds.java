package io.kloop.ingest.batch;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record ids a task has accepted: the accepted-id store (each id with the input offset it was accepted
 * at), with Bloom filters in front of it, so that a new id, the usual case, is known to be new without
 * reading the store. In RocksDB a read of a missing key is the dearest read there is (RocksDB's Java binding
 * raises and unwinds a C++ exception for it): it was the largest single cost of the pipeline.
 *
 * <p>The filters never miss an id that is in the store: they are built from the store when the task's
 * processor is initialised, after its state has been restored (and again when Kafka Streams revives the
 * task after an aborted transaction), and every id accepted afterwards is added to them. A filter may answer
 * "maybe" for a new id (at most about 2 % of them), which then costs the store read it would have cost
 * anyway. They grow as a scalable Bloom filter: when the newest is full, one of twice its capacity and half
 * its false-positive rate is added, so nothing is rebuilt while records are processed. The first is sized
 * for twice the ids found in the store, and at least a million (1.2 MB); each takes 1.2 to 2 bytes of heap
 * per id it is sized for. Past {@code maxIds} ids they are dropped and every id is looked up in the store.
 */
public final class AcceptedIds {

  private static final Logger log = LoggerFactory.getLogger(AcceptedIds.class);

  /** Capacity of the first filter; each next one has twice the capacity of the one before. */
  static final long FIRST_CAPACITY = 1 << 20;
  /** False-positive rate of the first filter; each next one has half the rate of the one before. */
  private static final double FIRST_FALSE_POSITIVES = 0.01;

  private final KeyValueStore<String, Long> store;
  private final long maxIds;
  private final List<BloomFilter<CharSequence>> filters = new ArrayList<>();
  /** Ids the filters are sized for, all of them and the newest. */
  private long capacity;
  private long newest;
  /**
   * Ids put into the newest filter that changed its bits: the accepted ones, and known ones that only an
   * older filter held (they are put before the store says they are known). The newest is full at {@code newest}.
   */
  private long newestFill;
  /** Accepted ids the filters hold. */
  private long ids;

  private AcceptedIds(KeyValueStore<String, Long> store, long maxIds) {
    this.store = store;
    this.maxIds = maxIds;
  }

  /**
   * Ids of the given store, with filters built from its contents unless it holds more than {@code maxIds}
   * ids (0 turns the filters off).
   */
  public static AcceptedIds load(KeyValueStore<String, Long> store, long maxIds) {
    return load(store, maxIds, FIRST_CAPACITY);
  }

  static AcceptedIds load(KeyValueStore<String, Long> store, long maxIds, long firstCapacity) {
    AcceptedIds accepted = new AcceptedIds(store, maxIds);
    long estimate = store.approximateNumEntries();
    if (maxIds > 0 && estimate > maxIds) {
      warnUnfiltered(maxIds);
    } else if (maxIds > 0) {
      accepted.grow(Math.max(firstCapacity, 2 * estimate));
      try (KeyValueIterator<String, Long> all = store.all()) {
        while (accepted.filtering() && all.hasNext()) {
          accepted.remember(all.next().key);
        }
      }
    }
    return accepted;
  }

  /**
   * The accepted-id store as the pipeline keeps it: in RocksDB, its writes batched
   * ({@link WriteBatchingStore}), with a changelog.
   */
  public static StoreBuilder<KeyValueStore<String, Long>> storeBuilder(String name) {
    return Stores.keyValueStoreBuilder(WriteBatchingStore.persistent(name), Serdes.String(), Serdes.Long());
  }

  /** The offset the id was accepted at, or null if it was not. */
  public Long offsetOf(String id) {
    if (!mayHave(id)) {
      return null;
    }
    return store.get(id);
  }

  /**
   * Accepts the id at the offset unless it was accepted before: then answers the offset it was accepted at
   * and changes nothing. Null when it is accepted now. The same as {@link #offsetOf} and then a put,
   * but a new id is hashed once: adding it to the newest filter also tells whether that
   * filter may have held it.
   */
  public Long acceptIfNew(String id, long offset) {
    if (filtering()) {
      makeRoomForOne();
    }
    if (!filtering()) {
      Long before = store.get(id);
      if (before == null) {
        store.put(id, offset);
      }
      return before;
    }
    // Bits changed: the newest filter never held the id, and only an older one may have.
    boolean changed = putInNewest(id);
    boolean maybe = !changed || mayHaveBefore(id, filters.size() - 1);
    Long before = maybe ? store.get(id) : null;
    if (before == null) {
      store.put(id, offset);
      ids++;
    }
    return before;
  }

  /** Whether the ids are filtered before the store is read (false past {@code maxIds}). */
  public boolean filtering() {
    return !filters.isEmpty();
  }

  /** Ids the filters hold (0 once they are dropped). */
  public long filteredIds() {
    return filtering() ? ids : 0;
  }

  /** Filters in use, for tests. */
  int filterCount() {
    return filters.size();
  }

  /** Whether the filters may hold the id (false only if it was never accepted), or true without filters. */
  boolean mayHave(String id) {
    return !filtering() || mayHaveBefore(id, filters.size());
  }

  /** Whether any of the first {@code count} filters may hold the id, the newest of them first. */
  private boolean mayHaveBefore(String id, int count) {
    for (int i = count - 1; i >= 0; i--) {
      if (filters.get(i).mightContain(id)) {
        return true;
      }
    }
    return false;
  }

  private void remember(String id) {
    makeRoomForOne();
    if (filtering()) {
      putInNewest(id);
      ids++;
    }
  }

  /** Puts the id into the newest filter; true if that changed its bits (it counts towards the filter's fill). */
  private boolean putInNewest(String id) {
    boolean changed = filters.get(filters.size() - 1).put(id);
    if (changed) {
      newestFill++;
    }
    return changed;
  }

  /** Adds a filter when the newest is full, or drops them all past {@code maxIds}. */
  private void makeRoomForOne() {
    if (ids >= maxIds || (newestFill >= newest && capacity >= maxIds)) {
      dropFilters();
    } else if (newestFill >= newest) {
      grow(2 * newest);
    }
  }

  private void dropFilters() {
    warnUnfiltered(maxIds);
    filters.clear();
  }

  private static void warnUnfiltered(long maxIds) {
    log.warn("The accepted-id filters have reached kloop.ingest.id-filter-max-ids ({} ids): they are dropped, and each record's id"
        + " is read from the accepted-id store, which is slower", maxIds);
  }

  /** Adds a filter for up to {@code wanted} more ids (fewer if that would pass {@code maxIds}). */
  private void grow(long wanted) {
    newest = Math.max(1, Math.min(wanted, maxIds - capacity));
    double falsePositives = FIRST_FALSE_POSITIVES / (1L << Math.min(filters.size(), 20));
    filters.add(BloomFilter.create(Funnels.unencodedCharsFunnel(), newest, falsePositives));
    capacity += newest;
    newestFill = 0;
  }
}
