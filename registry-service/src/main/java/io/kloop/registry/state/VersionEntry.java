package io.kloop.registry.state;

import java.time.Instant;

/**
 * A model version's standing; its training record ({@code ModelTrained}) is kept beside it, unchanged.
 *
 * @param decisionId the decision that gave the version its current status
 * @param reason that decision's reason
 */
public record VersionEntry(String model, int version, String runId, VersionStatus status, Instant registeredAt, Instant statusSince,
    String decisionId, String reason) {

  VersionEntry with(VersionStatus newStatus, Instant now, String newDecisionId, String newReason) {
    return new VersionEntry(model, version, runId, newStatus, registeredAt, now, newDecisionId, newReason);
  }
}
