package io.kloop.monitor.truth;

import java.util.List;

/**
 * What the join keeps, by key ({@code model + "\0" + predictionId}): waiting predictions, labels that came before
 * their prediction, markers, and a time-ordered index of when each of them ends, so that expiry reads only what
 * is due. Setting null removes.
 */
public interface JoinState {

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

  PendingPrediction pending(String key);

  void pending(String key, PendingPrediction prediction);

  EarlyLabel early(String key);

  void early(String key, EarlyLabel label);

  Marker marker(String key);

  void marker(String key, Marker marker);

  /** Adds an index entry. */
  void schedule(Due due);

  /** Removes an index entry. */
  void unschedule(Due due);

  /** The index entries due at {@code now} (deadline at or before it), earliest first, at most {@code max}. */
  List<Due> due(long now, int max);
}
