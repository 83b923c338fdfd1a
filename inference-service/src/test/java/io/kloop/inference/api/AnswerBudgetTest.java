package io.kloop.inference.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.inference.TestModels;
import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.NameSizes;
import io.kloop.inference.serving.PredictionIds;
import io.kloop.inference.serving.Predictions;
import io.kloop.service.web.StrictJson;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectWriter;

class AnswerBudgetTest {

  private static final ObjectWriter JSON = StrictJson.mapper().writer();
  /** The longest JSON form of a double. */
  private static final double LONGEST = -Double.MIN_NORMAL;
  /** The longest JSON form of a probability (a float in [0, 1] as a double). */
  private static final double LONGEST_PROBABILITY = Float.MIN_NORMAL;
  /** The longest request id the service takes, of characters of three bytes in UTF-8 and six at most in JSON. */
  private static final String LONGEST_REQUEST_ID = "\u6f22".repeat(Identifiers.MAX_REQUEST_ID);

  @Test
  void shouldNeverBeSmallerThanTheAnswerWhateverTheModelsNamesAndNumbers() {
    Random random = new Random(22);
    for (int round = 0; round < 200; round++) {
      ModelSignature signature = signature(random);
      NameSizes sizes = NameSizes.of(signature, Integer.MIN_VALUE);
      int instances = 1 + random.nextInt(50);
      PredictionIds ids = ids(instances, random);
      Predictions.Result result = result(signature, instances, random.nextBoolean(), ids, random);
      PredictionIds.Sizes idSizes = ids.sizes(result.requestId(), instances);
      boolean explained = result.predictions().get(0).explanation() != null;

      long predict = JSON.writeValueAsBytes(Answers.predict(result)).length;
      // All outputs, or some of them (at least one).
      int mask = round % 3 == 0 ? 7 : 1 + random.nextInt(7);
      AnswerBudget.Outputs outputs = new AnswerBudget.Outputs((mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0);
      Set<String> wanted = new HashSet<>();
      if (outputs.probabilities()) {
        wanted.add(signature.getProbabilityTensor());
      }
      if (outputs.labels()) {
        wanted.add("label");
      }
      if (outputs.ids()) {
        wanted.add("prediction_id");
      }
      long infer = JSON.writeValueAsBytes(Answers.infer(result.model(), result, wanted)).length;

      assertThat(AnswerBudget.largestPredict(sizes, instances, explained, idSizes)).as("round %d", round).isGreaterThanOrEqualTo(predict);
      assertThat(AnswerBudget.largestInfer(sizes, instances, idSizes, outputs)).as("round %d, outputs %s", round, outputs).isGreaterThanOrEqualTo(infer);
    }
  }

  @Test
  void shouldAllowEveryAnswerUpToSixtyFourKibibytesOrTwiceTheRequest() {
    assertThat(AnswerBudget.allowed(0)).isEqualTo(65_536);
    assertThat(AnswerBudget.allowed(32_768)).isEqualTo(65_536);
    assertThat(AnswerBudget.allowed(40_000)).isEqualTo(80_000);
    assertThat(AnswerBudget.allowed(256 * 1024)).isEqualTo(512 * 1024);
  }

  @Test
  void shouldRefuseARequestWhoseAnswerCouldBeLargerNamingHowManyInstancesAlwaysFit() {
    NameSizes sizes = NameSizes.of(TestModels.SIGNATURE, 1);
    int requestBytes = 40_000;
    // Default ids of a request id of 36 characters: 36 + 11 and the quotes, for every instance.
    long id = 49;
    long fixed = AnswerBudget.largestPredict(sizes, 0, true, PredictionIds.Sizes.NONE);
    long perInstance = AnswerBudget.largestPredict(sizes, 1, true, PredictionIds.Sizes.NONE) - fixed + id;
    int allowed = (int) ((80_000 - fixed) / perInstance);
    long alwaysFit = (65_536 - fixed) / perInstance;
    String requestId = UUID.randomUUID().toString();

    AnswerBudget.predict(requestBytes).checkAnswer(sizes, allowed, true, PredictionIds.DEFAULT.sizes(requestId, allowed));
    assertThatThrownBy(() -> AnswerBudget.predict(requestBytes).checkAnswer(sizes, allowed + 1, true, PredictionIds.DEFAULT.sizes(requestId, allowed + 1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("instances: the answer to " + (allowed + 1) + " instance(s) of this model, explained, could take "
            + (fixed + perInstance * (allowed + 1)) + " bytes, more than a request of 40000 bytes may get (65536 bytes, or twice the "
            + "request's size): send at most " + alwaysFit + " of these instances per request");
    // That many always fit, whatever the request's size; without explanations the same request may hold more.
    AnswerBudget.predict(0).checkAnswer(sizes, (int) alwaysFit, true, PredictionIds.DEFAULT.sizes(requestId, (int) alwaysFit));
    AnswerBudget.predict(requestBytes).checkAnswer(sizes, allowed + 1, false, PredictionIds.DEFAULT.sizes(requestId, allowed + 1));
    assertThatThrownBy(() -> AnswerBudget.infer(10, AnswerBudget.Outputs.ALL).checkAnswer(sizes, 100_000, false, PredictionIds.Sizes.NONE))
        .hasMessageStartingWith("inputs: the answer to 100000 instance(s)");
  }

  @Test
  void shouldCountOnlyTheOutputsAnInferRequestAsksFor() {
    NameSizes sizes = NameSizes.of(TestModels.SIGNATURE, 1);
    PredictionIds.Sizes ids = PredictionIds.DEFAULT.sizes(UUID.randomUUID().toString(), 1_000);
    AnswerBudget.Outputs labels = new AnswerBudget.Outputs(false, true, false);
    // A label ("malignant", 11 bytes as JSON) and its comma, and 8 bytes to spare, per instance.
    assertThat(AnswerBudget.largestInfer(sizes, 1_000, ids, labels) - AnswerBudget.largestInfer(sizes, 0, PredictionIds.Sizes.NONE, labels))
        .isEqualTo(1_000 * (11 + 1 + 8));

    // A thousand labels fit in any answer; with the probabilities and the ids they do not.
    AnswerBudget.infer(10, labels).checkAnswer(sizes, 1_000, false, ids);
    assertThatThrownBy(() -> AnswerBudget.infer(10, AnswerBudget.Outputs.ALL).checkAnswer(sizes, 1_000, false, ids))
        .hasMessageStartingWith("inputs: the answer to 1000 instance(s) of this model could take "
            + (AnswerBudget.largestInfer(sizes, 0, PredictionIds.Sizes.NONE, AnswerBudget.Outputs.ALL) + 1_000 * (2 * (22 + 2) + 11 + 1 + 1 + 8 + 49))
            + " bytes");
  }

  @Test
  void shouldCountTheIdsOfAClientInTheAnswerAndInTheAdvice() {
    NameSizes sizes = NameSizes.of(TestModels.SIGNATURE, 1);
    long fixed = AnswerBudget.largestPredict(sizes, 0, false, PredictionIds.Sizes.NONE);
    long perInstance = AnswerBudget.largestPredict(sizes, 1, false, PredictionIds.Sizes.NONE) - fixed;
    // 100 ids of 128 characters beyond ASCII: 770 bytes each at most as JSON, far more than the model's part of an answer.
    List<String> given = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      given.add(String.format("%03d", i) + "\u00e9".repeat(125));
    }
    PredictionIds.Sizes ids = PredictionIds.given(given, 100, "ids").sizes("r", 100);
    assertThat(ids).isEqualTo(new PredictionIds.Sizes(100 * (2 + 3 + 6 * 125), 2 + 3 + 6 * 125));
    long largest = fixed + 100 * perInstance + ids.total();

    AnswerBudget.predict((int) (largest / 2) + 1).checkAnswer(sizes, 100, false, ids);
    assertThatThrownBy(() -> AnswerBudget.predict((int) (largest / 2) - 1).checkAnswer(sizes, 100, false, ids))
        .hasMessage("instances: the answer to 100 instance(s) of this model could take " + largest + " bytes, more than a request of "
            + (largest / 2 - 1) + " bytes may get (65536 bytes, or twice the request's size): send at most "
            + (65_536 - fixed) / (perInstance + 755) + " of these instances per request");
  }

  @Test
  void shouldSayWhenEvenOneInstanceNeedsALargerRequest() {
    List<SignatureField> inputs = new ArrayList<>();
    for (int f = 0; f < 3_000; f++) {
      inputs.add(SignatureField.newBuilder().setName("f" + f).setType(FeatureType.NUMERIC).build());
    }
    NameSizes sizes = NameSizes.of(ModelSignature.newBuilder().setInputTensor("input").setProbabilityTensor("probabilities").setInputs(inputs)
        .setOutputClasses(List.of("benign", "malignant")).build(), 1);

    assertThatThrownBy(() -> AnswerBudget.predict(1_000).checkAnswer(sizes, 1, true, PredictionIds.Sizes.NONE))
        .hasMessageEndingWith("one instance's answer needs a request of at least " + (AnswerBudget.largestPredict(sizes, 1, true, PredictionIds.Sizes.NONE) + 1) / 2
            + " bytes");
  }

  /** A signature whose names are short or long, ASCII or not, with characters JSON must escape. */
  private static ModelSignature signature(Random random) {
    List<SignatureField> inputs = new ArrayList<>();
    int features = 1 + random.nextInt(40);
    for (int f = 0; f < features; f++) {
      inputs.add(SignatureField.newBuilder().setName(name(random) + f).setType(FeatureType.NUMERIC).build());
    }
    List<String> classes = new ArrayList<>();
    int count = 2 + random.nextInt(8);
    for (int c = 0; c < count; c++) {
      classes.add(name(random) + c);
    }
    return ModelSignature.newBuilder().setInputTensor("input").setProbabilityTensor(name(random)).setInputs(inputs).setOutputClasses(classes)
        .build();
  }

  private static String name(Random random) {
    String[] pieces = {"a", "\"", "\\", "\n", "\u0001", "\u00e9", "\u6f22", "\ud83d\ude00", "\ud800", "/", " ", "<"};
    StringBuilder name = new StringBuilder();
    int length = random.nextInt(random.nextBoolean() ? 5 : 60);
    for (int i = 0; i < length; i++) {
      name.append(pieces[random.nextInt(pieces.length)]);
    }
    return name.toString();
  }

  /** Answers with every number at its longest, the longest request id and model name the service takes, and these ids. */
  private static Predictions.Result result(ModelSignature signature, int instances, boolean explain, PredictionIds ids, Random random) {
    List<Predictions.Prediction> predictions = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      Map<String, Double> probabilities = new LinkedHashMap<>();
      signature.getOutputClasses().forEach(c -> probabilities.put(c, LONGEST_PROBABILITY));
      Predictions.Explanation explanation = null;
      if (explain) {
        Map<String, Double> contributions = new LinkedHashMap<>();
        signature.getInputs().forEach(f -> contributions.put(f.getName(), random.nextBoolean() ? LONGEST : null));
        // The longest of each: the additive one's score kind, the approximate one's method and evaluations.
        explanation = new Predictions.Explanation("centred log-probability", LONGEST, LONGEST, contributions, true, "kernel-shap", Integer.MIN_VALUE);
      }
      String predicted = signature.getOutputClasses().get(random.nextInt(signature.getOutputClasses().size()));
      predictions.add(new Predictions.Prediction(ids.of(LONGEST_REQUEST_ID, i), predicted, probabilities, explanation));
    }
    return new Predictions.Result(LONGEST_REQUEST_ID, "\u6f22".repeat(Identifiers.MAX_MODEL_NAME), Integer.MIN_VALUE, signature, predictions, 1);
  }

  /**
   * The default ids (of the longest request id), or a client's ids as long as they may be, of characters that take
   * the most bytes in JSON.
   */
  private static PredictionIds ids(int instances, Random random) {
    if (random.nextBoolean()) {
      return PredictionIds.DEFAULT;
    }
    String[] pieces = {"\"", "\\", "\u6f22", "\ud83d\ude00", "<"};
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      StringBuilder id = new StringBuilder(Integer.toString(i));
      for (String piece = pieces[0]; id.length() + piece.length() <= PredictionIds.MAX_LENGTH; piece = pieces[random.nextInt(pieces.length)]) {
        id.append(piece);
      }
      ids.add(id.toString());
    }
    return PredictionIds.given(ids, instances, "ids");
  }
}
