package io.kloop.monitor.drift;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded review-like texts for text drift tests: 6 to 20 words from small positive, negative and neutral
 * lists, and on demand a share of words replaced by random strings of about the same length, which no
 * list holds (starting with "zx": a vocabulary shift that keeps the lengths of words of 3 letters or more).
 */
public final class ReviewTexts {

  static final List<String> POSITIVE = List.of("great", "excellent", "love", "wonderful", "perfect", "happy", "recommend",
      "amazing", "best", "enjoyed");
  static final List<String> NEGATIVE = List.of("terrible", "awful", "hate", "broken", "worst", "refund", "disappointed",
      "poor", "waste", "boring");
  static final List<String> NEUTRAL = List.of("the", "a", "product", "it", "was", "this", "and", "i", "with", "for",
      "delivery", "price", "quality", "box", "time", "day", "battery", "screen", "size", "colour");

  private ReviewTexts() {}

  /** A review: mostly neutral words and 2 to 4 words of its sentiment; each word unseen with probability {@code unseen}. */
  public static String review(SplittableRandom random, boolean positive, double unseen) {
    int words = 6 + random.nextInt(15);
    int sentiment = 2 + random.nextInt(3);
    StringBuilder text = new StringBuilder();
    for (int w = 0; w < words; w++) {
      List<String> from = w < sentiment ? (positive ? POSITIVE : NEGATIVE) : NEUTRAL;
      String word = from.get(random.nextInt(from.size()));
      if (random.nextDouble() < unseen) {
        word = randomWord(random, Math.max(3, word.length()));
      }
      text.append(w == 0 ? "" : w % 5 == 0 ? ", " : " ").append(word);
    }
    return text.append(positive ? "!" : ".").toString();
  }

  private static String randomWord(SplittableRandom random, int length) {
    // "zx" starts no word of the lists, so a random word is never one of them.
    StringBuilder word = new StringBuilder("zx");
    for (int i = 2; i < length; i++) {
      word.append((char) ('a' + random.nextInt(26)));
    }
    return word.toString();
  }
}
