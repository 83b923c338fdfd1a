package io.kloop.model;

import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.commons.statistics.descriptive.Quantile;

/**
 * How one feature's (or the output's) expected distribution is profiled, for training to record and the
 * monitor to compare against: a numeric profile has inner bin edges at the values' deciles (repeated edges
 * dropped), the share of values per bin ({@link Bins}) and a seeded, sorted random sample of at most
 * {@value #SAMPLE} values; a categorical or boolean profile has the share of each value, in the declared
 * order. A text profile ({@link #text}) has the numeric profile of the texts' lengths in characters, the
 * {@value #VOCABULARY} most frequent tokens ({@link TextTokens}) of at most {@value #LONGEST_TOKEN} characters, within
 * {@value #VOCABULARY_BYTES} bytes, as its vocabulary with the share of tokens
 * a new text is expected to bring outside it (those beyond the vocabulary and those seen only once), and the shares of the {@value #TOP_TOKENS} most frequent tokens, the rest under
 * {@value #OTHER_TOKENS}.
 */
public final class FeatureProfiles {

  public static final int BINS = 10;
  public static final int SAMPLE = 500;
  /** How many of the most frequent tokens a text profile keeps as its vocabulary. */
  public static final int VOCABULARY = 2_000;
  /** The longest token, in characters, a text profile names (in its vocabulary or top tokens). */
  public static final int LONGEST_TOKEN = 32;
  /** The most UTF-8 bytes a text profile's vocabulary takes, all its tokens together. */
  public static final int VOCABULARY_BYTES = 32 * 1024;
  /** How many of the most frequent tokens a text profile gives a share. */
  public static final int TOP_TOKENS = 20;
  /** The key of the share of every token outside the top ones; never a token, which is letters and digits. */
  public static final String OTHER_TOKENS = "*";

  private FeatureProfiles() {}

  public static FeatureProfile numeric(String name, double[] values, long seed) {
    List<Double> edges = new ArrayList<>();
    if (values.length > 0) {
      double[] deciles = Quantile.withDefaults().evaluate(values, IntStream.range(1, BINS).mapToDouble(i -> (double) i / BINS).toArray());
      for (double edge : deciles) {
        if (edges.isEmpty() || edge > edges.get(edges.size() - 1)) {
          edges.add(edge);
        }
      }
    }
    double[] proportions = Bins.proportions(edges, values);
    return FeatureProfile.newBuilder()
        .setName(name)
        .setType(FeatureType.NUMERIC)
        .setCount(values.length)
        .setBinEdges(edges)
        .setBinProportions(Arrays.stream(proportions).boxed().toList())
        .setSample(sample(values, seed))
        .setCategoryFrequencies(Map.of())
        .build();
  }

  private static List<Double> sample(double[] values, long seed) {
    double[] copy = values.clone();
    SplittableRandom random = new SplittableRandom(seed);
    int size = Math.min(SAMPLE, copy.length);
    for (int i = 0; i < size; i++) {
      int j = i + random.nextInt(copy.length - i);
      double swap = copy[i];
      copy[i] = copy[j];
      copy[j] = swap;
    }
    double[] chosen = Arrays.copyOf(copy, size);
    Arrays.sort(chosen);
    return Arrays.stream(chosen).boxed().toList();
  }

  public static FeatureProfile categorical(String name, FeatureType type, List<String> categories, List<?> values) {
    Map<String, Double> shares = new LinkedHashMap<>();
    categories.forEach(category -> shares.put(category, 0.0));
    for (Object value : values) {
      shares.merge(value.toString(), 1.0, Double::sum);
    }
    if (!values.isEmpty()) {
      shares.replaceAll((category, count) -> count / values.size());
    }
    return FeatureProfile.newBuilder()
        .setName(name)
        .setType(type)
        .setCount(values.size())
        .setBinEdges(List.of())
        .setBinProportions(List.of())
        .setSample(List.of())
        .setCategoryFrequencies(shares)
        .build();
  }

  /** The profile of a text feature's values (see the class comment); tokens of the same frequency rank alphabetically. */
  public static FeatureProfile text(String name, List<String> values, long seed) {
    FeatureProfile lengths = numeric(name, values.stream().mapToDouble(TextTokens::length).toArray(), seed);
    Map<String, Long> counts = new HashMap<>();
    long tokens = 0;
    for (String value : values) {
      for (String token : TextTokens.tokens(value)) {
        counts.merge(token, 1L, Long::sum);
        tokens++;
      }
    }
    // Only tokens of at most LONGEST_TOKEN characters are named, within VOCABULARY_BYTES: the profile travels in
    // ModelTrained and ModelApproved, which must stay far below Kafka's message size whatever the texts hold
    // (base64, hashes, long ids). Longer tokens stay in the counts, so they are part of the tail (unseen) and of *.
    List<String> ranked = counts.entrySet().stream()
        .filter(entry -> TextTokens.length(entry.getKey()) <= LONGEST_TOKEN)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey).toList();
    List<String> vocabulary = new ArrayList<>();
    long vocabularyBytes = 0;
    for (String token : ranked) {
      vocabularyBytes += token.getBytes(StandardCharsets.UTF_8).length;
      if (vocabulary.size() == VOCABULARY || vocabularyBytes > VOCABULARY_BYTES) {
        break;
      }
      vocabulary.add(token);
    }
    // Unseen in a new text: tokens beyond the vocabulary, plus (Good-Turing) the mass of tokens the reference saw
    // only once, the best estimate of how often a text brings a token the reference does not know. Without the
    // second part a reference of fewer than VOCABULARY distinct tokens would expect no unseen token at all, and
    // the first typo or name in a window would look like drift.
    long inVocabulary = vocabulary.stream().mapToLong(counts::get).filter(count -> count > 1).sum();
    Map<String, Double> shares = new LinkedHashMap<>();
    long top = 0;
    for (String token : ranked.subList(0, Math.min(TOP_TOKENS, ranked.size()))) {
      shares.put(token, tokens == 0 ? 0.0 : (double) counts.get(token) / tokens);
      top += counts.get(token);
    }
    shares.put(OTHER_TOKENS, tokens == 0 ? 0.0 : (double) (tokens - top) / tokens);
    return FeatureProfile.newBuilder(lengths)
        .setType(FeatureType.TEXT)
        .setCategoryFrequencies(shares)
        .setVocabulary(List.copyOf(vocabulary))
        .setUnseenShare(tokens == 0 ? 0.0 : (double) (tokens - inVocabulary) / tokens)
        .build();
  }
}
