package io.kloop.monitor.truth;

/**
 * What the join remembers of a prediction it no longer holds, for a while ({@code marker-retention}): that it
 * was joined (a second label is a duplicate) or that its horizon passed unlabelled (its label is late).
 *
 * @param kind joined or expired
 * @param until until when it is remembered, epoch milliseconds
 */
public record Marker(Kind kind, long until) implements JoinState.Held {

  /** Why the prediction is no longer held. */
  public enum Kind {
    /** Joined to its label. */
    JOINED,
    /** Its after-horizon passed without a label. */
    EXPIRED
  }
}
