package io.kloop.schemas;

import io.kloop.events.FeatureSpec;
import io.kloop.events.SignatureField;

/**
 * The contract's rules for TEXT features that every service applies the same way: how long a value may be
 * and how its length is counted (Unicode code points, so a character outside the Basic Multilingual Plane
 * counts once). How text is split into tokens is model-support's {@code TextTokens}.
 */
public final class TextFeatures {

  /** The length a text feature may have when its spec names none (FeatureSpec.maxLength null). */
  public static final int DEFAULT_MAX_LENGTH = 2_000;
  /** The largest maxLength a dataset spec may declare. */
  public static final int MAX_LENGTH_LIMIT = 100_000;

  private TextFeatures() {}

  /** The most characters the feature's values may have. */
  public static int maxLength(FeatureSpec feature) {
    return feature.getMaxLength() == null ? DEFAULT_MAX_LENGTH : feature.getMaxLength();
  }

  /** The most characters the input's values may have. */
  public static int maxLength(SignatureField input) {
    return input.getMaxLength() == null ? DEFAULT_MAX_LENGTH : input.getMaxLength();
  }

  /** Length in characters (code points), the unit of maxLength and of text length drift. */
  public static int length(CharSequence text) {
    return Character.codePointCount(text, 0, text.length());
  }

  /** Whether the text is longer than {@code maxLength} characters, without counting code points for short texts. */
  public static boolean tooLong(CharSequence text, int maxLength) {
    return text.length() > maxLength && length(text) > maxLength;
  }
}
