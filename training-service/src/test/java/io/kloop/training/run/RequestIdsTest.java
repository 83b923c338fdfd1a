package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

  @Test
  void shouldTakeUuidsAndOtherProducersIdsThatATriggerNamesWhole() {
    assertThat(RequestIds.problem(UUID.randomUUID().toString())).isEmpty();
    assertThat(RequestIds.problem("ticket 4711/a;b:c")).as("spaces and punctuation but the comma").isEmpty();
    assertThat(RequestIds.problem("x".repeat(100))).isEmpty();
    assertThat(RequestIds.problem("new-data-2")).isEmpty();
  }

  @Test
  void shouldRefuseAnIdWithACommaWhichATriggerWouldSplitInTwo() {
    assertThat(RequestIds.problem("order-1,order-2")).hasValueSatisfying(problem -> assertThat(problem).contains("comma"));
    assertThat(RequestIds.problem(",")).isPresent();
  }

  @Test
  void shouldRefuseTheNameATriggerGivesNewData() {
    assertThat(RequestIds.problem("new-data")).hasValueSatisfying(problem -> assertThat(problem).contains("'new-data'"));
  }

  @Test
  void shouldRefuseBlankOverlongAndControlCharacterIds() {
    assertThat(RequestIds.problem("")).hasValueSatisfying(problem -> assertThat(problem).contains("blank"));
    assertThat(RequestIds.problem("  ")).isPresent();
    assertThat(RequestIds.problem("x".repeat(101))).hasValueSatisfying(problem -> assertThat(problem).contains("at most 100"));
    assertThat(RequestIds.problem("a\nb")).hasValueSatisfying(problem -> assertThat(problem).contains("U+000A"));
    assertThat(RequestIds.problem("a\u2028b")).as("a line separator").isPresent();
  }
}
