package io.kloop.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.AdditionalAnswers.delegatesTo;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The accepted ids over a real RocksDB store, as the pipeline keeps them (its writes batched). */
class AcceptedIdsTest {

  @TempDir Path stateDir;
  private KeyValueStore<String, Long> store;

  @BeforeEach
  void openStore() {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "accepted-ids-test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
    store = AcceptedIds.storeBuilder("ids").withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
  }

  /** The real store, but with the given estimate of its size. */
  @SuppressWarnings("unchecked")
  private KeyValueStore<String, Long> estimating(long entries) {
    KeyValueStore<String, Long> estimating = mock(KeyValueStore.class, delegatesTo(store));
    doReturn(entries).when(estimating).approximateNumEntries();
    return estimating;
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void answersTheOffsetOfEveryAcceptedIdAndNothingForOthersAcrossGrowingFilters() {
    AcceptedIds ids = AcceptedIds.load(store, 1_000_000, 1_000);
    // 1,000 + 2,000 + 4,000 + 8,000: the fourth filter is in use.
    IntStream.range(0, 10_000).forEach(i -> ids.acceptIfNew("d\u0000r" + i, 100L + i));

    assertThat(ids.filtering()).isTrue();
    assertThat(ids.filteredIds()).isEqualTo(10_000);
    IntStream.range(0, 10_000).forEach(i -> assertThat(ids.offsetOf("d\u0000r" + i)).isEqualTo(100L + i));
    IntStream.range(0, 10_000).forEach(i -> assertThat(ids.offsetOf("d\u0000new" + i)).isNull());
    assertThat(store.get("d\u0000r9999")).isEqualTo(10_099L);
  }

  @Test
  void acceptsEachIdOnceAndAnswersWhereItWasAcceptedWhenItComesAgain() {
    AcceptedIds ids = AcceptedIds.load(store, 1_000_000, 1_000);
    // 3,000 ids: the first thousand in the first filter, the others in the second.
    IntStream.range(0, 3_000).forEach(i -> assertThat(ids.acceptIfNew("d\u0000r" + i, i)).isNull());

    IntStream.range(0, 3_000).forEach(i -> assertThat(ids.acceptIfNew("d\u0000r" + i, 10_000L + i)).isEqualTo((long) i));
    assertThat(ids.filteredIds()).as("a known id is not counted again").isEqualTo(3_000);
    assertThat(store.get("d\u0000r0")).as("nor written again").isZero();
    // And after a reload, from the filters built from the store.
    AcceptedIds reloaded = AcceptedIds.load(store, 1_000_000, 1_000);
    assertThat(reloaded.acceptIfNew("d\u0000r2999", 1)).isEqualTo(2_999L);
    assertThat(reloaded.acceptIfNew("d\u0000r3000", 3_000)).isNull();
  }

  @Test
  void countsKnownIdsThatOnlyAnOlderFilterHeldTowardsTheNewestFiltersFill() {
    AcceptedIds ids = AcceptedIds.load(store, 1_000_000, 1_000);
    // The first filter (1,000) is full, the second (2,000) holds about 500.
    IntStream.range(0, 1_500).forEach(i -> ids.acceptIfNew("d\u0000r" + i, i));
    assertThat(ids.filterCount()).isEqualTo(2);
    // Sent again: the first thousand are put into the second filter too, before the store says they are known.
    IntStream.range(0, 1_000).forEach(i -> assertThat(ids.acceptIfNew("d\u0000r" + i, 5_000L + i)).isEqualTo((long) i));

    // About 2,200 ids in the second filter: a third is added, though only 2,200 of the 3,000 ids the two
    // are sized for have been accepted.
    IntStream.range(1_500, 2_200).forEach(i -> ids.acceptIfNew("d\u0000r" + i, i));

    assertThat(ids.filterCount()).isEqualTo(3);
    assertThat(ids.filteredIds()).isEqualTo(2_200);
    assertThat(IntStream.range(0, 20_000).filter(i -> ids.mayHave("d\u0000new" + i)).count()).isLessThan(20_000 * 3 / 100);
  }

  @Test
  void keepsMostNewIdsAwayFromTheStore() {
    AcceptedIds ids = AcceptedIds.load(store, 1_000_000, 1_000);
    IntStream.range(0, 15_000).forEach(i -> ids.acceptIfNew("d\u0000r" + i, i));

    long maybe = IntStream.range(0, 20_000).filter(i -> ids.mayHave("d\u0000new" + i)).count();
    // Filters at 1 %, 0.5 %, 0.25 % and 0.125 %: at most about 2 % in all.
    assertThat(maybe).isLessThan(20_000 * 3 / 100);
    assertThat(IntStream.range(0, 15_000).allMatch(i -> ids.mayHave("d\u0000r" + i))).isTrue();
  }

  @Test
  void rebuildsItsFiltersFromTheStoreWhenLoadedAgain() {
    AcceptedIds before = AcceptedIds.load(store, 1_000_000, 1_000);
    IntStream.range(0, 5_000).forEach(i -> before.acceptIfNew("d\u0000r" + i, i));

    // As after a restart or a revived task: the store has the ids, the filters are new.
    AcceptedIds after = AcceptedIds.load(store, 1_000_000, 1_000);

    assertThat(after.filteredIds()).isEqualTo(5_000);
    IntStream.range(0, 5_000).forEach(i -> assertThat(after.offsetOf("d\u0000r" + i)).isEqualTo((long) i));
    assertThat(IntStream.range(0, 5_000).allMatch(i -> after.mayHave("d\u0000r" + i))).isTrue();
    assertThat(after.offsetOf("d\u0000r5000")).isNull();
    after.acceptIfNew("d\u0000r5000", 5_000);
    assertThat(after.offsetOf("d\u0000r5000")).isEqualTo(5_000L);
  }

  @Test
  void growsItsFiltersWhileLoadingAStoreThatHoldsMoreThanItsEstimate() {
    IntStream.range(0, 5_000).forEach(i -> store.put("d\u0000r" + i, (long) i));
    // RocksDB's count is an estimate: here it says the store is empty.
    KeyValueStore<String, Long> undercounted = estimating(0);

    AcceptedIds ids = AcceptedIds.load(undercounted, 1_000_000, 1_000);

    assertThat(ids.filteredIds()).isEqualTo(5_000);
    assertThat(IntStream.range(0, 5_000).allMatch(i -> ids.mayHave("d\u0000r" + i))).isTrue();
    assertThat(IntStream.range(0, 10_000).filter(i -> ids.mayHave("d\u0000new" + i)).count()).isLessThan(10_000 * 3 / 100);
  }

  @Test
  void doesNotFilterWhenTheStoreHoldsMoreThanTheLimitWhateverItsEstimate() {
    IntStream.range(0, 150).forEach(i -> store.put("d\u0000r" + i, (long) i));

    AcceptedIds estimatedBelow = AcceptedIds.load(estimating(0), 100, 1_000);
    AcceptedIds estimatedAbove = AcceptedIds.load(estimating(1_000_000_000L), 100, 1_000);

    for (AcceptedIds ids : List.of(estimatedBelow, estimatedAbove)) {
      assertThat(ids.filtering()).isFalse();
      assertThat(ids.offsetOf("d\u0000r149")).isEqualTo(149L);
      assertThat(ids.offsetOf("d\u0000new")).isNull();
    }
  }

  @Test
  void dropsItsFiltersPastTheLimitAndStillAnswersFromTheStore() {
    AcceptedIds ids = AcceptedIds.load(store, 100, 1_000);
    IntStream.range(0, 100).forEach(i -> ids.acceptIfNew("d\u0000r" + i, i));
    assertThat(ids.filtering()).isTrue();

    ids.acceptIfNew("d\u0000r100", 100);

    assertThat(ids.filtering()).isFalse();
    IntStream.range(0, 101).forEach(i -> assertThat(ids.offsetOf("d\u0000r" + i)).isEqualTo((long) i));
    assertThat(ids.offsetOf("d\u0000new")).isNull();
    // Loaded again with more ids than the limit, it does not filter either.
    AcceptedIds reloaded = AcceptedIds.load(store, 100, 1_000);
    assertThat(reloaded.filtering()).isFalse();
    assertThat(reloaded.offsetOf("d\u0000r42")).isEqualTo(42L);
  }

  @Test
  void withTheFiltersOffReadsEveryIdFromTheStore() {
    AcceptedIds ids = AcceptedIds.load(store, 0);
    ids.acceptIfNew("d\u0000r1", 7);

    assertThat(ids.filtering()).isFalse();
    assertThat(ids.mayHave("d\u0000anything")).isTrue();
    assertThat(ids.offsetOf("d\u0000r1")).isEqualTo(7L);
    assertThat(ids.offsetOf("d\u0000r2")).isNull();
  }
}
