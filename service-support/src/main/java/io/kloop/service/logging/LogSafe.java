package io.kloop.service.logging;

/**
 * Text as it may appear in a log line: every control character (C0, DEL, C1), the Unicode line and paragraph
 * separators and the bidirectional overrides are written as escapes ({@code \n}, {@code \u001b}, ...), so
 * nothing a client sends can break a log line, forge another one or drive a terminal. The log encoders of
 * every service apply it to messages and exception messages ({@link SafeMessageConverter},
 * {@link SafeThrowableConverter}); code need not call it itself.
 */
public final class LogSafe {

  private LogSafe() {}

  /** The text with every unsafe character escaped; the same instance when there is none (the usual case). */
  public static String escape(String text) {
    if (text == null) {
      return null;
    }
    int first = firstUnsafe(text);
    if (first < 0) {
      return text;
    }
    StringBuilder safe = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!unsafe(c)) {
        safe.append(c);
      } else if (c == '\n') {
        safe.append("\\n");
      } else if (c == '\r') {
        safe.append("\\r");
      } else if (c == '\t') {
        safe.append("\\t");
      } else {
        safe.append(String.format("\\u%04x", (int) c));
      }
    }
    return safe.toString();
  }

  /** The index of the first character {@link #escape} would escape, or -1 when there is none. */
  public static int firstUnsafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (unsafe(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Whether a log line must not carry this character as such: C0, DEL, C1, line separators, bidi controls. */
  public static boolean unsafe(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
  }
}
