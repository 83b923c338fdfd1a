package io.kloop.model;

import io.kloop.schemas.TextFeatures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * How the platform reads a text feature, in one place for every service: training's hashed token columns,
 * serving's encoding of the same text, the reference profile's vocabulary and the monitor's text drift. A
 * token is a maximal run of letters and digits (Unicode), lower-cased in the root locale; everything else
 * separates tokens. A token's bucket is its 32-bit MurmurHash3 (x86, seed 0) of the UTF-8 bytes, modulo the
 * number of buckets, so an encoding needs no vocabulary and an unseen word still lands in a column.
 */
public final class TextTokens {

  private TextTokens() {}

  /** The text's tokens, in order. */
  public static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    int start = -1;
    int i = 0;
    while (i <= text.length()) {
      int codePoint = i < text.length() ? text.codePointAt(i) : ' ';
      boolean word = i < text.length() && Character.isLetterOrDigit(codePoint);
      if (word && start < 0) {
        start = i;
      } else if (!word && start >= 0) {
        tokens.add(text.substring(start, i).toLowerCase(Locale.ROOT));
        start = -1;
      }
      i += Character.charCount(codePoint);
    }
    return tokens;
  }

  /** Length in characters (Unicode code points), the unit of FeatureSpec.maxLength and of text length drift. */
  public static int length(String text) {
    return TextFeatures.length(text);
  }

  /** The column (0..buckets-1) a token's counts go to. */
  public static int bucket(String token, int buckets) {
    return Math.floorMod(MurmurHash3.hash32x86(token.getBytes(StandardCharsets.UTF_8)), buckets);
  }

  /**
   * Adds the text's hashed term frequencies to {@code row} from column {@code start} on: each token adds
   * {@code 1 / tokens} to its bucket's column, so the columns sum to 1 (0 for a text without tokens).
   */
  public static void encodeInto(String text, int buckets, float[] row, int start) {
    List<String> tokens = tokens(text);
    if (tokens.isEmpty()) {
      return;
    }
    float share = 1f / tokens.size();
    for (String token : tokens) {
      row[start + bucket(token, buckets)] += share;
    }
  }
}
