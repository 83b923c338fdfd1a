package io.kloop.registry;

import io.kloop.service.web.ClientText;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The registry's limits on what it takes in, over HTTP and from Kafka: names, ids and free text. One rule
 * per kind, so the API refuses (400) what the processor would not keep, and the processor sends to the
 * dead-letter topic what the API could never name. Each check answers the problem in words, or nothing.
 */
public final class RegistryLimits {

  /** Model names as training declares them: 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit. */
  public static final int MAX_MODEL_NAME = ClientText.MAX_MODEL_NAME;
  /** Operator names (the actor of their decisions): letters, digits, '.', '_', '-', '@'. */
  public static final Pattern OPERATOR_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  public static final int MAX_OPERATOR_NAME = 64;
  /** Actors recorded in the audit trail (operators, {@code policy:auto}, the service that trained a version). */
  public static final int MAX_ACTOR = 200;
  /** A reason or comment an operator gives, after trimming. */
  public static final int MAX_REASON = 2_000;
  /** The longest {@code Idempotency-Key}. */
  public static final int MAX_IDEMPOTENCY_KEY = 200;
  /** Training run ids and request ids. */
  public static final int MAX_ID = 200;
  /** Versions are numbered from 1. */
  public static final int FIRST_VERSION = 1;

  private RegistryLimits() {}

  public static Optional<String> modelNameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("a model name is required");
    }
    return ClientText.modelNameProblem(name);
  }

  public static Optional<String> operatorNameProblem(String name) {
    return name != null && OPERATOR_NAME.matcher(name).matches() ? Optional.empty()
        : Optional.of("operator name '" + ClientText.echo(name == null ? "" : name, 100) + "' must be 1 to " + MAX_OPERATOR_NAME
            + " letters, digits, '.', '_', '-' or '@', starting with a letter or digit");
  }

  public static Optional<String> versionProblem(long version) {
    return version >= FIRST_VERSION ? Optional.empty()
        : Optional.of("version " + version + " does not exist: versions are numbered from " + FIRST_VERSION);
  }

  /** An operator's reason (already trimmed): at most {@value #MAX_REASON} characters, no control characters but tabs and line breaks. */
  public static Optional<String> reasonProblem(String reason) {
    if (reason.length() > MAX_REASON) {
      return Optional.of("the reason has " + reason.length() + " characters; at most " + MAX_REASON);
    }
    return controlCharacter(reason, true).map(at -> "the reason has a control character (" + at + "); only tabs and line breaks are allowed");
  }

  /** An {@code Idempotency-Key}: 1 to {@value #MAX_IDEMPOTENCY_KEY} visible ASCII characters or spaces, not only spaces. */
  public static Optional<String> idempotencyKeyProblem(String key) {
    if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY || !key.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
      return Optional.of("an idempotency key must have 1 to " + MAX_IDEMPOTENCY_KEY + " visible ASCII characters (spaces allowed, not only spaces)");
    }
    return Optional.empty();
  }

  /** An id (a run id, a request id, an actor) of at most {@code max} characters without control characters. */
  public static Optional<String> idProblem(String what, String id, int max) {
    if (id == null || id.isEmpty() || id.length() > max) {
      return Optional.of(what + " must have 1 to " + max + " characters, not " + (id == null ? 0 : id.length()));
    }
    return controlCharacter(id, false).map(at -> what + " has a control character (" + at + ")");
  }

  /** Where the first character the text may not hold is (the platform's rules, {@link ClientText}), as {@code U+0007 at 3}. */
  private static Optional<String> controlCharacter(String text, boolean freeText) {
    int bad = ClientText.firstForbidden(text, freeText);
    return bad < 0 ? Optional.empty() : Optional.of(String.format("U+%04X at %d", (int) text.charAt(bad), bad));
  }
}
