package io.kloop.monitor;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The platform's rule for model names, as training declares them: 1 to {@value #MAX_LENGTH} lower-case
 * letters, digits, '.', '_' or '-', starting with a letter or digit. The monitor answers a path naming no
 * possible model with 400, and keeps no approval or prediction under such a name (they go to the dead-letter
 * topic or are skipped), so no identifier it holds, logs or stores is longer or stranger than this.
 */
public final class ModelNames {

  public static final int MAX_LENGTH = 63;
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  private ModelNames() {}

  /** What is wrong with the name, or nothing. */
  public static Optional<String> problem(String name) {
    if (name != null && NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    return Optional.of("'" + shown(name) + "' is not a model name: model names are 1 to " + MAX_LENGTH
        + " lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
  }

  /** At most 100 characters of a refused name, control characters escaped, so an error never echoes a long one. */
  private static String shown(String name) {
    if (name == null) {
      return "";
    }
    StringBuilder shown = new StringBuilder();
    name.codePoints().limit(100).forEach(c -> {
      if (Character.isISOControl(c)) {
        shown.append(String.format("\\u%04x", c));
      } else {
        shown.appendCodePoint(c);
      }
    });
    return name.codePointCount(0, name.length()) > 100 ? shown + "…" : shown.toString();
  }
}
