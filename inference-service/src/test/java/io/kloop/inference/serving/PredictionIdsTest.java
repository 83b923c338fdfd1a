package io.kloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PredictionIdsTest {

  @Test
  void shouldNameEachPredictionByItsRequestAndIndexByDefault() {
    assertThat(PredictionIds.DEFAULT.of("req-1", 0)).isEqualTo("req-1/0");
    assertThat(PredictionIds.DEFAULT.of("req-1", 17)).isEqualTo("req-1/17");
    assertThat(PredictionIds.byDefault("3f1c", 999)).isEqualTo("3f1c/999");
    assertThat(PredictionIds.DEFAULT.clients()).isFalse();
  }

  @Test
  void shouldTakeAClientsIdsOnePerInstanceInOrder() {
    PredictionIds ids = PredictionIds.given(List.of("order-17", "order-18", "\u6f22\u5b57 \ud83d\ude00 /?#"), 3, "ids");

    assertThat(ids.clients()).isTrue();
    assertThat(ids.of("ignored", 0)).isEqualTo("order-17");
    assertThat(ids.of("ignored", 2)).isEqualTo("\u6f22\u5b57 \ud83d\ude00 /?#");
    assertThat(PredictionIds.given(List.of("x".repeat(128)), 1, "ids").of("r", 0)).hasSize(128);
  }

  @Test
  void shouldNeedExactlyOneIdPerInstance() {
    assertThatThrownBy(() -> PredictionIds.given(List.of("a", "b"), 3, "ids")).isInstanceOf(InvalidInputException.class)
        .hasMessage("ids: 2 id(s) for 3 instance(s); give one id per instance, in the instances' order");
    assertThatThrownBy(() -> PredictionIds.given(List.of(), 1, "ids")).hasMessage("ids: 0 id(s) for 1 instance(s); give one id per instance, "
        + "in the instances' order");
  }

  @Test
  void shouldRefuseTheFirstIdThatIsNoStringNamingItsIndex() {
    assertThatThrownBy(() -> PredictionIds.given(List.of("a", 17), 2, "ids")).hasMessage("ids[1]: an id is a string, not the number 17");
    assertThatThrownBy(() -> PredictionIds.given(List.of(new BigInteger("123456789012345678901234567890123456789012345")), 1, "ids"))
        .hasMessage("ids[0]: an id is a string, not the number 1234567890123456789012345678901234567890...");
    assertThatThrownBy(() -> PredictionIds.given(Arrays.asList("a", "b", null), 3, "ids")).hasMessage("ids[2]: an id is a string, not null");
    assertThatThrownBy(() -> PredictionIds.given(List.of(true), 1, "ids")).hasMessage("ids[0]: an id is a string, not true");
    assertThatThrownBy(() -> PredictionIds.given(List.of(Map.of("id", "a")), 1, "ids")).hasMessage("ids[0]: an id is a string, not an object");
    assertThatThrownBy(() -> PredictionIds.given(List.of(List.of("a")), 1, "inputs[3] 'prediction_id'.data"))
        .hasMessage("inputs[3] 'prediction_id'.data[0]: an id is a string, not a list");
  }

  @Test
  void shouldRefuseBlankLongAndUnsafeIds() {
    assertThatThrownBy(() -> PredictionIds.given(List.of("a", ""), 2, "ids")).hasMessage("ids[1]: an id must not be empty or blank");
    assertThatThrownBy(() -> PredictionIds.given(List.of(" \t "), 1, "ids")).hasMessage("ids[0]: an id must not be empty or blank");
    assertThatThrownBy(() -> PredictionIds.given(List.of("a", "b", "x".repeat(129)), 3, "ids"))
        .hasMessage("ids[2]: an id has at most 128 characters, got 129");
    // The platform's identifier rule: no control, invisible format or separator character, no half of a surrogate pair.
    for (String unsafe : new String[] {"\u0000", "\n", "\u007f", "\u0085", "\u00ad", "\u200b", "\u200d", "\u202e", "\u2066", "\u2028",
        "\u2029", "\ufeff", "\ud800", "\udc00"}) {
      assertThatThrownBy(() -> PredictionIds.given(List.of("ok", "ab" + unsafe + "c"), 2, "ids")).as("U+%04X", (int) unsafe.charAt(0))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("ids[1]: character 3 is " + String.format("U+%04X", (int) unsafe.charAt(0)) + "; an id has no control or invisible "
              + "characters, line or paragraph separators or unpaired surrogates");
    }
  }

  @Test
  void shouldRefuseAnIdGivenTwiceNamingBothPlaces() {
    assertThatThrownBy(() -> PredictionIds.given(List.of("a", "b", "c", "b", "a"), 5, "ids"))
        .hasMessage("ids[3]: 'b' is given twice (also ids[1]); the ids of a request must differ");
    // Ids differ by any character: case and spaces count.
    assertThat(PredictionIds.given(List.of("a", "A", "a "), 3, "ids").of("r", 2)).isEqualTo("a ");
  }

  @Test
  void shouldSizeTheIdsAsJsonStringsTheDefaultOnesWithTheLongestIndex() {
    // "order-1" and "é" as JSON: 9 bytes and 3 (quotes) + 6 (the bound for a character beyond ASCII).
    PredictionIds.Sizes given = PredictionIds.given(List.of("order-1", "\u00e9"), 2, "ids").sizes("r", 2);
    assertThat(given).isEqualTo(new PredictionIds.Sizes(9 + 8, 9));

    // "req/2147483647" as JSON: 3 + 1 + 10 characters and the quotes, whatever the index.
    assertThat(PredictionIds.DEFAULT.sizes("req", 5)).isEqualTo(new PredictionIds.Sizes(5 * 16, 16));
  }
}
