package io.kloop.monitor.truth;

import java.util.List;

/**
 * What the join keeps, by key ({@code model + "\0" + predictionId}): for each key at most one {@link Held} entry (a
 * waiting prediction, a label that came before its prediction, or a marker), and a time-ordered index of when each
 * of them ends, so that expiry reads only what is due.
 */
public interface JoinState {

  /** What the join holds for a key: never more than one of these at a time. */
  sealed interface Held permits PendingPrediction, EarlyLabel, Marker {}

  /** An entry of the time-ordered index: what ends when. */
  record Due(long deadline, Kind kind, String key) {}

  /** What an index entry ends. */
  enum Kind {
    PENDING('P'), EARLY('E'), MARKER('M');

    private final char code;

    Kind(char code) {
      this.code = code;
    }

    public char code() {
      return code;
    }

    public static Kind of(char code) {
      for (Kind kind : values()) {
        if (kind.code == code) {
          return kind;
        }
      }
      throw new IllegalArgumentException("no index kind " + code);
    }
  }

  /** What is held for the key, or null. */
  Held held(String key);

  /**
   * The key, which held {@code previous} (as read by {@link #held}, null for nothing), now holds {@code next} (null:
   * nothing). Knowing what it replaces lets a state write only what changes.
   */
  void replace(String key, Held previous, Held next);

  /** The waiting prediction of the key, or null. */
  default PendingPrediction pending(String key) {
    return held(key) instanceof PendingPrediction pending ? pending : null;
  }

  /** The label of the key that waits for its prediction, or null. */
  default EarlyLabel early(String key) {
    return held(key) instanceof EarlyLabel early ? early : null;
  }

  /** The marker of the key, or null. */
  default Marker marker(String key) {
    return held(key) instanceof Marker marker ? marker : null;
  }

  /** Adds an index entry. */
  void schedule(Due due);

  /** Removes an index entry. */
  void unschedule(Due due);

  /** The index entries due at {@code now} (deadline at or before it), earliest first, at most {@code max}. */
  List<Due> due(long now, int max);
}
