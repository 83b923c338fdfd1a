package io.kloop.producer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded synthetic product reviews with controlled drift: a text feature {@code review} and the label
 * {@code sentiment} ({@code positive} or {@code negative}, even odds). A review is two to five sentences from
 * fixed templates over fixed word lists (products, fillers, positive and negative words); each sentiment word
 * agrees with the label with probability {@value #AGREEMENT}, so a bag-of-words model reaches about 0.88
 * accuracy (TF-IDF and logistic regression, 5-fold cross-validation on 1,000 reviews), not 1. Drift, applied as the world changes under a fixed model:
 * <ul>
 *   <li>{@code unseen}: each word is replaced, with this probability, by a word of a second vocabulary (new slang
 *       and product names) that never appears at 0, so the share of unseen tokens is about {@code unseen};</li>
 *   <li>{@code longer}: the number of sentences is multiplied by this factor (at least one), up to
 *       {@value #MAX_LENGTH} characters, whole sentences only.</li>
 * </ul>
 * Each record draws from its own split of the seed's stream, and the drift's word replacement from another, so
 * the same seed gives the same labels under any drift and the same records under the same drift.
 */
public final class SyntheticReviews {

  public static final String FEATURE = "review";
  public static final String LABEL = "sentiment";
  public static final String POSITIVE = "positive";
  public static final String NEGATIVE = "negative";
  /** The longest review, in characters: the {@code maxLength} of the spec. */
  public static final int MAX_LENGTH = 500;
  /** Chance that a sentiment word agrees with the review's label. */
  static final double AGREEMENT = 0.85;

  static final List<String> PRODUCTS = List.of(
      "battery", "screen", "case", "cable", "charger", "handle", "lid", "strap", "button", "speaker", "lamp", "kettle",
      "blender", "jacket", "shoe", "backpack", "bottle", "chair", "desk", "keyboard", "mouse", "camera", "lens",
      "printer", "router", "headset", "watch", "blanket", "pillow", "toaster");
  static final List<String> POSITIVE_WORDS = List.of(
      "great", "excellent", "perfect", "sturdy", "reliable", "comfortable", "fantastic", "solid", "smooth", "bright",
      "quiet", "durable", "lovely", "superb", "brilliant", "handy", "wonderful", "impressive", "pleasant", "flawless");
  static final List<String> NEGATIVE_WORDS = List.of(
      "broken", "terrible", "awful", "flimsy", "useless", "disappointing", "noisy", "slow", "faulty", "poor",
      "leaky", "cracked", "horrible", "annoying", "dead", "scratched", "fragile", "bad", "defective", "unreliable");
  static final List<String> INTENSIFIERS = List.of("very", "really", "quite", "so", "pretty", "rather");
  static final List<String> PERIODS = List.of("week", "month", "year", "fortnight");
  static final List<String> PACKAGES = List.of("box", "parcel", "bag", "crate");
  /** Words never used without drift: new slang and new product names. */
  static final List<String> UNSEEN_WORDS = List.of(
      "yeet", "bussin", "lowkey", "vibey", "drip", "sus", "glowup", "slaps", "nocap", "rizz", "zoomtab", "pixelon",
      "vortexa", "nimbusx", "qwikcharge", "flexiband", "aerobud", "snapdock", "lumisphere", "hyperpod", "tekko",
      "zenbrew", "orbix", "quantafit", "plexo", "mistrel", "valdor", "kirrin", "sorvex", "yuzuphone");

  /** How the generated reviews differ from the reference: the share of unseen words and a length factor. */
  public record Drift(double unseen, double longer) {
    public static final Drift NONE = new Drift(0, 1);

    public Drift {
      if (!(unseen >= 0 && unseen <= 1)) {
        throw new IllegalArgumentException("--unseen needs a share from 0 to 1, got " + unseen);
      }
      if (!(longer > 0 && longer <= 10)) {
        throw new IllegalArgumentException("--longer needs a factor above 0 and at most 10, got " + longer);
      }
    }
  }

  private final SplittableRandom records;
  private final SplittableRandom replacements;
  private final Drift drift;
  private final String idPrefix;
  private long next = 1;

  public SyntheticReviews(long seed, Drift drift, String idPrefix) {
    this.records = new SplittableRandom(seed);
    this.replacements = new SplittableRandom(seed ^ 0x5DEECE66DL);
    this.drift = drift;
    this.idPrefix = idPrefix;
  }

  /** The next review; ids are the prefix and the record's number from 1, five digits ({@code review-00001}). */
  public SourceRecord next() {
    SplittableRandom random = records.split();
    SplittableRandom replace = replacements.split();
    boolean positive = random.nextBoolean();
    int sentences = Math.max(1, (int) Math.round((2 + random.nextInt(4)) * drift.longer()));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < sentences; i++) {
      String sentence = sentence(random, replace, positive);
      int length = text.length() + (text.isEmpty() ? 0 : 1) + sentence.length();
      if (length > MAX_LENGTH) {
        break;
      }
      text.append(text.isEmpty() ? "" : " ").append(sentence);
    }
    Map<String, Object> features = new LinkedHashMap<>();
    features.put(FEATURE, text.toString());
    return new SourceRecord(String.format("%s%05d", idPrefix, next++), features, positive ? POSITIVE : NEGATIVE);
  }

  public List<SourceRecord> next(int count) {
    List<SourceRecord> reviews = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      reviews.add(next());
    }
    return reviews;
  }

  private String sentence(SplittableRandom random, SplittableRandom replace, boolean positive) {
    String product = pick(random, PRODUCTS);
    List<String> words = switch (random.nextInt(6)) {
      case 0 -> List.of("the", product, "is", pick(random, INTENSIFIERS), sentiment(random, positive));
      case 1 -> List.of("i", "found", "the", product, sentiment(random, positive), "after", "a", pick(random, PERIODS), "of", "use");
      case 2 -> List.of(sentiment(random, positive), product, "for", "the", "price");
      case 3 -> List.of("overall", pick(random, INTENSIFIERS), sentiment(random, positive), "and", sentiment(random, positive));
      case 4 -> List.of("the", product, "arrived", "in", "a", pick(random, PACKAGES));
      default -> List.of("i", "bought", "this", product, "last", pick(random, PERIODS));
    };
    StringBuilder sentence = new StringBuilder();
    for (String word : words) {
      String written = replace.nextDouble() < drift.unseen() ? pick(replace, UNSEEN_WORDS) : word;
      if (sentence.isEmpty()) {
        sentence.append(Character.toUpperCase(written.charAt(0))).append(written, 1, written.length());
      } else {
        sentence.append(' ').append(written);
      }
    }
    return sentence.append('.').toString();
  }

  private static String sentiment(SplittableRandom random, boolean positive) {
    boolean agrees = random.nextDouble() < AGREEMENT;
    return pick(random, agrees == positive ? POSITIVE_WORDS : NEGATIVE_WORDS);
  }

  private static String pick(SplittableRandom random, List<String> words) {
    return words.get(random.nextInt(words.size()));
  }

  /** The dataset spec of the reviews, as JSON for the ingest API (the same as {@code data/reviews.spec.json}). */
  public static String specJson() {
    return """
        {
          "idField": "id",
          "features": [
            {
              "name": "review",
              "type": "text",
              "maxLength": 500,
              "description": "the text of a product review"
            }
          ],
          "label": {
            "name": "sentiment",
            "classes": [
              "negative",
              "positive"
            ]
          }
        }
        """;
  }
}
