package io.kloop.monitor.truth;

import java.util.Locale;

/** What became of a label; every outcome but {@link #JOINED} is dead-lettered with its reason. */
public enum Outcome {
  /** Joined to its prediction. */
  JOINED,
  /** Came after its prediction's after-horizon. */
  LATE,
  /** No prediction of that id came within the before-horizon. */
  UNKNOWN,
  /** Its prediction was joined already, or another label for it waits already. */
  DUPLICATE,
  /** Not one of the version's output classes. */
  UNKNOWN_CLASS;

  /** As a metric tag and a dead letter's kind: {@code unknown-class}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
