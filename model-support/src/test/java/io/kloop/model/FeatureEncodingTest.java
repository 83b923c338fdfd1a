package io.kloop.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureEncodingTest {

  private final FeatureEncoding encoding = new FeatureEncoding(ModelSignature.newBuilder()
      .setInputs(List.of(
          SignatureField.newBuilder().setName("radius").setType(FeatureType.NUMERIC).setCategories(List.of()).build(),
          SignatureField.newBuilder().setName("site").setType(FeatureType.CATEGORICAL).setCategories(List.of("a", "b", "c")).build(),
          SignatureField.newBuilder().setName("smoker").setType(FeatureType.BOOLEAN).setCategories(List.of()).build()))
      .setOutputClasses(List.of("x", "y")).setInputTensor("input").setProbabilityTensor("p").build());

  @Test
  void shouldPutEachInputInItsColumnsInSignatureOrder() {
    assertThat(encoding.columns()).containsExactly("radius", "site=a", "site=b", "site=c", "smoker");
    assertThat(encoding.encode(Map.of("radius", 12.5, "site", "b", "smoker", true))).containsExactly(12.5f, 0f, 1f, 0f, 1f);
    assertThat(encoding.encode(Map.of("radius", 3, "site", "c", "smoker", false))).containsExactly(3f, 0f, 0f, 1f, 0f);
  }

  @Test
  void shouldTellWhichColumnsEachInputTakes() {
    assertThat(List.of(encoding.firstColumn(0), encoding.endColumn(0))).containsExactly(0, 1);
    assertThat(List.of(encoding.firstColumn(1), encoding.endColumn(1))).containsExactly(1, 4);
    assertThat(List.of(encoding.firstColumn(2), encoding.endColumn(2))).containsExactly(4, 5);
  }

  @Test
  void shouldEncodeMissingValuesAsNanOrNoCategory() {
    Map<String, Object> sparse = new HashMap<>();
    sparse.put("site", null);
    float[] row = encoding.encode(sparse);

    assertThat(row[0]).isNaN();
    assertThat(row[1] + row[2] + row[3]).isZero();
    assertThat(row[4]).isNaN();
    assertThat(encoding.encode(Map.of("site", "unknown", "radius", "not a number"))[0]).isNaN();
  }
}
