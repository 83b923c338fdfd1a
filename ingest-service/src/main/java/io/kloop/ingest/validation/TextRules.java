package io.kloop.ingest.validation;

import io.kloop.service.web.ClientText;

/**
 * Limits of the names and text a client sends, and how the service repeats a client's text back to it
 * (in an answer or a dead letter's reason): short, and without characters that could forge a line.
 *
 * <p>An identifier (record id, feature, label or id field name, category, class) is refused when it is
 * longer than its limit or holds a control character (Unicode category Cc), an invisible format character
 * (Cf, e.g. a bidirectional override), a line or paragraph separator, or half of a surrogate pair (which
 * could not be written as UTF-8). Free text (a feature's description) may hold tabs, line breaks and format
 * characters, no other control characters: the platform's rules ({@link ClientText}).
 */
public final class TextRules {

  /** Longest record id, in characters. */
  public static final int MAX_RECORD_ID_CHARS = 256;

  /** Longest id field, feature or label name, in characters. */
  public static final int MAX_NAME_CHARS = 64;

  /** Longest category of a categorical feature or class of the label, in characters. */
  public static final int MAX_VALUE_CHARS = 128;

  /** Longest description of a feature, in characters. */
  public static final int MAX_DESCRIPTION_CHARS = 1_000;

  /** At most this many characters of a client's text are repeated back to it. */
  public static final int MAX_ECHO_CHARS = 40;

  private TextRules() {}

  /**
   * What is wrong with an identifier, as {@code "<what> is longer than ..."}; null when it is fine. Blank
   * identifiers are the caller's to check (their message depends on what is missing).
   */
  public static String identifierProblem(String what, String value, int maxChars) {
    if (value.length() > maxChars) {
      return what + " is longer than " + maxChars + " characters (" + value.length() + ")";
    }
    String bad = firstForbidden(value, false);
    return bad == null ? null : what + " contains " + bad;
  }

  /** As {@link #identifierProblem}, for free text: tabs and line breaks are allowed. */
  public static String freeTextProblem(String what, String value, int maxChars) {
    if (value.length() > maxChars) {
      return what + " is longer than " + maxChars + " characters (" + value.length() + ")";
    }
    String bad = firstForbidden(value, true);
    return bad == null ? null : what + " contains " + bad;
  }

  /**
   * The text as it may be repeated to a client: at most {@code maxChars} characters (then "…"), every
   * character an identifier may not hold replaced by '?' ({@link ClientText#echo}).
   */
  public static String echo(CharSequence text, int maxChars) {
    return ClientText.echo(text, maxChars);
  }

  /** As {@link #echo(CharSequence, int)} with {@link #MAX_ECHO_CHARS}. */
  public static String echo(CharSequence text) {
    return echo(text, MAX_ECHO_CHARS);
  }

  private static String firstForbidden(String value, boolean freeText) {
    int bad = ClientText.firstForbidden(value, freeText);
    return bad < 0 ? null : ClientText.describe(value, bad);
  }
}
