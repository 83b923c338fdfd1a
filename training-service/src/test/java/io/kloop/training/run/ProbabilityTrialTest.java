package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProbabilityTrialTest {

  @Test
  void shouldTakeRowsOfProbabilitiesWithinTheTolerance() {
    assertThat(ProbabilityTrial.problem(new double[][] {{0.2, 0.3, 0.5}, {1, 0, 0}, {0.3334, 0.3333, 0.3338}})).isEmpty();
    assertThat(ProbabilityTrial.problem(new double[0][])).isEmpty();
  }

  @Test
  void shouldRefuseScoresNamingTheFirstRowThatShowsIt() {
    // Logits: -1.2 is below 0.
    assertThat(ProbabilityTrial.problem(new double[][] {{0.5, 0.5}, {-1.2, 3.4}})).hasValueSatisfying(reason -> assertThat(reason)
        .startsWith("the model outputs scores, not probabilities: row 1 holds -1.2, outside [0, 1]"));
    // In [0, 1] but summing to 1.4 (independent sigmoids).
    assertThat(ProbabilityTrial.problem(new double[][] {{0.9, 0.5}})).hasValueSatisfying(reason -> assertThat(reason)
        .startsWith("the model outputs scores, not probabilities: row 0 sums to 1.4"));
    // 0.0015 off: beyond the tolerance of 0.001.
    assertThat(ProbabilityTrial.problem(new double[][] {{0.5, 0.5015}})).isPresent();
    assertThat(ProbabilityTrial.problem(new double[][] {{Double.NaN, 1}})).hasValueSatisfying(reason -> assertThat(reason).contains("row 0 holds NaN"));
  }
}
