package io.kloop.monitor.truth;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One expiry punctuation of the join: ends the index entries that are due, in batches, until none is due or the
 * punctuation has spent its time budget; what is still due waits for the next punctuation. A count per run would
 * fall behind for good once more entries fall due than it allows (each prediction needs up to two: its own end and
 * its marker's); a budget lets expiry take as much of the stream thread as it needs up to a bound, while the
 * transaction the punctuation runs in is never held long.
 */
final class Expiry {

  private final GroundTruthJoin join;
  private final int batch;
  private final long budgetNanos;
  private final LongSupplier nanoTime;

  /**
   * @param batch index entries read and ended at a time
   * @param budget time after which a punctuation starts no further batch
   * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime}), for the budget only
   */
  Expiry(GroundTruthJoin join, int batch, Duration budget, LongSupplier nanoTime) {
    this.join = join;
    this.batch = batch;
    this.budgetNanos = budget.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * Ends what is due at {@code now} (epoch milliseconds, the processor's clock), handing each batch's step to
   * {@code settle} as it goes; returns whether entries may still be due (the budget ran out).
   */
  boolean run(long now, JoinState state, Consumer<GroundTruthJoin.Step> settle) {
    long start = nanoTime.getAsLong();
    while (true) {
      GroundTruthJoin.Step step = join.expire(now, batch, state);
      settle.accept(step);
      if (step.ended() < batch) {
        return false;
      }
      if (nanoTime.getAsLong() - start >= budgetNanos) {
        return true;
      }
    }
  }
}
