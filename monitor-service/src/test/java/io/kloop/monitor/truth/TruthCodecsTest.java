package io.kloop.monitor.truth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one pending prediction costs: its stored bytes, measured on the breast cancer model's request (30 numeric
 * features, two classes) and checked against the layout's formula counted by hand; and every kind of value read
 * back as written.
 */
class TruthCodecsTest {

  private static final Path DATA = Path.of("..", "data");

  private static int utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void shouldStoreABreastCancerPredictionIn822Bytes() throws Exception {
    JsonNode request = JsonMapper.builder().build().readTree(Files.readString(DATA.resolve("breast-cancer-request.json")));
    Map<String, Object> inputs = new LinkedHashMap<>();
    request.path("instances").get(0).properties().forEach(field -> inputs.put(field.getKey(), field.getValue().asDouble()));
    assertThat(inputs).hasSize(30);
    Map<String, Double> probabilities = new LinkedHashMap<>(Map.of("malignant", 0.93, "benign", 0.07));
    PendingPrediction prediction = new PendingPrediction(3, 1_700_000_000_000L, 1_700_604_800_000L, "malignant", probabilities, inputs);

    byte[] stored = TruthCodecs.pending(prediction);

    // By hand: format 1, version 4, two times 16; the class 1 + 9; the class count 1 and per class 1 + name + 8;
    // the inputs flag 1; the input count 1 and per input 1 + name + 1 (type) + 8.
    int names = inputs.keySet().stream().mapToInt(TruthCodecsTest::utf8).sum();
    assertThat(names).isEqualTo(455);
    int expected = 1 + 4 + 16 + (1 + 9) + 1 + (1 + 9 + 8) + (1 + 6 + 8) + 1 + 1 + 30 * (1 + 1 + 8) + names;
    assertThat(expected).isEqualTo(822);
    assertThat(stored).hasSize(expected);
    assertThat(TruthCodecs.pending(stored)).isEqualTo(prediction);
    assertThat(TruthCodecs.inputs(inputs)).as("what max-input-bytes bounds").hasSize(1 + 30 * 10 + names);
  }

  @Test
  void shouldReadBackEveryKindOfValueAndAPredictionWithoutInputs() {
    Map<String, Object> inputs = new HashMap<>();
    inputs.put("missing", null);
    inputs.put("yes", true);
    inputs.put("no", false);
    inputs.put("count", -42L);
    inputs.put("ratio", 0.125);
    inputs.put("colour", "grün " + "x".repeat(300));
    inputs.put("é".repeat(70), 1.0);
    PendingPrediction prediction = new PendingPrediction(Integer.MAX_VALUE, -5, Long.MAX_VALUE, "ja", Map.of("ja", 1.0, "nein", 0.0), inputs);

    assertThat(TruthCodecs.pending(TruthCodecs.pending(prediction))).isEqualTo(prediction);
    PendingPrediction bare = new PendingPrediction(1, 2, 3, "a", Map.of("a", 1.0), null);
    assertThat(TruthCodecs.pending(TruthCodecs.pending(bare))).isEqualTo(bare);
    assertThat(TruthCodecs.pending(bare)).hasSize(1 + 4 + 16 + 2 + 1 + (2 + 8) + 1);
  }

  @Test
  void shouldStoreAMarkerInNineBytes() {
    List<Marker> markers = new ArrayList<>();
    for (Marker.Kind kind : Marker.Kind.values()) {
      markers.add(new Marker(kind, 1_700_000_000_123L));
      markers.add(new Marker(kind, Long.MAX_VALUE));
      markers.add(new Marker(kind, 0));
    }
    for (Marker marker : markers) {
      assertThat(TruthCodecs.marker(marker)).hasSize(9);
      assertThat(TruthCodecs.marker(TruthCodecs.marker(marker))).isEqualTo(marker);
    }
  }

  @Test
  void shouldCountTheInputsBytesAsTheyWouldBeWritten() {
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("x", 1.5);
    inputs.put("n", 7L);
    inputs.put("flag", true);
    inputs.put("missing", null);
    inputs.put("größe", "ünïcode ✓");
    inputs.put("emoji", "\uD83D\uDE00 and a lone \uD800");
    inputs.put("long name " + "y".repeat(200), "text " + "z".repeat(300));
    // By hand: names and text are a length (1 byte under 128, else 2) and their UTF-8 bytes (ü, ï, ö, ß 2 bytes, ✓ 3, the emoji 4,
    // a lone surrogate 1: it is written as ?); numbers 8 bytes; a type byte each.
    int expected = 1 + (1 + 1 + 1 + 8) + (1 + 1 + 1 + 8) + (1 + 4 + 1) + (1 + 7 + 1) + (1 + 7 + 1 + 1 + 13)
        + (1 + 5 + 1 + 1 + 4 + 12 + 1) + (2 + 210 + 1 + 2 + 305);
    assertThat(TruthCodecs.inputs(inputs)).hasSize(expected);
    assertThat(TruthCodecs.inputsLength(inputs)).isEqualTo(expected);
  }

  @Test
  void shouldReadNamesThatChangeAtTheSamePlace() {
    PendingPrediction first = new PendingPrediction(1, 2, 3, "a", Map.of("a", 1.0), Map.of("height", 1.0));
    PendingPrediction second = new PendingPrediction(1, 2, 3, "b", Map.of("b", 1.0), Map.of("weight", 2.0));
    PendingPrediction firstAgain = TruthCodecs.pending(TruthCodecs.pending(first));
    assertThat(TruthCodecs.pending(TruthCodecs.pending(second))).isEqualTo(second);
    assertThat(TruthCodecs.pending(TruthCodecs.pending(first))).isEqualTo(first);
    PendingPrediction thirdTime = TruthCodecs.pending(TruthCodecs.pending(first));
    assertThat(thirdTime.inputs().keySet().iterator().next()).as("a name read again is the same string").isSameAs(
        TruthCodecs.pending(TruthCodecs.pending(first)).inputs().keySet().iterator().next());
    assertThat(firstAgain).isEqualTo(first);
  }
}
