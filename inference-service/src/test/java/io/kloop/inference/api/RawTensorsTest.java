package io.kloop.inference.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import io.kloop.inference.api.OpenInferenceController.InferRequest;
import io.kloop.inference.serving.InvalidInputException;
import io.kloop.service.web.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectReader;

/**
 * Infer requests to an imported model that takes nums FP32 [N, 2] (a, flag), count INT64 [N, 1] (c), text
 * BYTES [N] (review, at most 10 characters) and colour BYTES [N, 1] (red or blue).
 */
class RawTensorsTest {

  private static final ObjectReader READER = StrictJson.mapper().readerFor(InferRequest.class);

  static final ModelSignature SIGNATURE = ModelSignature.newBuilder()
      .setInputs(List.of(field("a", FeatureType.NUMERIC).build(), field("flag", FeatureType.BOOLEAN).build(), field("c", FeatureType.NUMERIC).build(),
          field("review", FeatureType.TEXT).setMaxLength(10).build(), field("colour", FeatureType.CATEGORICAL).setCategories(List.of("red", "blue")).build()))
      .setOutputClasses(List.of("no", "yes")).setInputTensor("").setProbabilityTensor("output_probability")
      .setTensors(List.of(tensor("nums", TensorElementType.FLOAT, 2, "a", "flag"), tensor("count", TensorElementType.INT64, 2, "c"),
          tensor("text", TensorElementType.STRING, 1, "review"), tensor("colour", TensorElementType.STRING, 2, "colour")))
      .build();

  private static final String COUNT = "{\"name\": \"count\", \"datatype\": \"INT64\", \"shape\": [2, 1], \"data\": [3, 4]}";
  private static final String TEXT = "{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"good\", \"bad\"]}";
  private static final String COLOUR = "{\"name\": \"colour\", \"datatype\": \"BYTES\", \"shape\": [2, 1], \"data\": [\"red\", \"blue\"]}";

  @Test
  void shouldSplitEachTensorsColumnsIntoItsFeaturesFlatOrNested() {
    Map<String, Object> first = Map.of("a", 1.5, "flag", true, "c", 3.0, "review", "good", "colour", "red");
    Map<String, Object> second = Map.of("a", -2.0, "flag", false, "c", 4.0, "review", "bad", "colour", "blue");
    for (String nums : new String[] {
        "{\"name\": \"nums\", \"datatype\": \"FP32\", \"shape\": [2, 2], \"data\": [1.5, 1, -2, 0]}",
        "{\"name\": \"nums\", \"datatype\": \"FP64\", \"shape\": [2, 2], \"data\": [[1.5, 1], [-2, 0]]}"}) {
      assertThat(instances(nums, COUNT, TEXT, COLOUR)).as(nums).containsExactly(first, second);
    }
  }

  @Test
  void shouldReadNullAsAMissingValueAndTakeClientsIds() {
    Tensors.Batch batch = Tensors.instances(SIGNATURE, read("{\"name\": \"nums\", \"datatype\": \"FP32\", \"shape\": [2, 2], \"data\": [null, null, 1, 0]}",
        COUNT, TEXT, COLOUR, "{\"name\": \"prediction_id\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"p1\", \"p2\"]}").inputs());

    Map<String, Object> missing = new HashMap<>(Map.of("c", 3.0, "review", "good", "colour", "red"));
    missing.put("a", null);
    missing.put("flag", null);
    assertThat(batch.instances().get(0)).isEqualTo(missing);
    assertThat(batch.ids().of("request", 1)).isEqualTo("p2");
  }

  @Test
  void shouldSayWhatIsWrongWithATensorAndWhere() {
    String nums = "{\"name\": \"nums\", \"datatype\": \"FP32\", \"shape\": [2, 2], \"data\": [1.5, 1, -2, 0]}";
    assertThatThrownBy(() -> instances(nums, COUNT, TEXT, COLOUR, "{\"name\": \"a\", \"datatype\": \"FP32\", \"shape\": [2], \"data\": [1, 2]}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("inputs[4] 'a': unknown input; the model takes [nums, count, text, colour] and an optional 'prediction_id'");
    assertThatThrownBy(() -> instances("{\"name\": \"nums\", \"datatype\": \"FP32\", \"shape\": [2, 3], \"data\": [1, 2, 3, 4, 5, 6]}", COUNT, TEXT, COLOUR))
        .hasMessage("inputs[0] 'nums': shape must be [N, 2] with N a whole number from 1, not [2, 3]");
    assertThatThrownBy(() -> instances("{\"name\": \"nums\", \"datatype\": \"FP32\", \"shape\": [2, 2], \"data\": [1, 2, 3]}", COUNT, TEXT, COLOUR))
        .hasMessage("inputs[0] 'nums': shape [2, 2] needs 4 value(s), got 3");
    assertThatThrownBy(() -> instances("{\"name\": \"nums\", \"datatype\": \"BYTES\", \"shape\": [2, 2], \"data\": [1, 2, 3, 4]}", COUNT, TEXT, COLOUR))
        .hasMessage("inputs[0] 'nums': datatype 'BYTES' does not fit the model's FLOAT tensor; use FP32");
    assertThatThrownBy(() -> instances("{\"name\": \"nums\", \"datatype\": \"FP32\", \"shape\": [2, 2], \"data\": [1, 2, 3, 4]}", COUNT, TEXT, COLOUR))
        .hasMessage("inputs[0] 'nums'.data[1] (feature 'flag'): a boolean feature is 1 (true) or 0 (false) in a numeric tensor, not 2");
    assertThatThrownBy(() -> instances(nums, "{\"name\": \"count\", \"datatype\": \"FP64\", \"shape\": [2], \"data\": [[3], [1.5]]}", TEXT, COLOUR))
        .hasMessage("inputs[1] 'count'.data[1][0] (feature 'c'): 1.5 is not a whole number, and the model takes this feature as an integer "
            + "(INT64; at most 2^53 in magnitude)");
    assertThatThrownBy(() -> instances(nums, "{\"name\": \"count\", \"datatype\": \"INT64\", \"shape\": [2], \"data\": [3, null]}", TEXT, COLOUR))
        .hasMessage("inputs[1] 'count'.data[1] (feature 'c'): the model takes this feature as an integer (INT64), which cannot be missing: "
            + "send a whole number");
    assertThatThrownBy(() -> instances(nums, COUNT, "{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"far too long\", \"b\"]}",
        COLOUR)).hasMessage("inputs[2] 'text'.data[0] (feature 'review'): a text of 12 characters; this feature takes at most 10");
    assertThatThrownBy(() -> instances(nums, COUNT, TEXT)).hasMessage("inputs: missing input 'colour'");
    assertThatThrownBy(() -> instances(nums, COUNT, TEXT, "{\"name\": \"colour\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"red\"]}"))
        .hasMessage("inputs[3] 'colour': 1 row(s), but the inputs before it have 2");
  }

  @Test
  void shouldDeclareEachTensorsDatatypeAndShape() {
    assertThat(SIGNATURE.getTensors()).extracting(t -> RawTensors.datatype(t.getElementType()) + " " + RawTensors.shape(t))
        .containsExactly("FP32 [-1, 2]", "INT64 [-1, 1]", "BYTES [-1]", "BYTES [-1, 1]");
  }

  private static List<Map<String, Object>> instances(String... tensors) {
    return Tensors.instances(SIGNATURE, read(tensors).inputs()).instances();
  }

  private static InferRequest read(String... tensors) {
    return ScoringRoutes.read(READER, ("{\"inputs\": [" + String.join(", ", tensors) + "]}").getBytes(StandardCharsets.UTF_8));
  }

  private static SignatureField.Builder field(String name, FeatureType type) {
    return SignatureField.newBuilder().setName(name).setType(type);
  }

  private static SignatureTensor tensor(String name, TensorElementType type, int rank, String... features) {
    return SignatureTensor.newBuilder().setName(name).setElementType(type).setRank(rank).setFeatures(List.of(features)).build();
  }
}
