package io.kloop.monitor.truth;

import io.kloop.service.web.ClientText;
import java.util.Optional;

/**
 * What a label must be, whoever writes it (a Kafka producer, or the monitor's HTTP intake): its prediction id and its
 * class are identifiers (the platform's rules, {@link ClientText}), neither empty nor longer than their limits.
 */
public final class TruthLimits {

  /** Longest prediction id: inference's request ids (128) with an instance index, or a client's own id. */
  public static final int MAX_PREDICTION_ID = ClientText.MAX_PREDICTION_ID;
  /** Longest label: as ingest's longest class of a label. */
  public static final int MAX_LABEL = 128;

  private TruthLimits() {}

  public static Optional<String> predictionIdProblem(String id) {
    return problem("predictionId", id, MAX_PREDICTION_ID);
  }

  public static Optional<String> labelProblem(String label) {
    return problem("label", label, MAX_LABEL);
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
