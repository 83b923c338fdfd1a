package io.kloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.PredictionLogged;
import io.kloop.events.SignatureField;
import io.kloop.inference.TestModels;
import io.kloop.inference.log.PredictionLoggedSerializer;
import io.kloop.schemas.TextFeatures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LogBudgetTest {

  private final PredictionLoggedSerializer serializer = new PredictionLoggedSerializer();

  @Test
  void shouldNeverBeSmallerThanAnEventAndItsKeyWhateverTheNamesValuesAndIds() {
    Random random = new Random(22);
    for (int round = 0; round < 300; round++) {
      ModelSignature signature = signature(random);
      String model = text(random, 128);
      String requestId = random.nextBoolean() ? UUID.randomUUID().toString() : text(random, 128);
      // The default id, at its longest index, or a client's of up to 128 characters.
      String predictionId = random.nextBoolean() ? PredictionIds.byDefault(requestId, Integer.MAX_VALUE) : "p" + text(random, 127);
      PredictionLogged event = event(signature, model, requestId, predictionId, random);

      long written = serializer.serialize("t", event).length + model.getBytes(StandardCharsets.UTF_8).length;
      // Texts are bounded by the request that carried them (check adds the request's size), not by the event's bound.
      long texts = 0;
      for (SignatureField input : signature.getInputs()) {
        if (input.getType() == FeatureType.TEXT && event.getInputs().get(input.getName()) != null) {
          texts += event.getInputs().get(input.getName()).toString().getBytes(StandardCharsets.UTF_8).length;
        }
      }

      assertThat(LogBudget.eventBytes(NameSizes.of(signature, 1), requestId, model) + LogBudget.predictionIdBytes(NameSizes.jsonBytes(predictionId))
          + texts).as("round %d", round).isGreaterThanOrEqualTo(written);
    }
  }

  @Test
  void shouldLetARequestsEventsTakeAQuarterMebibyteOrSixteenTimesTheRequest() {
    NameSizes sizes = NameSizes.of(TestModels.SIGNATURE, 1);
    String id = UUID.randomUUID().toString();
    // Each default id (the request id, a slash and an index of up to ten digits) takes its JSON size and a byte.
    long perEvent = LogBudget.eventBytes(sizes, id, "tumours") + (36 + 11 + 2) + 1;
    int underFloor = (int) (LogBudget.FLOOR / perEvent);

    LogBudget.check(sizes, id, "tumours", underFloor, PredictionIds.DEFAULT.sizes(id, underFloor), 1, "inputs");
    LogBudget.check(sizes, id, "tumours", 1_000, PredictionIds.DEFAULT.sizes(id, 1_000), (int) (1_000 * perEvent / 16) + 1, "inputs");
    assertThatThrownBy(() -> LogBudget.check(sizes, id, "tumours", 1_000, PredictionIds.DEFAULT.sizes(id, 1_000), 10_000, "inputs"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("inputs: logging 1000 predictions of this model could take " + 1_000 * perEvent + " bytes, more than a request of 10000 bytes "
            + "may make the service write to the prediction log (262144 bytes, or 16 times the request's size): send at most " + underFloor
            + " instances per request");
  }

  @Test
  void shouldCountALongRequestIdInEveryEvent() {
    NameSizes sizes = NameSizes.of(TestModels.SIGNATURE, 1);

    assertThat(LogBudget.eventBytes(sizes, "x".repeat(128), "m") - LogBudget.eventBytes(sizes, "x", "m")).isEqualTo(3 * 127);
  }

  @Test
  void shouldCountAClientsIdsAsTheyAreAndAdviseByTheLongest() {
    NameSizes sizes = NameSizes.of(TestModels.SIGNATURE, 1);
    long perEvent = LogBudget.eventBytes(sizes, "r", "m");
    // 1,000 ids of 100 characters, one of 128: 102 and 130 bytes as JSON, and a byte each for their union branch.
    List<String> given = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      given.add(i == 7 ? "L".repeat(128) : String.format("%04d", i) + "x".repeat(96));
    }
    PredictionIds.Sizes ids = PredictionIds.given(given, 1_000, "ids").sizes("r", 1_000);
    long largest = 1_000 * perEvent + 999 * 103 + 131;

    LogBudget.check(sizes, "r", "m", 1_000, ids, (int) ((largest + 15) / 16), "ids");
    assertThatThrownBy(() -> LogBudget.check(sizes, "r", "m", 1_000, ids, (int) (largest / 16) - 1, "ids"))
        .hasMessage("ids: logging 1000 predictions of this model could take " + largest + " bytes, more than a request of " + (largest / 16 - 1)
            + " bytes may make the service write to the prediction log (262144 bytes, or 16 times the request's size): send at most "
            + LogBudget.FLOOR / (perEvent + 131) + " instances per request");
  }

  @Test
  void shouldCountTextsByTheRequestThatCarriesThemNotByTheirMaxLength() {
    ModelSignature signature = ModelSignature.newBuilder().setInputTensor("input").setProbabilityTensor("p")
        .setOutputClasses(List.of("negative", "positive"))
        .setInputs(List.of(SignatureField.newBuilder().setName("review").setType(FeatureType.TEXT).setMaxLength(500).build()))
        .build();
    NameSizes sizes = NameSizes.of(signature, 1);
    String id = UUID.randomUUID().toString();
    long perEvent = LogBudget.eventBytes(sizes, id, "reviews") + LogBudget.predictionIdBytes(NameSizes.jsonBytes(PredictionIds.byDefault(id, 999)));
    // 1,000 reviews of 300 characters: a request of about 320,000 bytes; its events hold the texts once more, far
    // below 16 times the request, though 1,000 texts at their maxLength of 4-byte characters would be 2,000,000 bytes.
    int requestBytes = 1_000 * (300 + 20);
    LogBudget.check(sizes, id, "reviews", 1_000, PredictionIds.DEFAULT.sizes(id, 1_000), requestBytes, "instances");
    // The texts still count, once: 2,000 instances (events well above the floor) in a request of 0.9 / 15 of their
    // events' own parts make events of 1.06 times those parts with the texts, more than 16 times the request (0.96).
    int tooSmall = (int) (0.9 * 2_000 * perEvent / 15);
    LogBudget.check(sizes, id, "reviews", 2_000, PredictionIds.DEFAULT.sizes(id, 2_000), (int) (1.2 * 2_000 * perEvent / 15), "instances");
    assertThatThrownBy(() -> LogBudget.check(sizes, id, "reviews", 2_000, PredictionIds.DEFAULT.sizes(id, 2_000), tooSmall, "instances"))
        .isInstanceOf(InvalidInputException.class);
  }

  private static ModelSignature signature(Random random) {
    List<SignatureField> inputs = new ArrayList<>();
    int features = 1 + random.nextInt(30);
    for (int f = 0; f < features; f++) {
      FeatureType type = FeatureType.values()[random.nextInt(FeatureType.values().length)];
      SignatureField.Builder field = SignatureField.newBuilder().setName(text(random, 40) + f).setType(type);
      if (type == FeatureType.TEXT && random.nextBoolean()) {
        field.setMaxLength(1 + random.nextInt(3_000));
      }
      if (type == FeatureType.CATEGORICAL) {
        field.setCategories(List.of(text(random, 30) + "a", text(random, 30) + "b"));
      }
      inputs.add(field.build());
    }
    List<String> classes = new ArrayList<>();
    int count = 2 + random.nextInt(6);
    for (int c = 0; c < count; c++) {
      classes.add(text(random, 30) + c);
    }
    return ModelSignature.newBuilder().setInputs(inputs).setOutputClasses(classes).setInputTensor("input").setProbabilityTensor("probabilities")
        .build();
  }

  /** An event as Predictions makes it: every input with a value of its type (the longest category), a probability per class. */
  private static PredictionLogged event(ModelSignature signature, String model, String requestId, String predictionId, Random random) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    for (SignatureField input : signature.getInputs()) {
      inputs.put(input.getName(), switch (input.getType()) {
        case NUMERIC -> random.nextBoolean() ? null : -Double.MIN_NORMAL;
        case BOOLEAN -> Boolean.TRUE;
        case CATEGORICAL -> input.getCategories().get(0).length() >= input.getCategories().get(1).length() ? input.getCategories().get(0)
            : input.getCategories().get(1);
        // The longest text the input takes, of characters outside the Basic Multilingual Plane (four bytes of UTF-8 each).
        case TEXT -> "\ud83d\ude00".repeat(TextFeatures.maxLength(input));
      });
    }
    Map<String, Double> probabilities = new LinkedHashMap<>();
    signature.getOutputClasses().forEach(c -> probabilities.put(c, 0.5));
    return PredictionLogged.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.ofEpochMilli(Long.MAX_VALUE / 2))
        .setProducer("inference-service").setRequestId(requestId).setInstanceIndex(Integer.MAX_VALUE).setModel(model).setVersion(Integer.MIN_VALUE)
        .setInputs(inputs).setPredictedClass(signature.getOutputClasses().get(0)).setProbabilities(probabilities).setLatencyMicros(Long.MIN_VALUE)
        .setPredictionId(predictionId).build();
  }

  /** Text of up to {@code most} characters: ASCII, escapes, accented, CJK, emoji (a surrogate pair). */
  private static String text(Random random, int most) {
    String[] pieces = {"a", "\"", "\\", "\n", "\u00e9", "\u6f22", "\ud83d\ude00", " "};
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(most / 2 + 1);
    for (int i = 0; i < length; i++) {
      text.append(pieces[random.nextInt(pieces.length)]);
    }
    return text.toString();
  }
}
