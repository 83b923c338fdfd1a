package io.kloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.inference.TestModels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.json.JsonMapper;

class NameSizesTest {

  @Test
  void shouldNeverCountLessThanAJsonWriterWritesWhateverTheText() {
    JsonMapper plain = JsonMapper.builder().build();
    JsonMapper ascii = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    Random random = new Random(22);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(40);
      for (int c = 0; c < length; c++) {
        text.append((char) (random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(0x80)));
      }
      String name = text.toString();
      long counted = NameSizes.jsonBytes(name);
      assertThat(counted).as(name).isGreaterThanOrEqualTo(plain.writeValueAsString(name).getBytes(StandardCharsets.UTF_8).length)
          .isGreaterThanOrEqualTo(ascii.writeValueAsString(name).getBytes(StandardCharsets.UTF_8).length);
    }
    assertThat(NameSizes.jsonBytes("benign")).isEqualTo(8);
    assertThat(NameSizes.jsonBytes("a\"b\\c")).isEqualTo(9);
    assertThat(NameSizes.jsonBytes("\n\u00e9")).isEqualTo(14);
  }

  @Test
  void shouldAddUpTheNamesOfTheModel() {
    NameSizes sizes = NameSizes.of(TestModels.SIGNATURE, 1);

    assertThat(sizes).isEqualTo(new NameSizes(2, "\"benign\"".length() + "\"malignant\"".length(), "\"malignant\"".length(), 3,
        "\"radius\"".length() + "\"smooth\"".length() + "\"shape\"".length(), "\"round\"".length(), 0, "\"probabilities\"".length(), 1));
  }

  @Test
  void shouldCountTheTextInputs() {
    ModelSignature signature = ModelSignature.newBuilder().setInputTensor("input").setProbabilityTensor("p").setOutputClasses(List.of("a"))
        .setInputs(List.of(SignatureField.newBuilder().setName("review").setType(FeatureType.TEXT).setMaxLength(300).build(),
            SignatureField.newBuilder().setName("title").setType(FeatureType.TEXT).build()))
        .build();

    assertThat(NameSizes.of(signature, 1).textFeatures()).isEqualTo(2);
  }

  @Test
  void shouldCountAnUnusualNameAtItsLongest() {
    ModelSignature signature = ModelSignature.newBuilder().setInputTensor("input").setProbabilityTensor("probabilities")
        .setInputs(List.of(SignatureField.newBuilder().setName("r\u00e9\"").setType(FeatureType.NUMERIC).build()))
        .setOutputClasses(List.of("\ud83d\ude00")).build();

    assertThat(NameSizes.of(signature, 12345)).isEqualTo(new NameSizes(1, 14, 14, 1, 11, 0, 0, 15, 5));
  }
}
