package io.kloop.monitor.truth;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.monitor.MonitorProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

/**
 * Expiry within a time budget per punctuation, on the join's stores in memory: batches of 1,000 index entries until
 * none is due or 100 ms are spent. The budget's clock is the test's: it moves 60 ms every time it is read, so a
 * punctuation gets through two batches (60 ms after the first, under the budget; 120 ms after the second, over it).
 */
class ExpiryTest {

  private static final String MODEL = "churn";
  private static final long T0 = Instant.parse("2026-03-04T05:06:07Z").toEpochMilli();
  private static final long MINUTE = 60_000;

  private final JoinStores stores = new JoinStores(new MockProcessorContext<>());
  private final JoinState state = stores.state();
  private final GroundTruthJoin join = new GroundTruthJoin(
      new MonitorProperties.GroundTruth(Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofMinutes(30), 16_384),
      (model, version) -> Optional.of(List.of("stay", "leave")));
  private final AtomicLong nanos = new AtomicLong();
  private final Expiry expiry = new Expiry(join, 1_000, Duration.ofMillis(100), () -> nanos.getAndAdd(60_000_000));

  private void waiting(int predictions) {
    for (int i = 0; i < predictions; i++) {
      join.prediction(MODEL, "p" + i, new PendingPrediction(1, T0, join.deadline(T0), "stay", Map.of("stay", 0.7, "leave", 0.3), null), T0,
          state);
    }
  }

  @Test
  void shouldWorkOffABacklogLargerThanOneBatchOverSuccessivePunctuations() {
    waiting(2_500);
    long now = T0 + 10 * MINUTE;   // every prediction's deadline
    List<Integer> expired = new ArrayList<>();

    boolean behind = expiry.run(now, state, step -> expired.add(step.expired()));
    assertThat(expired).as("two batches within the budget").containsExactly(1_000, 1_000);
    assertThat(behind).isTrue();

    expired.clear();
    behind = expiry.run(now, state, step -> expired.add(step.expired()));
    assertThat(expired).as("the rest, then nothing is due").containsExactly(500);
    assertThat(behind).isFalse();

    // Each expired prediction left a marker for 30 minutes: 2,500 index entries, none due yet.
    assertThat(stores.indexSize()).isEqualTo(2_500);
    assertThat(state.due(now, 1)).isEmpty();
    assertThat(state.marker(GroundTruthJoin.key(MODEL, "p2499"))).isNotNull();
  }

  @Test
  void shouldGoOnWhileEntriesAreDueWithinTheBudget() {
    waiting(2_500);
    Expiry unhurried = new Expiry(join, 1_000, Duration.ofSeconds(1), () -> nanos.getAndAdd(60_000_000));
    List<Integer> expired = new ArrayList<>();

    assertThat(unhurried.run(T0 + 10 * MINUTE, state, step -> expired.add(step.expired()))).isFalse();
    assertThat(expired).as("a batch that ends fewer than it may is the last").containsExactly(1_000, 1_000, 500);
  }

  @Test
  void shouldReadOnceWhenNothingIsDue() {
    waiting(10);
    List<Integer> expired = new ArrayList<>();

    assertThat(expiry.run(T0 + 10 * MINUTE - 1, state, step -> expired.add(step.expired()))).isFalse();
    assertThat(expired).containsExactly(0);
    assertThat(stores.indexSize()).isEqualTo(10);
  }
}
