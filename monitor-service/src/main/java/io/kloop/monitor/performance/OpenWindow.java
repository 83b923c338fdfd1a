package io.kloop.monitor.performance;

/**
 * What the monitor keeps of one window of a model version and kind besides its predictions (JSON in the
 * {@code performance-windows} store, one entry per model, kind and version): the window's number, how many
 * predictions it holds and when. Kept between windows (empty, with the next number) so a version's windows are
 * numbered on; removed when the version's windows make room for another version's.
 *
 * @param sequence the window's number for its version and kind, from 0
 * @param count predictions in it; 0 when none is open
 * @param openedAt when its first prediction came, by the processor's clock (epoch ms)
 * @param earliest the earliest prediction time in it (epoch ms)
 * @param latest the latest prediction time in it (epoch ms)
 * @param usedAt when a prediction last came, by the processor's clock: the least recently used version makes room
 */
record OpenWindow(long sequence, int count, long openedAt, long earliest, long latest, long usedAt) {

  /** An empty window numbered {@code sequence}. */
  static OpenWindow empty(long sequence) {
    return new OpenWindow(sequence, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE, 0);
  }

  /** The window with one more prediction, made at {@code predictedAt}, coming {@code now}. */
  OpenWindow plus(long predictedAt, long now) {
    return new OpenWindow(sequence, count + 1, count == 0 ? now : openedAt, Math.min(earliest, predictedAt), Math.max(latest, predictedAt), now);
  }

  /** The next window, empty. */
  OpenWindow next() {
    return empty(sequence + 1);
  }

  boolean isEmpty() {
    return count == 0;
  }
}
