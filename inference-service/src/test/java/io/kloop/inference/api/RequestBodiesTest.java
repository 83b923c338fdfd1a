package io.kloop.inference.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.inference.api.OpenInferenceController.InferRequest;
import io.kloop.service.web.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/** How the scoring endpoints read their bodies: with the platform's strict mapper, every mistake a 400 that says what it is. */
class RequestBodiesTest {

  private static final JsonMapper MAPPER = StrictJson.mapper();
  private static final ObjectReader INFER = MAPPER.readerFor(InferRequest.class);
  private static final ObjectReader PREDICT = MAPPER.readerFor(ScoringRoutes.PredictRequest.class);

  @Test
  void shouldTakeTheProtocolsParametersAnywhereTheyMayBe() {
    InferRequest request = read(INFER, """
        {"id": "7", "parameters": {"content_type": "pd", "headers": {"a": [1, 2]}},
         "inputs": [{"name": "radius", "datatype": "FP64", "shape": [1], "data": [1], "parameters": {"content_type": "np"}}],
         "outputs": [{"name": "label", "parameters": {"binary_data": false}}]}""");

    assertThat(request.parameters()).containsEntry("content_type", "pd");
    assertThat(request.inputs().get(0).parameters()).isEqualTo(Map.of("content_type", "np"));
    assertThat(request.outputs().get(0).parameters()).isEqualTo(Map.of("binary_data", false));
  }

  @Test
  void shouldNameAnUnknownKeyWhereItIsAndWhatIsKnownThere() {
    assertThatThrownBy(() -> read(PREDICT, "{\"instance\": [{}]}")).isInstanceOf(UnreadableRequestException.class)
        .hasMessage("unreadable request: unknown key 'instance' (known there: ids, instances)");
    // The client's prediction ids are beside the instances, not in them: "id" in an instance is a feature.
    assertThat((Object) read(PREDICT, "{\"instances\": [{\"id\": 1}], \"ids\": [\"a\"]}")).isEqualTo(
        new ScoringRoutes.PredictRequest(java.util.List.of(Map.of("id", 1)), java.util.List.of("a")));
    assertThatThrownBy(() -> read(PREDICT, "{\"instances\": [], \"ids\": \"a\"}")).hasMessageStartingWith("unreadable request: at ids: ");
    assertThatThrownBy(() -> read(INFER, """
        {"id": "7", "inputs": [{"name": "radius", "dtype": "FP64", "shape": [1], "data": [1]}], "output": []}"""))
        .hasMessage("unreadable request: unknown key 'inputs[0].dtype' (known there: data, datatype, name, parameters, shape)");
    assertThatThrownBy(() -> read(INFER, "{\"inputs\": [], \"outputs\": [{\"name\": \"label\", \"binary_data\": true}]}"))
        .hasMessage("unreadable request: unknown key 'outputs[0].binary_data' (known there: name, parameters)");
  }

  @Test
  void shouldRefuseDuplicateKeysWrongTypesTrailingDocumentsAndDeepNesting() {
    assertThatThrownBy(() -> read(INFER, "{\"id\": \"1\", \"id\": \"2\", \"inputs\": []}")).hasMessageStartingWith("unreadable request: ")
        .hasMessageContaining("Duplicate Object property \"id\"");
    assertThatThrownBy(() -> read(PREDICT, "{\"instances\": [{\"radius\": 1, \"radius\": 2}]}")).hasMessageContaining("Duplicate Object property \"radius\"");
    assertThatThrownBy(() -> read(INFER, "{\"parameters\": \"fast\", \"inputs\": []}")).hasMessageStartingWith("unreadable request: at parameters: ");
    assertThatThrownBy(() -> read(INFER, "{\"inputs\": [{\"name\": \"radius\", \"parameters\": [1]}]}"))
        .hasMessageStartingWith("unreadable request: at inputs[0].parameters: ");
    assertThatThrownBy(() -> read(INFER, "{\"id\": {}, \"inputs\": []}")).hasMessageStartingWith("unreadable request: at id: ");
    assertThatThrownBy(() -> read(PREDICT, "{\"instances\": [1, 2]}")).hasMessageStartingWith("unreadable request: at instances[0]: ");
    assertThatThrownBy(() -> read(PREDICT, "{\"instances\": []} {}")).hasMessageStartingWith("unreadable request: ")
        .hasMessageContainingAll("Trailing token");
    assertThatThrownBy(() -> read(PREDICT, "{\"instances\": [{\"radius\": " + "[".repeat(70) + "]".repeat(70) + "}]}"))
        .hasMessageContaining("nesting depth");
    assertThatThrownBy(() -> read(PREDICT, "{\"instances\": [")).hasMessageStartingWith("unreadable request: ");
    assertThatThrownBy(() -> read(PREDICT, "{\"instances\": [{\"radius\": NaN}]}")).hasMessageStartingWith("unreadable request: ");
  }

  @Test
  void shouldReadJsonNullAsNoBody() {
    assertThat((Object) read(PREDICT, "null")).isNull();
    assertThat((Object) read(PREDICT, "")).isNull();
  }

  @Test
  void shouldNameTheServicesOwnTypesBriefly() {
    assertThatThrownBy(() -> read(INFER, "{\"inputs\": {}}")).hasMessageStartingWith("unreadable request: at inputs: ")
        .hasMessageNotContaining("io.kloop");
  }

  private static <T> T read(ObjectReader reader, String body) {
    return ScoringRoutes.read(reader, body.getBytes(StandardCharsets.UTF_8));
  }
}
