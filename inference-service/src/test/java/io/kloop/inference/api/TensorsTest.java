package io.kloop.inference.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.inference.TestModels;
import io.kloop.inference.api.OpenInferenceController.InferRequest;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.PredictionIds;
import io.kloop.service.web.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectReader;

/** Tensors of infer requests as Jackson reads them from JSON, against the test model (radius, smooth, shape). */
class TensorsTest {

  private static final ObjectReader READER = StrictJson.mapper().readerFor(InferRequest.class);
  private static final String SMOOTH = "{\"name\": \"smooth\", \"datatype\": \"BOOL\", \"shape\": [2], \"data\": [true, false]}";
  private static final String SHAPE = "{\"name\": \"shape\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"round\", \"oval\"]}";

  @Test
  void shouldTurnOneTensorPerFeatureIntoOneInstancePerRow() {
    List<Map<String, Object>> instances = instances("{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [2], \"data\": [1.5, -2]}");

    assertThat(instances).containsExactly(
        Map.of("radius", 1.5, "smooth", true, "shape", "round"),
        Map.of("radius", -2.0, "smooth", false, "shape", "oval"));
  }

  @Test
  void shouldTakeFlatOrNestedDataForShapeNByOneAndAnyNumberType() {
    for (String radius : new String[] {
        "{\"name\": \"radius\", \"datatype\": \"INT32\", \"shape\": [2, 1], \"data\": [[3], [-4]]}",
        "{\"name\": \"radius\", \"datatype\": \"INT8\", \"shape\": [2, 1], \"data\": [3, -4]}",
        "{\"name\": \"radius\", \"datatype\": \"FP16\", \"shape\": [2], \"data\": [3.0, -4]}"}) {
      assertThat(instances(radius)).as(radius).extracting(instance -> instance.get("radius")).containsExactly(3.0, -4.0);
    }
  }

  @Test
  void shouldReadANullValueAsAMissingOneWhereverItIs() {
    Map<String, Object> missing = new HashMap<>(Map.of("smooth", true, "shape", "round"));
    missing.put("radius", null);

    assertThat(instances("{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [2], \"data\": [null, null]}").get(0)).isEqualTo(missing);
    assertThat(instances("{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [2, 1], \"data\": [[null], [1]]}").get(0)).isEqualTo(missing);
  }

  @Test
  void shouldRefuseEveryShapeButNAndNByOne() {
    for (String shape : new String[] {"[null, 30]", "[null]", "[-1, 30]", "[-1]", "[0]", "[2, 30]", "[2, 1, 1]", "[]", "[\"\"]", "[\"2\"]",
        "[2.0]", "[1.5]", "[true]", "[[2]]", "[{}]", "[99999999999999999999]", "[2, null]", "[2, 1.0]", "[9223372036854775807, 9223372036854775807]"}) {
      assertThatThrownBy(() -> instances("{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": " + shape + ", \"data\": [1, 2]}"))
          .as(shape).isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("inputs[2] 'radius': shape must be [N] or [N, 1] with N a whole number from 1, not ");
    }
    assertThatThrownBy(() -> instances("{\"name\": \"radius\", \"datatype\": \"FP64\", \"data\": [1, 2]}"))
        .hasMessage("inputs[2] 'radius': shape must be [N] or [N, 1] with N a whole number from 1, not missing");
    assertThatThrownBy(() -> instances("{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [1, 1, 1, 1, 1, 1], \"data\": [1, 2]}"))
        .hasMessageEndingWith("not a shape of 6 dimensions");
  }

  @Test
  void shouldNeedAsManyValuesAsTheShapeSays() {
    assertThatThrownBy(() -> instances("{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [3], \"data\": [1, 2]}"))
        .hasMessage("inputs[2] 'radius': 3 value(s), but the inputs before it have 2");
    assertThatThrownBy(() -> instances(List.of("{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [2], \"data\": [1]}", SMOOTH, SHAPE)))
        .hasMessage("inputs[0] 'radius': shape [2] needs 2 value(s), got 1");
    assertThatThrownBy(() -> instances(List.of("{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [9223372036854775807], \"data\": [1]}",
        SMOOTH, SHAPE))).hasMessage("inputs[0] 'radius': shape [9223372036854775807] needs 9223372036854775807 value(s), got 1");
  }

  @Test
  void shouldRefuseDataThatIsNoListOrNestedOtherwiseThanTheShape() {
    String radius = "{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": %s, \"data\": %s}";
    assertThatThrownBy(() -> instances(radius.formatted("[2]", "null"))).hasMessage("inputs[2] 'radius': data must be a list of 2 value(s), it is missing");
    assertThatThrownBy(() -> instances("{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [2]}"))
        .hasMessage("inputs[2] 'radius': data must be a list of 2 value(s), it is missing");
    assertThatThrownBy(() -> instances(radius.formatted("[2]", "1.5"))).hasMessage("inputs[2] 'radius': data must be a list of 2 value(s), not 1.5");
    assertThatThrownBy(() -> instances(radius.formatted("[2]", "{\"a\": 1}"))).hasMessage("inputs[2] 'radius': data must be a list of 2 value(s), not an object");
    // Nested, a row of two values, a row that is not a list, or a value that is itself a list.
    assertThatThrownBy(() -> instances(radius.formatted("[2, 1]", "[[1, 2], [3]]")))
        .hasMessage("inputs[2] 'radius'.data[0]: nested data of shape [N, 1] has one list of one value per row, not a list of 2");
    assertThatThrownBy(() -> instances(radius.formatted("[2, 1]", "[[1], 3]")))
        .hasMessage("inputs[2] 'radius'.data[1]: nested data of shape [N, 1] has one list of one value per row, not 3");
    assertThatThrownBy(() -> instances(radius.formatted("[2, 1]", "[[[1]], [2]]")))
        .hasMessage("inputs[2] 'radius'.data[0][0]: datatype FP64 holds finite numbers of magnitude up to 1.7976931348623157E308, not a list of 1");
    assertThatThrownBy(() -> instances(radius.formatted("[2]", "[[1], [2]]")))
        .hasMessage("inputs[2] 'radius'.data[0]: datatype FP64 holds finite numbers of magnitude up to 1.7976931348623157E308, not a list of 1");
    assertThatThrownBy(() -> instances(radius.formatted("[2]", "[1, {}]")))
        .hasMessageStartingWith("inputs[2] 'radius'.data[1]: datatype FP64 holds").hasMessageEndingWith("not an object");
  }

  @Test
  void shouldNeedADatatypeOfTheProtocolThatFitsTheFeature() {
    assertThatThrownBy(() -> instances("{\"name\": \"radius\", \"datatype\": \"fp64\", \"shape\": [2], \"data\": [1, 2]}"))
        .hasMessage("inputs[2] 'radius': datatype 'fp64' is not one of the protocol's (BOOL, UINT8 to UINT64, INT8 to INT64, FP16, FP32, FP64, "
            + "BYTES); use FP64");
    assertThatThrownBy(() -> instances("{\"name\": \"radius\", \"shape\": [2], \"data\": [1, 2]}"))
        .hasMessage("inputs[2] 'radius': datatype missing; use FP64");
    assertThatThrownBy(() -> instances("{\"name\": \"radius\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"1\", \"2\"]}"))
        .hasMessage("inputs[2] 'radius': datatype 'BYTES' does not fit a NUMERIC feature; use FP64");
    assertThatThrownBy(() -> instances(List.of("{\"name\": \"smooth\", \"datatype\": \"UINT8\", \"shape\": [1], \"data\": [1]}")))
        .hasMessage("inputs[0] 'smooth': datatype 'UINT8' does not fit a BOOLEAN feature; use BOOL");
  }

  @Test
  void shouldRefuseValuesTheDatatypeOrTheFeatureDoesNotHold() {
    String radius = "{\"name\": \"radius\", \"datatype\": \"%s\", \"shape\": [2], \"data\": [1, %s]}";
    assertThatThrownBy(() -> instances(radius.formatted("INT32", "1.5")))
        .hasMessage("inputs[2] 'radius'.data[1]: datatype INT32 holds whole numbers from -2147483648 to 2147483647, not 1.5");
    assertThatThrownBy(() -> instances(radius.formatted("UINT8", "-1")))
        .hasMessage("inputs[2] 'radius'.data[1]: datatype UINT8 holds whole numbers from 0 to 255, not -1");
    assertThatThrownBy(() -> instances(radius.formatted("FP16", "70000"))).hasMessageStartingWith("inputs[2] 'radius'.data[1]: datatype FP16 holds");
    assertThatThrownBy(() -> instances(radius.formatted("FP64", "\"2\""))).hasMessageEndingWith("not \"2\"");
    assertThatThrownBy(() -> instances(radius.formatted("FP64", "true"))).hasMessageEndingWith("not true");
    assertThatThrownBy(() -> instances(radius.formatted("FP64", "1e999"))).hasMessageEndingWith("not Infinity");
    // An FP64 value beyond the models' 32-bit floats would reach the model as infinity.
    assertThatThrownBy(() -> instances(radius.formatted("FP64", "1e39")))
        .hasMessage("inputs[2] 'radius'.data[1]: 1.0E39 is not a finite number of the model's 32-bit floats (at most 3.4028235E38 in magnitude)");
    assertThatThrownBy(() -> instances(radius.formatted("FP32", "3.5e38")))
        .hasMessage("inputs[2] 'radius'.data[1]: datatype FP32 holds finite numbers of magnitude up to 3.4028235E38, not 3.5E38");
    assertThatThrownBy(() -> instances(List.of("{\"name\": \"shape\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"round\", 1]}")))
        .hasMessage("inputs[0] 'shape'.data[1]: datatype BYTES holds strings, not 1");
    assertThatThrownBy(() -> instances(List.of("{\"name\": \"shape\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"square\"]}")))
        .hasMessage("inputs[0] 'shape'.data[0]: 'square' is not one of [round, oval]");
    assertThatThrownBy(() -> instances(List.of("{\"name\": \"smooth\", \"datatype\": \"BOOL\", \"shape\": [1], \"data\": [1]}")))
        .hasMessage("inputs[0] 'smooth'.data[0]: datatype BOOL holds true or false, not 1");
  }

  @Test
  void shouldNeedEachFeatureOnceByItsNameAndNoOtherInput() {
    String radius = "{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [2], \"data\": [1, 2]}";
    assertThatThrownBy(() -> instances(List.of(radius, SMOOTH))).hasMessage("inputs: missing input 'shape'");
    assertThatThrownBy(() -> instances(List.of(radius, radius))).hasMessage("inputs[1] 'radius': given twice");
    assertThatThrownBy(() -> instances(List.of("{\"name\": \"colour\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"red\"]}")))
        .hasMessageStartingWith("inputs[0] 'colour': unknown input; the model takes [");
    assertThatThrownBy(() -> instances(List.of("{\"datatype\": \"FP64\", \"shape\": [1], \"data\": [1]}")))
        .hasMessage("inputs[0]: every input needs a name");
    assertThatThrownBy(() -> instances(List.of("null"))).hasMessage("inputs[0]: every input needs a name");
    String longName = "n".repeat(257);
    assertThatThrownBy(() -> instances(List.of("{\"name\": \"" + longName + "\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [1]}")))
        .hasMessageStartingWith("inputs[0]: a name has at most 256 characters, got 257; the model takes [");
    // An unknown name is quoted, at most 100 characters of it.
    assertThatThrownBy(() -> instances(List.of("{\"name\": \"" + "n".repeat(256) + "\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [1]}")))
        .hasMessageStartingWith("inputs[0] '" + "n".repeat(100) + "... (256 characters)': unknown input");
  }

  @Test
  void shouldTakeTheClientsPredictionIdsFromAnExtraTensorBesideTheFeatures() {
    String radius = "{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [2], \"data\": [1.5, -2]}";
    String ids = "{\"name\": \"prediction_id\", \"datatype\": \"BYTES\", \"shape\": %s, \"data\": %s}";

    Tensors.Batch batch = batch(List.of(ids.formatted("[2]", "[\"order-17\", \"order-18\"]"), SMOOTH, SHAPE, radius));

    assertThat(batch.instances()).containsExactly(Map.of("radius", 1.5, "smooth", true, "shape", "round"),
        Map.of("radius", -2.0, "smooth", false, "shape", "oval"));
    assertThat(batch.ids().clients()).isTrue();
    assertThat(List.of(batch.ids().of("r", 0), batch.ids().of("r", 1))).containsExactly("order-17", "order-18");
    // Nested as [N, 1] too, as every tensor may be; without the tensor, the ids are the default ones.
    assertThat(batch(List.of(SMOOTH, ids.formatted("[2, 1]", "[[\"a\"], [\"b\"]]"), SHAPE, radius)).ids().of("r", 1)).isEqualTo("b");
    assertThat(batch(List.of(SMOOTH, SHAPE, radius)).ids()).isSameAs(PredictionIds.DEFAULT);
  }

  @Test
  void shouldRefusePredictionIdsThatBreakTheirRulesOrTheTensorsNamingWhere() {
    String radius = "{\"name\": \"radius\", \"datatype\": \"FP64\", \"shape\": [2], \"data\": [1.5, -2]}";
    String ids = "{\"name\": \"prediction_id\", \"datatype\": \"%s\", \"shape\": %s, \"data\": %s}";

    assertThatThrownBy(() -> batch(List.of(SMOOTH, SHAPE, radius, ids.formatted("BYTES", "[2]", "[\"a\", \"a\"]"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("inputs[3] 'prediction_id'.data[1]: 'a' is given twice (also inputs[3] 'prediction_id'.data[0]); the ids of a request must differ");
    assertThatThrownBy(() -> batch(List.of(SMOOTH, SHAPE, radius, ids.formatted("BYTES", "[2]", "[\"a\", 7]"))))
        .hasMessage("inputs[3] 'prediction_id'.data[1]: an id is a string, not the number 7");
    assertThatThrownBy(() -> batch(List.of(SMOOTH, SHAPE, radius, ids.formatted("BYTES", "[2]", "[\"a\", null]"))))
        .hasMessage("inputs[3] 'prediction_id'.data[1]: an id is a string, not null");
    assertThatThrownBy(() -> batch(List.of(SMOOTH, ids.formatted("BYTES", "[2]", "[\"" + "x".repeat(129) + "\", \"b\"]"), SHAPE, radius)))
        .hasMessage("inputs[1] 'prediction_id'.data[0]: an id has at most 128 characters, got 129");
    assertThatThrownBy(() -> batch(List.of(SMOOTH, SHAPE, radius, ids.formatted("FP64", "[2]", "[1, 2]"))))
        .hasMessage("inputs[3] 'prediction_id': datatype 'FP64'; the prediction ids are BYTES, one string per row");
    assertThatThrownBy(() -> batch(List.of(SMOOTH, SHAPE, radius, ids.formatted("BYTES", "[3]", "[\"a\", \"b\", \"c\"]"))))
        .hasMessage("inputs[3] 'prediction_id': 3 value(s), but the inputs before it have 2");
    assertThatThrownBy(() -> batch(List.of(ids.formatted("BYTES", "[2]", "[\"a\"]"), SMOOTH, SHAPE, radius)))
        .hasMessage("inputs[0] 'prediction_id': shape [2] needs 2 value(s), got 1");
    assertThatThrownBy(() -> batch(List.of(ids.formatted("BYTES", "[2]", "[\"a\", \"b\"]"), SMOOTH, ids.formatted("BYTES", "[2]", "[\"c\", \"d\"]"))))
        .hasMessage("inputs[2] 'prediction_id': given twice");
    // Any other name that is no feature is still unknown; the message names the optional tensor.
    assertThatThrownBy(() -> batch(List.of(SMOOTH, "{\"name\": \"prediction_ids\", \"datatype\": \"BYTES\", \"shape\": [2], \"data\": [\"a\", \"b\"]}")))
        .hasMessageStartingWith("inputs[1] 'prediction_ids': unknown input; the model takes [").hasMessageEndingWith("] and an optional 'prediction_id'");
  }

  @Test
  void shouldReadATensorNamedPredictionIdAsTheFeatureOfAModelThatHasOne() {
    ModelSignature signature = ModelSignature.newBuilder().setInputs(List.of(
        SignatureField.newBuilder().setName("prediction_id").setType(FeatureType.NUMERIC).build())).setOutputClasses(List.of("a", "b"))
        .setInputTensor("input").setProbabilityTensor("probabilities").build();

    Tensors.Batch batch = batch(signature, List.of("{\"name\": \"prediction_id\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [4]}"));

    assertThat(batch.instances()).containsExactly(Map.of("prediction_id", 4.0));
    assertThat(batch.ids()).isSameAs(PredictionIds.DEFAULT);
    assertThat(Tensors.takesPredictionIds(signature)).isFalse();
    assertThat(Tensors.takesPredictionIds(TestModels.SIGNATURE)).isTrue();
    assertThatThrownBy(() -> batch(signature, List.of("{\"name\": \"other\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [4]}")))
        .hasMessage("inputs[0] 'other': unknown input; the model takes [prediction_id]");
  }

  @Test
  void shouldGiveAllOutputsOrThoseNamed() {
    assertThat(Tensors.wantedOutputs(TestModels.SIGNATURE, null)).containsExactlyInAnyOrder("probabilities", "label", "prediction_id");
    assertThat(Tensors.wantedOutputs(TestModels.SIGNATURE, List.of())).containsExactlyInAnyOrder("probabilities", "label", "prediction_id");
    assertThat(Tensors.wantedOutputs(TestModels.SIGNATURE, List.of(new OpenInferenceController.RequestedOutput("label", Map.of("binary_data", false)))))
        .containsExactly("label");
    assertThat(Tensors.wantedOutputs(TestModels.SIGNATURE, List.of(new OpenInferenceController.RequestedOutput("prediction_id", null))))
        .containsExactly("prediction_id");
    assertThatThrownBy(() -> Tensors.wantedOutputs(TestModels.SIGNATURE, List.of(new OpenInferenceController.RequestedOutput("other", null))))
        .hasMessageStartingWith("outputs[0]: unknown output 'other'; the model has [");
    assertThatThrownBy(() -> Tensors.wantedOutputs(TestModels.SIGNATURE, java.util.Arrays.asList((OpenInferenceController.RequestedOutput) null)))
        .hasMessageStartingWith("outputs[0]: unknown output (no name); the model has [");
  }

  /** The tensors smooth and shape (two rows), then this radius tensor. */
  private static List<Map<String, Object>> instances(String radius) {
    return instances(List.of(SMOOTH, SHAPE, radius));
  }

  private static List<Map<String, Object>> instances(List<String> tensors) {
    return batch(tensors).instances();
  }

  private static Tensors.Batch batch(List<String> tensors) {
    return batch(TestModels.SIGNATURE, tensors);
  }

  private static Tensors.Batch batch(ModelSignature signature, List<String> tensors) {
    String body = "{\"inputs\": [" + String.join(", ", tensors) + "]}";
    InferRequest request = ScoringRoutes.read(READER, body.getBytes(StandardCharsets.UTF_8));
    return Tensors.instances(signature, request.inputs());
  }
}
