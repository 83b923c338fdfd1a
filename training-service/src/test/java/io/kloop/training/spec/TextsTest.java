package io.kloop.training.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextsTest {

  @Test
  void shouldAcceptOrdinaryIdentifiersAndFreeText() {
    List<String> problems = new ArrayList<>();
    Texts.identifier("requestedBy", "alice@example.org", Texts.MAX_IDENTIFIER, problems);
    Texts.identifier("requestedBy", "Zoë 😀", Texts.MAX_IDENTIFIER, problems);
    Texts.identifier("requestedBy", null, Texts.MAX_IDENTIFIER, problems);
    Texts.freeText("comment", "line one\nline two\ttabbed\r\n", Texts.MAX_FREE_TEXT, problems);
    assertThat(problems).isEmpty();
  }

  @Test
  void shouldRefuseControlFormatAndSeparatorCharactersInIdentifiers() {
    for (String bad : List.of("a\nb", "a\u0000", "\u001b[31mred", "a\u2028b", "\u202eevil", "a\ud800b", "a\u0085")) {
      List<String> problems = new ArrayList<>();
      Texts.identifier("requestedBy", bad, Texts.MAX_IDENTIFIER, problems);
      assertThat(problems).as(bad).singleElement().asString().startsWith("requestedBy must not hold control characters");
    }
  }

  @Test
  void shouldRefuseControlCharactersOtherThanTabsAndLineBreaksInFreeText() {
    List<String> problems = new ArrayList<>();
    Texts.freeText("comment", "bell\u0007", Texts.MAX_FREE_TEXT, problems);
    Texts.freeText("comment", "lone \udc00", Texts.MAX_FREE_TEXT, problems);
    assertThat(problems).containsExactly(
        "comment must not hold control characters other than tab and line breaks (found U+0007 at position 4)",
        "comment must not hold control characters other than tab and line breaks (found an unpaired surrogate at position 5)");
  }

  @Test
  void shouldRefuseBlankAndOverlongTexts() {
    List<String> problems = new ArrayList<>();
    Texts.identifier("requestedBy", " ", Texts.MAX_IDENTIFIER, problems);
    Texts.identifier("requestedBy", "a".repeat(101), Texts.MAX_IDENTIFIER, problems);
    Texts.freeText("comment", "a".repeat(1001), Texts.MAX_FREE_TEXT, problems);
    assertThat(problems).containsExactly("requestedBy must not be blank", "requestedBy must be at most 100 characters (it has 101)",
        "comment must be at most 1000 characters (it has 1001)");
  }

  @Test
  void shouldShowAtMostSixtyCharactersOfAValue() {
    assertThat(Texts.shown("x".repeat(100_000))).isEqualTo("x".repeat(60) + "… (100000 characters)");
    assertThat(Texts.shown("short")).isEqualTo("short");
    assertThat(Texts.shown("a".repeat(59) + "😀" + "b")).isEqualTo("a".repeat(59) + "… (62 characters)");
  }
}
