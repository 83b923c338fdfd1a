package io.kloop.monitor.drift;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.SignatureField;
import io.kloop.model.FeatureProfiles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded sentiment model over one text input, {@code review} ({@link ReviewTexts}), for the monitor's text
 * drift tests: its signature, a training-like reference profile and its traffic, with a share of unseen words
 * on demand. The model predicts the review's sentiment with a probability between 0.7 and 0.95.
 */
public final class TextModel {

  public static final String INPUT = "review";
  public static final List<String> CLASSES = List.of("negative", "positive");

  private final SplittableRandom random;
  private final Map<String, Double> probabilities = new HashMap<>();
  private String predicted;

  public TextModel(long seed) {
    random = new SplittableRandom(seed);
  }

  /** The reference profile of {@code rows} training reviews and as many test predictions. */
  public static ReferenceProfile reference(long seed, int rows) {
    TextModel training = new TextModel(seed);
    List<String> reviews = new ArrayList<>(rows);
    double[] positive = new double[rows];
    for (int r = 0; r < rows; r++) {
      reviews.add((String) training.next(0).get(INPUT));
      positive[r] = training.probabilities.get("positive");
    }
    return TrainingLikeProfiles.profile(List.of(FeatureProfiles.text(INPUT, reviews, seed)),
        TrainingLikeProfiles.binaryOutput(CLASSES, positive, seed), seed);
  }

  /** The next prediction's inputs, with each word unseen in training with probability {@code unseen}. */
  public Map<String, Object> next(double unseen) {
    boolean positive = random.nextBoolean();
    String review = ReviewTexts.review(random, positive, unseen);
    double confidence = 0.7 + 0.25 * random.nextDouble();
    probabilities.put("positive", positive ? confidence : 1 - confidence);
    probabilities.put("negative", positive ? 1 - confidence : confidence);
    predicted = positive ? "positive" : "negative";
    return Map.of(INPUT, review);
  }

  /** The class predicted for the last review drawn. */
  public String predicted() {
    return predicted;
  }

  /** The class probabilities of the last review drawn (reused by the next call). */
  public Map<String, Double> probabilities() {
    return probabilities;
  }

  /** The signature of a platform-trained text model: the review as 64 hashed-token columns. */
  public static ModelSignature signature() {
    SignatureField review = SignatureField.newBuilder().setName(INPUT).setType(FeatureType.TEXT).setMaxLength(2_000).setHashBuckets(64).build();
    return ModelSignature.newBuilder().setInputs(List.of(review)).setOutputClasses(CLASSES).setInputTensor("input")
        .setProbabilityTensor("probabilities").build();
  }
}
