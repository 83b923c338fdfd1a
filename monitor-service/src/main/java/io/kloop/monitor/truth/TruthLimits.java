package io.kloop.monitor.truth;

import io.kloop.service.web.ClientText;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a label must be, whoever writes it (a Kafka producer, or the monitor's HTTP intake): its prediction id, its
 * class and its source are identifiers (the platform's rules, {@link ClientText}), neither empty nor longer than
 * their limits, and its observed time lies between 1970 and a day ahead of the monitor's clock.
 */
public final class TruthLimits {

  /** Longest prediction id: inference's request ids (128) with an instance index, or a client's own id. */
  public static final int MAX_PREDICTION_ID = ClientText.MAX_PREDICTION_ID;
  /** Longest label: as ingest's longest class of a label. */
  public static final int MAX_LABEL = 128;
  /** Longest source: a system's name, or {@code http:<caller>}. */
  public static final int MAX_SOURCE = 256;
  /**
   * Largest label record (its value, as written to Kafka), in bytes. A label that comes before its prediction is held
   * with its record, to be dead-lettered as it came if the prediction never does; its fields' limits add up to about
   * 2.7 KB in the worst case (multi-byte characters), and its event id and producer are free, so this bounds what a
   * held label costs.
   */
  public static final int MAX_LABEL_RECORD_BYTES = 4_096;
  /**
   * How far ahead of the monitor's clock an observed time may be: clocks of the systems that report labels are not
   * the monitor's, and a day covers any honest skew (and a time zone given wrongly) while refusing a year typed wrong.
   */
  public static final Duration MAX_OBSERVED_AHEAD = Duration.ofDays(1);

  private TruthLimits() {}

  public static Optional<String> predictionIdProblem(String id) {
    return problem("predictionId", id, MAX_PREDICTION_ID);
  }

  public static Optional<String> labelProblem(String label) {
    return problem("label", label, MAX_LABEL);
  }

  public static Optional<String> labelRecordProblem(byte[] value) {
    return value.length <= MAX_LABEL_RECORD_BYTES ? Optional.empty()
        : Optional.of("the label's record is larger than " + MAX_LABEL_RECORD_BYTES + " bytes (" + value.length + ")");
  }

  public static Optional<String> sourceProblem(String source) {
    return problem("source", source, MAX_SOURCE);
  }

  /**
   * Why an observed time cannot be taken: before 1970 (the start of epoch milliseconds, which events carry), or more
   * than {@link #MAX_OBSERVED_AHEAD} after {@code now} (which also keeps it within what epoch milliseconds can hold).
   */
  public static Optional<String> observedTimeProblem(Instant observed, Instant now) {
    if (observed.isBefore(Instant.EPOCH)) {
      return Optional.of("observedTime " + observed + " is before 1970-01-01T00:00:00Z");
    }
    Instant latest = now.plus(MAX_OBSERVED_AHEAD);
    if (observed.isAfter(latest)) {
      return Optional.of("observedTime " + observed + " is more than 1 day after the monitor's clock (" + now + ")");
    }
    return Optional.empty();
  }

  private static Optional<String> problem(String what, String value, int max) {
    if (value == null || value.isEmpty()) {
      return Optional.of(what + " is empty");
    }
    if (value.length() > max) {
      return Optional.of(what + " is longer than " + max + " characters (" + value.length() + ")");
    }
    int bad = ClientText.firstForbidden(value, false);
    return bad < 0 ? Optional.empty() : Optional.of(what + " contains " + ClientText.describe(value, bad));
  }
}
