package io.kloop.service.web;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The platform's rules for names and text that clients send, shared by every service so that a name one
 * service accepts is one every other accepts: model names, which characters an identifier or free text may
 * hold, and how a client's text is repeated back in an error (short, and harmless).
 *
 * <p>An identifier may not hold a control character (Unicode category Cc), an invisible format character (Cf,
 * e.g. a bidirectional override), a line or paragraph separator, or half of a surrogate pair (which cannot be
 * written as UTF-8). Free text (a reason, a comment, a description) may hold tabs, line breaks and format
 * characters (an emoji's joiner), no other control character and no half surrogate pair. Log lines escape
 * whatever remains ({@link io.kloop.service.logging.LogSafe}).
 */
public final class ClientText {

  /** A model's name: 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit. */
  public static final String MODEL_NAME_REGEX = "[a-z0-9][a-z0-9._-]{0,62}";

  /** The longest model name. */
  public static final int MAX_MODEL_NAME = 63;

  /**
   * The longest prediction id anything that refers to a served prediction takes (a label, a feedback record):
   * inference hands out ids of at most 139 characters (a client's own of 128, or a 128-character request id, '/'
   * and an instance index), with room to spare.
   */
  public static final int MAX_PREDICTION_ID = 256;

  private static final Pattern MODEL_NAME = Pattern.compile(MODEL_NAME_REGEX);

  /** At most this many characters of a refused name are repeated in an error. */
  static final int MAX_ECHOED_NAME = 100;

  private ClientText() {}

  public static boolean isModelName(String name) {
    return name != null && MODEL_NAME.matcher(name).matches();
  }

  /** What is wrong with a model name, or nothing. */
  public static Optional<String> modelNameProblem(String name) {
    if (isModelName(name)) {
      return Optional.empty();
    }
    return Optional.of("'" + echo(name == null ? "" : name, MAX_ECHOED_NAME) + "' is not a model name: model names are 1 to "
        + MAX_MODEL_NAME + " lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
  }

  /** The index of the first character an identifier ({@code freeText} false) or free text may not hold, or -1. */
  public static int firstForbidden(CharSequence text, boolean freeText) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
        continue;
      }
      if (Character.isSurrogate(c) || forbidden(c, freeText)) {
        return i;
      }
    }
    return -1;
  }

  /** The character at {@code index} for an error: {@code U+0007 at position 3}, or a half surrogate pair. */
  public static String describe(CharSequence text, int index) {
    char c = text.charAt(index);
    return (Character.isSurrogate(c) ? "half of a surrogate pair" : String.format("a control or invisible character (U+%04X)", (int) c))
        + " at position " + index;
  }

  /**
   * The text as an answer or a dead letter may repeat it: at most {@code maxChars} characters (then "…"), every
   * character an identifier may not hold replaced by '?'.
   */
  public static String echo(CharSequence text, int maxChars) {
    if (text == null) {
      return null;
    }
    int length = Math.min(text.length(), maxChars);
    if (length > 0 && length < text.length() && Character.isHighSurrogate(text.charAt(length - 1))) {
      length--;
    }
    StringBuilder safe = new StringBuilder(length + 1);
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        boolean paired = Character.isHighSurrogate(c) ? i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))
            : i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
        safe.append(paired ? c : '?');
      } else {
        safe.append(forbidden(c, false) ? '?' : c);
      }
    }
    if (length < text.length()) {
      safe.append('…');
    }
    return safe.toString();
  }

  /**
   * The text, cut to at most {@code max} characters, saying how many were left out. A plain text function, so that
   * a service's domain can bound a reason the way an error answer bounds its message without calling the HTTP edge.
   */
  public static String clip(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int keep = Math.max(0, max - 32);
    if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) {
      keep--;
    }
    return text.substring(0, keep) + "… (" + (text.length() - keep) + " more characters)";
  }

  private static boolean forbidden(char c, boolean freeText) {
    int type = Character.getType(c);
    if (freeText) {
      return type == Character.CONTROL && c != '\t' && c != '\n' && c != '\r';
    }
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }
}
