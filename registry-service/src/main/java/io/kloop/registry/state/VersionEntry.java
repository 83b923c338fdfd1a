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
   * A new version of {@code model}, built by naming its parts; it stands {@link VersionStatus#PENDING} as
   * {@code registered} until its first decision. Every later standing is that entry {@link #with} a new status.
   */
  static Builder of(String model, int version) {
    return new Builder(model, version);
  }

  VersionEntry with(VersionStatus newStatus, Instant now, String newDecisionId, String newReason) {
    return new VersionEntry(model, version, runId, newStatus, registeredAt, now, newDecisionId, newReason);
  }

  /** Builds a new version's entry by naming its parts, which are too many, and too alike, to pass in order. */
  static final class Builder {

    private final String model;
    private final int version;
    private String runId;
    private Instant registeredAt;
    private String decisionId;

    private Builder(String model, int version) {
      this.model = model;
      this.version = version;
    }

    Builder runId(String runId) {
      this.runId = runId;
      return this;
    }

    Builder registeredAt(Instant registeredAt) {
      this.registeredAt = registeredAt;
      return this;
    }

    /** The registration's id: the run's {@code ModelTrained} event id. */
    Builder decisionId(String decisionId) {
      this.decisionId = decisionId;
      return this;
    }

    /** The version as registered: pending since its registration. */
    VersionEntry registered() {
      return new VersionEntry(model, version, runId, VersionStatus.PENDING, registeredAt, registeredAt, decisionId, "registered");
    }
  }
}
