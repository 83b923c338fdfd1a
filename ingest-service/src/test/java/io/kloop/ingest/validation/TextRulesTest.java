package io.kloop.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextRulesTest {

  @Test
  void shouldAcceptOrdinaryIdentifiersOfAnyScriptUpToTheLimit() {
    assertThat(TextRules.identifierProblem("id", "r-1_x.y z", 10)).isNull();
    assertThat(TextRules.identifierProblem("id", "größe-😀", 10)).isNull();
    assertThat(TextRules.identifierProblem("id", "a".repeat(10), 10)).isNull();
  }

  @Test
  void shouldNameWhatIsWrongWithAnIdentifier() {
    assertThat(TextRules.identifierProblem("id", "a".repeat(11), 10)).isEqualTo("id is longer than 10 characters (11)");
    assertThat(TextRules.identifierProblem("id", "a\u0000", 10)).isEqualTo("id contains a control or invisible character (U+0000) at position 1");
    assertThat(TextRules.identifierProblem("id", "\u202eabc", 10)).isEqualTo("id contains a control or invisible character (U+202E) at position 0");
    assertThat(TextRules.identifierProblem("id", "a\u2028b", 10)).contains("U+2028");
    assertThat(TextRules.identifierProblem("id", "a\u0085", 10)).contains("U+0085");
    assertThat(TextRules.identifierProblem("id", "\udc00", 10)).isEqualTo("id contains half of a surrogate pair at position 0");
    assertThat(TextRules.identifierProblem("id", "tab\there", 10)).contains("U+0009");
  }

  @Test
  void shouldAllowLineBreaksAndTabsInFreeTextOnly() {
    assertThat(TextRules.freeTextProblem("description", "line one\nline two\ttabbed\r\n", 100)).isNull();
    assertThat(TextRules.freeTextProblem("description", "bell\u0007", 100)).contains("U+0007");
  }

  @Test
  void shouldEchoAShortPieceWithoutCharactersThatCouldForgeALine() {
    assertThat(TextRules.echo("short")).isEqualTo("short");
    assertThat(TextRules.echo("x".repeat(50))).isEqualTo("x".repeat(40) + "…");
    assertThat(TextRules.echo("a\r\n[ERROR] b\u0000\u001b[31m")).isEqualTo("a??[ERROR] b??[31m");
    assertThat(TextRules.echo("a" + "😀".repeat(30))).as("a pair is not cut in half").isEqualTo("a" + "😀".repeat(19) + "…");
    assertThat(TextRules.echo("a\ud800b")).isEqualTo("a?b");
    assertThat(TextRules.echo(null)).isNull();
  }
}
