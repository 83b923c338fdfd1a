package io.kloop.inference.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.UnknownModelException;
import org.junit.jupiter.api.Test;

class IdentifiersTest {

  @Test
  void shouldTakeModelNamesUpToTheLimitAndRefuseLongerOnes() {
    assertThat(Identifiers.modelName("a".repeat(128))).hasSize(128);
    assertThat(Identifiers.modelName("breast-cancer.v2_x")).isEqualTo("breast-cancer.v2_x");

    assertThatThrownBy(() -> Identifiers.modelName("a".repeat(129))).isInstanceOf(InvalidInputException.class)
        .hasMessage("model name: at most 128 characters, got 129");
  }

  @Test
  void shouldRefuseCharactersNoIdentifierHasNamingWhere() {
    // The platform's rule (ClientText), which every service applies to ids: also invisible format characters (zero-width
    // ones, the soft hyphen, the byte order mark), so that a default prediction id, made of the request id, is an id
    // the monitor takes.
    for (String unsafe : new String[] {"\u0000", "\n", "\r", "\t", "\u001b", "\u007f", "\u0085", "\u009f", "\u2028", "\u2029", "\u202a", "\u202e",
        "\u2066", "\u2069", "\ud800", "\udc00", "\u00ad", "\u200b", "\u200d", "\ufeff"}) {
      assertThatThrownBy(() -> Identifiers.requestId("ab" + unsafe + "c", "id")).as("U+%04X", (int) unsafe.charAt(0))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("id: character 3 is " + String.format("U+%04X", (int) unsafe.charAt(0)));
    }
    // A lone high surrogate at the end, and a low one first.
    assertThatThrownBy(() -> Identifiers.requestId("ab\ud83d", "id")).hasMessageStartingWith("id: character 3 is U+D83D");
    assertThatThrownBy(() -> Identifiers.requestId("\ude00ab", "id")).hasMessageStartingWith("id: character 1 is U+DE00");
  }

  @Test
  void shouldTakeAnyOtherTextIncludingPairedSurrogatesAndNonLatinScripts() {
    String id = "req-\ud83d\ude00-\u00e9t\u00e9-\u6f22\u5b57 /?#%\"'<>{}\u00a0";
    assertThat(Identifiers.requestId(id, "id")).isEqualTo(id);
    assertThat(Identifiers.firstUnsafe(id)).isEqualTo(-1);
  }

  @Test
  void shouldMakeUpAnIdWhenNoneOrABlankOneIsSent() {
    assertThat(Identifiers.requestId(null, "X-Request-Id")).isNull();
    assertThat(Identifiers.requestId("", "X-Request-Id")).isNull();
    assertThat(Identifiers.requestId("   ", "X-Request-Id")).isNull();
  }

  @Test
  void shouldLimitRequestIdsTo128Characters() {
    assertThat(Identifiers.requestId("x".repeat(128), "id")).hasSize(128);
    assertThatThrownBy(() -> Identifiers.requestId("x".repeat(129), "X-Request-Id")).isInstanceOf(InvalidInputException.class)
        .hasMessage("X-Request-Id: at most 128 characters, got 129");
  }

  @Test
  void shouldReadAVersionAsAWholeNumberAndNameNoVersionForAnythingElse() {
    assertThat(Identifiers.version("m", null)).isNull();
    assertThat(Identifiers.version("m", "7")).isEqualTo(7);
    assertThat(Identifiers.version("m", "007")).isEqualTo(7);
    assertThat(Identifiers.version("m", "2147483647")).isEqualTo(Integer.MAX_VALUE);

    for (String none : new String[] {"latest", "-1", "+1", "1.0", "1e3", " 1", "2147483648", "9999999999", ""}) {
      assertThatThrownBy(() -> Identifiers.version("m", none)).as(none).isInstanceOf(UnknownModelException.class)
          .hasMessage("model m has no version '" + none + "'");
    }
  }

  @Test
  void shouldRefuseAVersionThatCannotBeOneWith400() {
    assertThatThrownBy(() -> Identifiers.version("m", "12345678901")).isInstanceOf(InvalidInputException.class)
        .hasMessage("version: at most 10 characters, got 11");
    assertThatThrownBy(() -> Identifiers.version("m", "1\n")).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("version: character 2 is U+000A");
  }
}
