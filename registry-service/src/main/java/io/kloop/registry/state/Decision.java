package io.kloop.registry.state;

import io.kloop.events.ModelDecisionAction;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

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

  /** A decision to be recorded, filled in by name; the trail numbers it ({@link #numbered}) when it is recorded. */
  static Builder of(DecisionAction action) {
    return new Builder(action);
  }

  /** This decision as entry {@code place} of its model's trail. */
  Decision numbered(long place) {
    return new Decision(place, decisionId, at, action, version, previousChampion, actor, reason, violations);
  }

  /** The reason of a refused operator request, which names what was asked: {@code approve refused: ...}. */
  static String refusal(ModelDecisionAction action, String why) {
    return refusalPrefix(action) + why;
  }

  private static String refusalPrefix(ModelDecisionAction action) {
    return action.name().toLowerCase(Locale.ROOT) + " refused: ";
  }

  /**
   * Whether this decision is the outcome of an operator's request to {@code action}, on {@code version} when
   * the request names one: how a retry under the same idempotency key is told from another request.
   */
  public boolean answers(ModelDecisionAction action, Integer requestedVersion) {
    boolean sameAction = switch (action()) {
      case APPROVED -> action == ModelDecisionAction.APPROVE;
      case REJECTED -> action == ModelDecisionAction.REJECT;
      case ROLLED_BACK -> action == ModelDecisionAction.ROLLBACK;
      case REFUSED -> reason() != null && reason().startsWith(refusalPrefix(action));
      default -> false;
    };
    return sameAction && (requestedVersion == null || Objects.equals(requestedVersion, version()));
  }

  /** Builds a decision by naming its parts, which are too many, and too alike, to pass in order. */
  static final class Builder {

    private final DecisionAction action;
    private String decisionId;
    private Instant at;
    private Integer version;
    private Integer previousChampion;
    private String actor;
    private String reason;
    private List<String> violations = List.of();

    private Builder(DecisionAction action) {
      this.action = action;
    }

    Builder decisionId(String decisionId) {
      this.decisionId = decisionId;
      return this;
    }

    Builder at(Instant at) {
      this.at = at;
      return this;
    }

    Builder version(Integer version) {
      this.version = version;
      return this;
    }

    Builder previousChampion(Integer previousChampion) {
      this.previousChampion = previousChampion;
      return this;
    }

    Builder actor(String actor) {
      this.actor = actor;
      return this;
    }

    Builder reason(String reason) {
      this.reason = reason;
      return this;
    }

    Builder violations(List<String> violations) {
      this.violations = violations;
      return this;
    }

    /** The decision, not numbered yet (sequence 0). */
    Decision build() {
      return new Decision(0, decisionId, at, action, version, previousChampion, actor, reason, violations);
    }
  }
}
