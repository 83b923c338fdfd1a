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

  /**
   * A new version of a model, made by training run {@code runId} and registered at {@code at} by the run's
   * {@code ModelTrained} (its event id, {@code registration}): it stands {@link VersionStatus#PENDING} until its
   * first decision. Every later standing is that entry {@link #with} a new status.
   */
  static VersionEntry registered(String model, int version, String runId, Instant at, String registration) {
    return new VersionEntry(model, version, runId, VersionStatus.PENDING, at, at, registration, "registered");
  }

  VersionEntry with(VersionStatus newStatus, Instant now, String newDecisionId, String newReason) {
    return new VersionEntry(model, version, runId, newStatus, registeredAt, now, newDecisionId, newReason);
  }
}
