package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.LabelSpec;
import io.kloop.events.SignatureField;
import io.kloop.model.Contributions;
import io.kloop.model.FeatureProfiles;
import io.kloop.model.OnnxClassifier;
import io.kloop.schemas.BatchFiles;
import io.kloop.training.spec.Algorithm;
import io.kloop.training.spec.ModelSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The platform's own trainer on a text feature: seeded reviews whose sentiment words decide the label, hashed
 * into token columns by the shared encoding; the model learns, its ONNX export agrees with Tribuo, explanations
 * stay additive with a text input, and the reference profile holds the text's profile.
 */
class TextTrainingTest {

  private static final String DATASET = "reviews";
  private static final int BUCKETS = 64;
  private static final List<String> POSITIVE = List.of("great", "excellent", "love", "wonderful", "perfect", "happy", "recommend",
      "amazing", "best", "enjoyed");
  private static final List<String> NEGATIVE = List.of("terrible", "awful", "hate", "broken", "worst", "refund", "disappointed",
      "poor", "waste", "boring");
  private static final List<String> NEUTRAL = List.of("the", "a", "product", "it", "was", "this", "and", "i", "with", "for",
      "delivery", "price", "quality", "box", "time", "day", "battery", "screen", "size", "colour");

  private final Map<String, List<BatchFiles.Row>> files = new HashMap<>();
  private final TrainingPipeline pipeline = new TrainingPipeline(batch -> files.get(batch.getBatchId()), new TrainingPipeline.PhaseListener() {
    @Override
    public void started(String phase) {}

    @Override
    public void finished(String phase, long millis) {}
  }, 7, BUCKETS, () -> {});

  /** A review: neutral words and 1 to 3 words of its sentiment, sometimes one of the other's ("not perfect"). */
  private static String review(SplittableRandom random, boolean positive) {
    List<String> words = new ArrayList<>();
    int length = 5 + random.nextInt(12);
    for (int w = 0; w < length; w++) {
      words.add(NEUTRAL.get(random.nextInt(NEUTRAL.size())));
    }
    int sentiment = 1 + random.nextInt(3);
    for (int s = 0; s < sentiment; s++) {
      List<String> from = positive ? POSITIVE : NEGATIVE;
      words.add(random.nextInt(words.size()), from.get(random.nextInt(from.size())));
    }
    if (random.nextDouble() < 0.2) {
      List<String> other = positive ? NEGATIVE : POSITIVE;
      words.add(random.nextInt(words.size()), other.get(random.nextInt(other.size())));
    }
    String text = String.join(" ", words);
    return Character.toUpperCase(text.charAt(0)) + text.substring(1) + (positive ? "!" : ".");
  }

  private List<DatasetBatchCommitted> reviews(int count) {
    SplittableRandom random = new SplittableRandom(11);
    List<BatchFiles.Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean positive = random.nextBoolean();
      Map<String, Object> features = new HashMap<>();
      // Every 25th review has no text: all zeros in the encoding, never NaN.
      features.put("review", i % 25 == 0 ? null : review(random, positive));
      features.put("stars_shown", random.nextBoolean());
      rows.add(new BatchFiles.Row("review-" + i, positive ? "positive" : "negative", features, 0, i));
    }
    files.put("b1", rows);
    return List.of(TrainingData.batch(DATASET, "b1", rows.size()));
  }

  private static DatasetSpecDeclared spec() {
    FeatureSpec text = FeatureSpec.newBuilder().setName("review").setType(FeatureType.TEXT).setRequired(false).setMaxLength(500).build();
    FeatureSpec flag = FeatureSpec.newBuilder().setName("stars_shown").setType(FeatureType.BOOLEAN).setRequired(true).build();
    return DatasetSpecDeclared.newBuilder().setEventId("e").setEventTime(Instant.EPOCH).setProducer("test").setDataset(DATASET)
        .setVersion(1).setIdField("id").setFeatures(List.of(text, flag))
        .setLabel(LabelSpec.newBuilder().setName("sentiment").setClasses(List.of("negative", "positive")).setRequired(true).build())
        .setDeclaredBy("test").build();
  }

  @Test
  void shouldLearnSentimentFromHashedTokensAndExportAModelThatAgreesWithTribuo() {
    TrainingPipeline.Result result = pipeline.run(new ModelSpec("sentiment", DATASET,
        List.of(new ModelSpec.AlgorithmGrid(Algorithm.LOGISTIC_REGRESSION, Map.of())), 100, ModelSpec.Window.ALL, Duration.ZERO),
        spec(), reviews(1_200), 0, null, 1);

    // Chance is 0.5; the sentiment words decide all but the mixed reviews and the ones without text.
    assertThat(result.metrics().getAccuracy()).isGreaterThan(0.85);
    assertThat(result.exportDifference()).isLessThan(1e-5);
    SignatureField review = result.signature().getInputs().get(0);
    assertThat(review.getType()).isEqualTo(FeatureType.TEXT);
    assertThat(review.getHashBuckets()).isEqualTo(BUCKETS);
    assertThat(review.getMaxLength()).isEqualTo(500);
    assertThat(result.signature().getInputs().get(1).getHashBuckets()).isZero();
    assertThat(result.signature().getInputs().get(1).getMaxLength()).isNull();

    FeatureProfile profile = result.profile().getFeatures().get(0);
    assertThat(profile.getType()).isEqualTo(FeatureType.TEXT);
    assertThat(profile.getVocabulary()).containsAll(POSITIVE).containsAll(NEGATIVE).containsAll(NEUTRAL).hasSize(40);
    assertThat(profile.getUnseenShare()).isZero();
    assertThat(profile.getCategoryFrequencies()).hasSize(FeatureProfiles.TOP_TOKENS + 1).containsKey(FeatureProfiles.OTHER_TOKENS);
    assertThat(profile.getCategoryFrequencies().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-9));
    assertThat(profile.getCount()).as("texts of the training split, the missing ones left out")
        .isLessThan(result.trainingRows()).isGreaterThan(result.trainingRows() * 9 / 10);

    try (OnnxClassifier onnx = OnnxClassifier.load(result.onnx(), result.signature())) {
      int positive = result.signature().getOutputClasses().indexOf("positive");
      List<Map<String, Object>> requests = new ArrayList<>();
      requests.add(Map.of("review", "I love it, the best battery and a perfect screen!", "stars_shown", true));
      requests.add(Map.of("review", "Terrible, broken on day one; a waste, I want a refund.", "stars_shown", true));
      Map<String, Object> noText = new HashMap<>();
      noText.put("stars_shown", true);
      requests.add(noText);
      float[][] rows = onnx.encoding().encodeAll(requests);
      float[][] probabilities = onnx.probabilities(rows);
      assertThat(probabilities[0][positive]).isGreaterThan(0.8f);
      assertThat(probabilities[1][positive]).isLessThan(0.2f);

      // Explanations with a text input: it is one input (its columns together), additive like any other.
      assertThat(onnx.additive()).isTrue();
      Contributions.Explanation[] explanations = Contributions.explain(onnx, rows, new int[] {positive, positive, positive});
      for (int i = 0; i < rows.length; i++) {
        double direct = Contributions.score(probabilities[i], positive);
        assertThat(explanations[i].score()).as("row %s", i).isCloseTo(direct, within(2e-3 + 1e-3 * Math.abs(direct)));
      }
      assertThat(explanations[0].contributions()[0]).as("the positive review pushes towards positive").isPositive();
      assertThat(explanations[1].contributions()[0]).as("the negative review pushes away from it").isNegative();
    }
  }
}
