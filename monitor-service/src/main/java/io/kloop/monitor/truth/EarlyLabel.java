package io.kloop.monitor.truth;

/**
 * A label that came before its prediction, waiting for it in the {@code truth-held} store. It keeps its record
 * (value bytes, timestamp, where it was read), so that it can still be dead-lettered as it came when its
 * prediction never does.
 *
 * @param label the true class
 * @param observedAt when the truth was observed, epoch milliseconds
 * @param arrivedAt when it reached the join, by the monitor's clock, epoch milliseconds
 * @param deadline until when it waits for its prediction: {@code arrivedAt} plus the before-horizon
 * @param record the label's record as read, for its dead letter
 */
public record EarlyLabel(String label, long observedAt, long arrivedAt, long deadline, Source record) implements JoinState.Held {

  /**
   * A record as read from its topic.
   *
   * @param topic the topic it was read from
   * @param partition its partition
   * @param offset its offset
   * @param timestamp its timestamp
   * @param value its value bytes
   */
  public record Source(String topic, int partition, long offset, long timestamp, byte[] value) {}

  /** The label as it arrives, before the join decides whether it waits. */
  public static EarlyLabel arriving(String label, long observedAt, Source record) {
    return new EarlyLabel(label, observedAt, 0, 0, record);
  }

  EarlyLabel waiting(long now, long deadline) {
    return new EarlyLabel(label, observedAt, now, deadline, record);
  }
}
