package io.kloop.model;

import static io.kloop.model.OnnxClassifierRawTensorsTest.field;
import static io.kloop.model.OnnxClassifierRawTensorsTest.tensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.TensorElementType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapBackgroundTest {

  private static final ModelSignature SIGNATURE = ModelSignature.newBuilder()
      .setInputs(List.of(field("age", FeatureType.NUMERIC), field("rooms", FeatureType.NUMERIC), field("owner", FeatureType.BOOLEAN),
          field("city", FeatureType.CATEGORICAL), field("note", FeatureType.TEXT)))
      .setOutputClasses(List.of("no", "yes")).setInputTensor("").setProbabilityTensor("p")
      .setTensors(List.of(tensor("x", TensorElementType.FLOAT, 2, "age", "owner"), tensor("rooms", TensorElementType.INT64, 2, "rooms"),
          tensor("city", TensorElementType.STRING, 1, "city"), tensor("note", TensorElementType.STRING, 1, "note")))
      .build();

  private static final ReferenceProfile PROFILE = ReferenceProfile.newBuilder().setSampleSeed(1).setOutput(profile("output", FeatureType.CATEGORICAL).build())
      .setFeatures(List.of(
          profile("age", FeatureType.NUMERIC).setSample(List.of(20.0, 30.0, 40.0)).build(),
          profile("rooms", FeatureType.NUMERIC).setSample(List.of(2.4, 3.6)).build(),
          profile("owner", FeatureType.BOOLEAN).setCategoryFrequencies(Map.of("true", 0.25, "false", 0.75)).build(),
          profile("city", FeatureType.CATEGORICAL).setCategoryFrequencies(Map.of("Oslo", 0.9, "Rome", 0.1, "Lima", 0.0)).build(),
          profile("note", FeatureType.TEXT).setSample(List.of(12.0)).build()))
      .build();

  @Test
  void shouldDrawEachFeatureFromItsProfile() {
    List<Map<String, Object>> rows = ShapBackground.draw(SIGNATURE, PROFILE, 4000, 3);

    assertThat(rows).hasSize(4000).allSatisfy(row -> {
      assertThat(row.get("age")).isIn(20.0, 30.0, 40.0);
      // rooms goes to an INT64 tensor: its sample, rounded.
      assertThat(row.get("rooms")).isIn(2L, 4L);
      assertThat(row.get("city")).isIn("Oslo", "Rome");
      assertThat(row.get("note")).isEqualTo("");
    });
    double owners = rows.stream().filter(row -> Boolean.TRUE.equals(row.get("owner"))).count() / 4000.0;
    double oslo = rows.stream().filter(row -> "Oslo".equals(row.get("city"))).count() / 4000.0;
    // Binomial standard deviations: 0.0068 and 0.0047; five of them.
    assertThat(owners).isCloseTo(0.25, within(0.035));
    assertThat(oslo).isCloseTo(0.9, within(0.025));
    assertThat(ShapBackground.draw(SIGNATURE, PROFILE, 50, 3)).isEqualTo(rows.subList(0, 50));
  }

  private static FeatureProfile.Builder profile(String name, FeatureType type) {
    return FeatureProfile.newBuilder().setName(name).setType(type).setCount(100);
  }
}
