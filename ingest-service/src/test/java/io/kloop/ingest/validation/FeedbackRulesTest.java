package io.kloop.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.schemas.BatchFiles.Feedback;
import org.junit.jupiter.api.Test;

class FeedbackRulesTest {

  private static final String NOT_A_MODEL_NAME = " is not a model name: model names are 1 to 63 lower-case letters, digits, '.', '_' or '-',"
      + " starting with a letter or digit";

  @Test
  void shouldAcceptAnOriginWithinTheRules() {
    assertThat(FeedbackRules.violations(new Feedback("scanner", 1, "3f1c2a9e-8a4b-4c1d-9e2f-0a1b2c3d4e5f"))).isEmpty();
    assertThat(FeedbackRules.violations(new Feedback("a", 7, "o"))).isEmpty();
    assertThat(FeedbackRules.violations(new Feedback("m".repeat(63), Integer.MAX_VALUE, "p".repeat(128)))).isEmpty();
    assertThat(FeedbackRules.violations(new Feedback("breast-cancer.v2_x", 2, "Bestellung Nr. 77 größe 😀")))
        .as("a prediction id is an identifier of any script, spaces included").isEmpty();
  }

  @Test
  void shouldRefuseAModelNameTheRegistryCouldNotHold() {
    assertThat(FeedbackRules.violations(new Feedback("Scanner", 1, "p1")))
        .containsExactly(new Violation("feedback.model", Violation.BAD_FEEDBACK, "'Scanner'" + NOT_A_MODEL_NAME));
    assertThat(FeedbackRules.violations(new Feedback("", 1, "p1")))
        .containsExactly(new Violation("feedback.model", Violation.BAD_FEEDBACK, "''" + NOT_A_MODEL_NAME));
    assertThat(FeedbackRules.violations(new Feedback("-scanner", 1, "p1"))).hasSize(1);
    assertThat(FeedbackRules.violations(new Feedback("m".repeat(64), 1, "p1"))).as("64 characters").hasSize(1);
  }

  @Test
  void shouldRefuseAVersionBelowOne() {
    assertThat(FeedbackRules.violations(new Feedback("scanner", 0, "p1")))
        .containsExactly(new Violation("feedback.version", Violation.BAD_FEEDBACK, "a model version is 1 or more, got 0"));
    assertThat(FeedbackRules.violations(new Feedback("scanner", Integer.MIN_VALUE, "p1")))
        .containsExactly(new Violation("feedback.version", Violation.BAD_FEEDBACK, "a model version is 1 or more, got -2147483648"));
  }

  @Test
  void shouldRefuseAPredictionIdThatIsMissingTooLongOrHoldsAControlCharacter() {
    Violation missing = new Violation("feedback.predictionId", Violation.BAD_FEEDBACK, "prediction id is missing");
    assertThat(FeedbackRules.violations(new Feedback("scanner", 1, ""))).containsExactly(missing);
    assertThat(FeedbackRules.violations(new Feedback("scanner", 1, " \t"))).containsExactly(missing);
    assertThat(FeedbackRules.violations(new Feedback("scanner", 1, "p".repeat(257)))).containsExactly(
        new Violation("feedback.predictionId", Violation.BAD_FEEDBACK, "prediction id is longer than 256 characters (257)"));
    assertThat(FeedbackRules.violations(new Feedback("scanner", 1, "r".repeat(128) + "/999"))).as("a default id of a long request id").isEmpty();
    assertThat(FeedbackRules.violations(new Feedback("scanner", 1, "p1\n"))).containsExactly(new Violation("feedback.predictionId",
        Violation.BAD_FEEDBACK, "prediction id contains a control or invisible character (U+000A) at position 2"));
    assertThat(FeedbackRules.violations(new Feedback("scanner", 1, "\u202ep1"))).as("a bidirectional override").hasSize(1);
    assertThat(FeedbackRules.violations(new Feedback("scanner", 1, "p\udc001"))).containsExactly(new Violation("feedback.predictionId",
        Violation.BAD_FEEDBACK, "prediction id contains half of a surrogate pair at position 1"));
  }

  @Test
  void shouldNameEveryProblemOfAnOrigin() {
    assertThat(FeedbackRules.violations(new Feedback("Scanner", -3, "")))
        .extracting(Violation::field).containsExactly("feedback.model", "feedback.version", "feedback.predictionId");
  }
}
