package io.kloop.monitor.drift;

import java.util.List;

/**
 * The names under which a text feature's three drift statistics are reported, derived from the feature's
 * name: {@code <feature>:length} (the texts' lengths in characters, tested as a numeric feature),
 * {@code <feature>:unseen-tokens} (the share of tokens outside the reference's vocabulary) and
 * {@code <feature>:top-tokens} (the shares of the reference's most frequent tokens, the rest together),
 * the same {@code name:...} form as the output's probability test. A feature name may hold a colon, so a
 * feature literally named {@code review:length} beside a text feature {@code review} would share a name
 * in the report: the module README advises against colons in feature names.
 */
public final class TextDriftNames {

  public static final String LENGTH = ":length";
  public static final String UNSEEN_TOKENS = ":unseen-tokens";
  public static final String TOP_TOKENS = ":top-tokens";

  private TextDriftNames() {}

  /** The three derived names of a text feature, in the order its statistics are reported. */
  public static List<String> of(String feature) {
    return List.of(feature + LENGTH, feature + UNSEEN_TOKENS, feature + TOP_TOKENS);
  }
}
