package io.kloop.training.spec;

import io.kloop.service.web.ClientText;
import java.util.List;

/**
 * The rules for names, identifiers and free text that clients send: length limits, and no control
 * characters in identifiers (free text may hold tabs and line breaks; log lines escape them). Also how a
 * client's value is shown back in an error message: cut short, so an answer stays small whatever was sent.
 */
public final class Texts {

  /** A model's name: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit. */
  public static final String MODEL_NAME = ClientText.MODEL_NAME_REGEX;
  public static final int MAX_MODEL_NAME = ClientText.MAX_MODEL_NAME;

  /** A dataset's name as ingest allows it: lower-case letters, digits, '_' and '-', starting with a letter or digit. */
  public static final String DATASET_NAME = "[a-z0-9][a-z0-9_-]{0,62}";

  /** Who asks for something ({@code requestedBy}): an operator's or a service's name. */
  public static final int MAX_IDENTIFIER = 100;

  /** A comment or a reason. */
  public static final int MAX_FREE_TEXT = 1_000;

  /** The longest piece of a client's value repeated in an error message. */
  static final int SHOWN = 60;

  private Texts() {}

  /**
   * Checks an optional identifier ({@code null} is fine): not blank, at most {@code max} characters, no
   * control, format or separator characters and no unpaired surrogates.
   */
  public static void identifier(String field, String value, int max, List<String> problems) {
    if (value == null) {
      return;
    }
    if (value.isBlank()) {
      problems.add(field + " must not be blank");
    } else if (value.length() > max) {
      problems.add(field + " must be at most " + max + " characters (it has " + value.length() + ")");
    } else {
      int bad = ClientText.firstForbidden(value, false);
      if (bad >= 0) {
        problems.add(field + " must not hold control characters (found " + describe(value, bad) + " at position " + bad + ")");
      }
    }
  }

  /** Checks optional free text: at most {@code max} characters, no control characters but tab and line breaks. */
  public static void freeText(String field, String value, int max, List<String> problems) {
    if (value == null) {
      return;
    }
    if (value.length() > max) {
      problems.add(field + " must be at most " + max + " characters (it has " + value.length() + ")");
    } else {
      int bad = ClientText.firstForbidden(value, true);
      if (bad >= 0) {
        problems.add(field + " must not hold control characters other than tab and line breaks (found " + describe(value, bad)
            + " at position " + bad + ")");
      }
    }
  }

  /**
   * A client's value as an error message may repeat it: at most {@value #SHOWN} characters, then how many there
   * were, every character an identifier may not hold replaced ({@link ClientText#echo}).
   */
  public static String shown(String value) {
    if (value == null) {
      return "null";
    }
    String echoed = ClientText.echo(value, SHOWN);
    return value.length() <= SHOWN ? echoed : echoed + " (" + value.length() + " characters)";
  }

  private static String describe(String value, int index) {
    char c = value.charAt(index);
    return Character.isSurrogate(c) ? "an unpaired surrogate" : String.format("U+%04X", (int) c);
  }
}
