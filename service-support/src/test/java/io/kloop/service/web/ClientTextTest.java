package io.kloop.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientTextTest {

  @Test
  void shouldTakeOnlyTheModelNamesTrainingCanDeclare() {
    for (String good : new String[] {"breast-cancer", "m", "0.1_a-b", "a".repeat(63)}) {
      assertThat(ClientText.modelNameProblem(good)).as(good).isEmpty();
    }
    for (String bad : new String[] {"", "Tumours", "-x", ".x", "a b", "a/b", "a".repeat(64), "é", "x\n"}) {
      assertThat(ClientText.modelNameProblem(bad)).as(bad).hasValueSatisfying(problem -> assertThat(problem).contains("is not a model name"));
    }
    assertThat(ClientText.modelNameProblem(null)).hasValue("'' is not a model name: model names are 1 to 63 lower-case letters, digits, "
        + "'.', '_' or '-', starting with a letter or digit");
  }

  @Test
  void shouldKeepControlAndInvisibleCharactersOutOfIdentifiersAndAllowLineBreaksInFreeText() {
    assertThat(ClientText.firstForbidden("plain-id 😀", false)).isEqualTo(-1);
    assertThat(ClientText.firstForbidden("a\u0000b", false)).isEqualTo(1);
    assertThat(ClientText.firstForbidden("ab\u202e", false)).as("a bidirectional override").isEqualTo(2);
    assertThat(ClientText.firstForbidden("a\u2028", false)).as("a line separator").isEqualTo(1);
    assertThat(ClientText.firstForbidden("x\ud800y", false)).as("half a surrogate pair").isEqualTo(1);
    assertThat(ClientText.firstForbidden("line one\r\nline\ttwo 👨\u200d👩", true)).as("free text").isEqualTo(-1);
    assertThat(ClientText.firstForbidden("bell\u0007", true)).isEqualTo(4);
    assertThat(ClientText.describe("a\u0007", 1)).isEqualTo("a control or invisible character (U+0007) at position 1");
  }

  @Test
  void shouldEchoAShortHarmlessCopy() {
    assertThat(ClientText.echo("x".repeat(50), 10)).isEqualTo("x".repeat(10) + "…");
    assertThat(ClientText.echo("a\nb\u001b[2J", 20)).isEqualTo("a?b?[2J");
    assertThat(ClientText.echo("ab😀", 3)).as("never half an emoji").isEqualTo("ab…");
    assertThat(ClientText.echo(null, 3)).isNull();
  }

  @Test
  void shouldClipLongTextSayingHowMuchWasLeftOut() {
    assertThat(ClientText.clip("short", 100)).isEqualTo("short");
    assertThat(ClientText.clip(null, 100)).isNull();
    String clipped = ClientText.clip("x".repeat(500), 100);
    assertThat(clipped).hasSizeLessThanOrEqualTo(100).startsWith("x".repeat(68)).endsWith("… (432 more characters)");
    // A pair of surrogates is never cut in half.
    assertThat(ClientText.clip("x".repeat(67) + "\uD83D\uDE00" + "y".repeat(100), 100)).startsWith("x".repeat(67) + "… (");
  }
}
