package io.kloop.registry.state;

/** What an entry of a model's audit trail records. */
public enum DecisionAction {
  /** A training run's model became a new version. */
  REGISTERED,
  /** A version became champion (by the policy or an operator). */
  APPROVED,
  /** A version was rejected (by the policy or an operator). */
  REJECTED,
  /** The policy held a version for an operator. */
  HELD,
  /** An operator rolled the model back to an earlier version. */
  ROLLED_BACK,
  /** An operator's request could not be applied (for example, the version was no longer pending). */
  REFUSED
}
