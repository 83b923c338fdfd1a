package io.kloop.training.spec;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * One hyperparameter of an algorithm family: its name, whether it takes whole numbers or any number, the
 * range of values a spec may ask for (both ends included) and the values tried when a grid leaves it out.
 * A value outside the range is refused when the spec is declared, so no spec can ask for unbounded work.
 */
public record Hyperparameter(String name, boolean whole, double min, double max, List<String> defaults) {

  /** The longest value (as text) a grid may hold; longer ones are refused before they are parsed. */
  public static final int MAX_VALUE_CHARS = 32;

  public Hyperparameter {
    defaults = List.copyOf(defaults);
  }

  static Hyperparameter whole(String name, long min, long max, String... defaults) {
    return new Hyperparameter(name, true, min, max, List.of(defaults));
  }

  static Hyperparameter real(String name, double min, double max, String... defaults) {
    return new Hyperparameter(name, false, min, max, List.of(defaults));
  }

  /** The range in words, e.g. {@code a whole number from 1 to 1000} or {@code a number from 1e-06 to 10}. */
  public String range() {
    return (whole ? "a whole number" : "a number") + " from " + format(min) + " to " + format(max);
  }

  /** Why the value cannot be used, or null when it can. */
  public String problem(String value) {
    if (value == null) {
      return "must be " + range() + ", not null";
    }
    if (value.length() > MAX_VALUE_CHARS) {
      return "must be " + range() + " (at most " + MAX_VALUE_CHARS + " characters), not a " + value.length() + "-character text";
    }
    try {
      parse(value);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** The value as a number; throws with a message naming the range when it is not one in range. */
  public double parse(String value) {
    BigDecimal exact;
    try {
      // Decimal notation only (10, 0.5, 1e-3): no NaN, Infinity, hexadecimal or type suffixes.
      exact = new BigDecimal(value.trim());
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("must be " + range() + ", not '" + value + "'");
    }
    boolean fraction = exact.signum() != 0 && exact.stripTrailingZeros().scale() > 0;
    if ((whole && fraction) || exact.compareTo(BigDecimal.valueOf(min)) < 0 || exact.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw new IllegalArgumentException("must be " + range() + ", not " + value.trim());
    }
    return exact.doubleValue();
  }

  private static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.format(Locale.ROOT, "%d", (long) value);
    }
    return BigDecimal.valueOf(value).stripTrailingZeros().toString().toLowerCase(Locale.ROOT).replace("e+", "e");
  }
}
