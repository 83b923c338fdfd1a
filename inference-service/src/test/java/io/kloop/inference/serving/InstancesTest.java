package io.kloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.inference.TestModels;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Instances of the test model (radius: numeric, smooth: boolean, shape: round or oval) as the named-feature API reads them. */
class InstancesTest {

  @Test
  void shouldNormaliseEveryValueAndKeepNullAsMissing() {
    Map<String, Object> missing = new HashMap<>(Map.of("smooth", false, "shape", "oval"));
    missing.put("radius", null);

    List<Map<String, Object>> valid = Instances.validate(TestModels.SIGNATURE,
        List.of(Map.of("radius", 2, "smooth", true, "shape", "round"), missing, Map.of("radius", new BigInteger("7"), "smooth", true, "shape", "oval")),
        "instances");

    assertThat(valid.get(0)).isEqualTo(Map.of("radius", 2.0, "smooth", true, "shape", "round"));
    assertThat(valid.get(1)).isEqualTo(missing);
    assertThat(valid.get(2).get("radius")).isEqualTo(7.0);
  }

  @Test
  void shouldNameAMissingAnUnknownOrADuplicateLookingFeature() {
    assertThatThrownBy(() -> validate(Map.of("radius", 1, "smooth", true))).isInstanceOf(InvalidInputException.class)
        .hasMessage("instances[0]: missing feature 'shape' (send null for a missing value)");
    assertThatThrownBy(() -> validate(Map.of("radius", 1, "smooth", true, "colour", "red")))
        .hasMessage("instances[0]: unknown feature 'colour'; the model takes radius, smooth, shape");
    assertThatThrownBy(() -> validate(Map.of("radius", 1, "smooth", true, "shape", "oval", "colour", "red")))
        .hasMessage("instances[0]: unknown feature 'colour'; the model takes radius, smooth, shape");
    // Thousands of extra keys: one message, quoting at most 100 characters of the key.
    Map<String, Object> many = new LinkedHashMap<>(Map.of("radius", 1, "smooth", true, "shape", "oval"));
    for (int k = 0; k < 5_000; k++) {
      many.put("k".repeat(300) + k, k);
    }
    assertThatThrownBy(() -> validate(many)).hasMessageStartingWith("instances[0]: unknown feature '" + "k".repeat(100) + "... (30")
        .hasMessageEndingWith("; the model takes radius, smooth, shape");
    assertThatThrownBy(() -> Instances.validate(TestModels.SIGNATURE, Arrays.asList((Map<String, Object>) null), "instances"))
        .hasMessage("instances[0]: an instance must be an object of feature values");
    assertThatThrownBy(() -> Instances.validate(TestModels.SIGNATURE, List.of(), "instances")).hasMessage("instances: no instances given");
    assertThatThrownBy(() -> Instances.validate(TestModels.SIGNATURE, null, "instances")).hasMessage("instances: no instances given");
  }

  @Test
  void shouldRefuseValuesOfTheWrongTypeNamingTheInstanceAndTheFeature() {
    assertThatThrownBy(() -> validate(Map.of("radius", "big", "smooth", true, "shape", "oval")))
        .hasMessage("instances[0].radius: expected a number, got the string \"big\"");
    assertThatThrownBy(() -> validate(Map.of("radius", List.of(1), "smooth", true, "shape", "oval")))
        .hasMessage("instances[0].radius: expected a number, got a list");
    assertThatThrownBy(() -> validate(Map.of("radius", 1, "smooth", "yes", "shape", "oval")))
        .hasMessage("instances[0].smooth: expected true or false, got the string \"yes\"");
    assertThatThrownBy(() -> validate(Map.of("radius", 1, "smooth", 1, "shape", "oval")))
        .hasMessage("instances[0].smooth: expected true or false, got integer 1");
    assertThatThrownBy(() -> validate(Map.of("radius", 1, "smooth", true, "shape", Map.of())))
        .hasMessage("instances[0].shape: expected one of [round, oval], got an object");
    assertThatThrownBy(() -> validate(Map.of("radius", 1, "smooth", true, "shape", "x".repeat(10_000))))
        .hasMessage("instances[0].shape: '" + "x".repeat(100) + "... (10000 characters)' is not one of [round, oval]");
  }

  @Test
  void shouldRefuseNumbersBeyondTheModelsThirtyTwoBitFloats() {
    assertThat(Instances.validate(TestModels.SIGNATURE, List.of(Map.of("radius", 3.4e38, "smooth", true, "shape", "oval")), "instances").get(0))
        .containsEntry("radius", 3.4e38);
    assertThat(Instances.validate(TestModels.SIGNATURE, List.of(Map.of("radius", -1e-300, "smooth", true, "shape", "oval")), "instances").get(0))
        .containsEntry("radius", -1e-300);
    for (Object huge : new Object[] {3.5e38, -1e300, Double.POSITIVE_INFINITY, Double.NaN, new BigInteger("1" + "0".repeat(39))}) {
      assertThatThrownBy(() -> validate(Map.of("radius", huge, "smooth", true, "shape", "oval"))).as(String.valueOf(huge))
          .hasMessage("instances[0].radius: " + huge + " is not a finite number of the model's 32-bit floats (at most 3.4028235E38 in magnitude)");
    }
  }

  private static void validate(Map<String, Object> instance) {
    Instances.validate(TestModels.SIGNATURE, new ArrayList<>(List.of(instance)), "instances");
  }
}
