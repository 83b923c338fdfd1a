package io.kloop.registry.state;

import java.time.Instant;
import java.util.List;

/**
 * One entry of a model's audit trail: what happened, to which version, who decided, why and when.
 *
 * @param sequence the entry's place in the model's trail, from 1
 * @param decisionId the id the registry's events carry for this decision (an operator request's event id)
 * @param version the version decided on (for a rollback: the version returned to); null when a refused request named none
 * @param previousChampion the champion before the decision, when it changed the champion
 * @param violations the policy rules a rejected version broke
 */
public record Decision(long sequence, String decisionId, Instant at, DecisionAction action, Integer version, Integer previousChampion,
    String actor, String reason, List<String> violations) {

  public Decision {
    violations = violations == null ? List.of() : List.copyOf(violations);
  }
}
