package io.kloop.registry.state;

/** Where a model version stands. */
public enum VersionStatus {
  /** Waiting for an operator: the policy is in manual mode, or could not compare it with the champion. */
  PENDING,
  /** Served now: the model's champion. */
  CHAMPION,
  /** Was champion until a newer version was approved; a rollback can bring it back. */
  RETIRED,
  /** Was champion until an operator rolled the model back past it; a rollback naming it can bring it back. */
  ROLLED_BACK,
  /** Failed the promotion policy or was rejected by an operator; never served. */
  REJECTED
}
