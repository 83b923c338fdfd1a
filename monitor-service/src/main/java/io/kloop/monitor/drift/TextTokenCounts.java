package io.kloop.monitor.drift;

import io.kloop.events.FeatureProfile;
import io.kloop.model.FeatureProfiles;
import io.kloop.model.TextTokens;
import io.kloop.monitor.drift.DriftWindowAccumulator.NumericValues;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One text feature's part of a window, read the way the reference profile was made (model-support's
 * {@link TextTokens}): each text's length in characters, and counts of its tokens against the profile, never
 * the window's own vocabulary. Per window it holds the lengths (one double a text, as a numeric feature's
 * values), one count per top token of the profile, and totals: tokens, tokens outside the vocabulary, tokens
 * outside the top ones and texts with at least one token. The profile's vocabulary is read into a set once
 * per window.
 */
final class TextTokenCounts {

  private final Set<String> vocabulary;
  private final String[] top;
  private final Map<String, Integer> topIndex;
  private final long[] topCounts;
  private final NumericValues lengths = new NumericValues();
  private long tokens;
  private long unseen;
  private long otherTokens;
  private long textsWithTokens;

  TextTokenCounts(FeatureProfile profile) {
    vocabulary = new HashSet<>(profile.getVocabulary().size() * 2);
    profile.getVocabulary().forEach(token -> vocabulary.add(token.toString()));
    top = profile.getCategoryFrequencies().keySet().stream().map(Object::toString)
        .filter(token -> !token.equals(FeatureProfiles.OTHER_TOKENS)).toArray(String[]::new);
    topIndex = new HashMap<>(top.length * 2);
    for (int i = 0; i < top.length; i++) {
      topIndex.put(top[i], i);
    }
    topCounts = new long[top.length];
  }

  void add(CharSequence value) {
    String text = value.toString();
    lengths.add(TextTokens.length(text));
    List<String> words = TextTokens.tokens(text);
    if (words.isEmpty()) {
      return;
    }
    textsWithTokens++;
    for (String token : words) {
      tokens++;
      if (!vocabulary.contains(token)) {
        unseen++;
      }
      Integer index = topIndex.get(token);
      if (index == null) {
        otherTokens++;
      } else {
        topCounts[index]++;
      }
    }
  }

  /** Each text's length in characters (code points). */
  NumericValues lengths() {
    return lengths;
  }

  /** Whether the profile has a vocabulary to count unseen tokens against. */
  boolean hasVocabulary() {
    return !vocabulary.isEmpty();
  }

  /** All tokens of the window's texts. */
  long tokens() {
    return tokens;
  }

  /** Tokens not in the profile's vocabulary. */
  long unseen() {
    return unseen;
  }

  /** The profile's top tokens, in its order (without the rest's key). */
  String[] top() {
    return top;
  }

  /** Count per top token, in {@link #top()} order (the live array: do not modify). */
  long[] topCounts() {
    return topCounts;
  }

  /** Tokens that are not among the profile's top ones (seen in the vocabulary or not). */
  long otherTokens() {
    return otherTokens;
  }

  /** Texts with at least one token: the sample size of the token tests (see {@link DriftAnalyzer}). */
  long textsWithTokens() {
    return textsWithTokens;
  }
}
