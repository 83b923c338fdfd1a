package io.kloop.training.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AlgorithmTest {

  @Test
  void shouldRefuseValuesOutsideTheRangeNamingTheParameterAndItsRange() {
    List<String> problems = Algorithm.LOGISTIC_REGRESSION.problems(Map.of("epochs", List.of("2000000000"), "learningRate", List.of("0")));

    assertThat(problems).containsExactlyInAnyOrder(
        "logistic-regression: epochs=2000000000: must be a whole number from 1 to 1000, not 2000000000",
        "logistic-regression: learningRate=0: must be a number from 0.000001 to 10, not 0");
  }

  @Test
  void shouldRefuseWhatIsNoNumberAFractionForAWholeNumberAndLongTexts() {
    Map<String, List<String>> grid = Map.of("maxIterations", List.of("10.5", "1e2", "100.0"), "cost", List.of("NaN", "Infinity", "0x10", "1f"),
        "epsilon", List.of("0." + "0".repeat(40) + "1"));

    List<String> problems = Algorithm.LIBLINEAR.problems(grid);

    assertThat(problems).hasSize(6)
        .contains("liblinear: maxIterations=10.5: must be a whole number from 1 to 100000, not 10.5")
        .contains("liblinear: cost=NaN: must be a number from 0.000001 to 1000000, not 'NaN'")
        .anySatisfy(problem -> assertThat(problem).startsWith("liblinear: epsilon=0.0000").contains("at most 32 characters"));
    assertThat(String.join("\n", problems)).as("1e2 and 100.0 are whole numbers").doesNotContain("1e2").doesNotContain("100.0");
  }

  @Test
  void shouldNameAnUnknownHyperparameterAndTheKnownOnes() {
    assertThat(Algorithm.FACTORIZATION_MACHINE.problems(Map.of("depth", List.of("3"))))
        .containsExactly("factorization-machine: unknown hyperparameter 'depth' (known: epochs, factors, learningRate, variance)");
  }

  @Test
  void shouldRefuseAValueListedTwice() {
    assertThat(Algorithm.LIBLINEAR.problems(Map.of("cost", List.of("1", " 1", "2"))))
        .containsExactly("liblinear: cost=1 is listed twice");
  }

  @Test
  void shouldCountCandidatesAsTheProductOfTheCompleteGridWithoutOverflow() {
    // Defaults: learningRate has two values, epochs and minibatchSize one each.
    assertThat(Algorithm.LOGISTIC_REGRESSION.candidates(Map.of())).isEqualTo(2);
    assertThat(Algorithm.LOGISTIC_REGRESSION.candidates(Map.of("epochs", List.of("1", "2", "3")))).isEqualTo(6);
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      many.add(String.valueOf(i));
    }
    long huge = Algorithm.FACTORIZATION_MACHINE.candidates(Map.of("epochs", many, "factors", many, "learningRate", many, "variance", many));
    assertThat(huge).isEqualTo(Long.MAX_VALUE);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void shouldAcceptEveryDefaultAndBothEndsOfEveryRange(Algorithm algorithm) {
    for (Hyperparameter parameter : algorithm.hyperparameters()) {
      assertThat(algorithm.problems(Map.of(parameter.name(), parameter.defaults()))).as(parameter.name()).isEmpty();
      String low = parameter.whole() ? String.valueOf((long) parameter.min()) : String.valueOf(parameter.min());
      String high = parameter.whole() ? String.valueOf((long) parameter.max()) : String.valueOf(parameter.max());
      assertThat(algorithm.problems(Map.of(parameter.name(), List.of(low, high)))).as(parameter.name()).isEmpty();
      assertThat(algorithm.problems(Map.of(parameter.name(), List.of(String.valueOf(parameter.max() * 2))))).as(parameter.name()).hasSize(1);
    }
  }

  @Test
  void shouldMakeEveryCombinationInAStableOrder() {
    var grid = Algorithm.LIBLINEAR.completeGrid(Map.of("cost", List.of("1", "2"), "epsilon", List.of("0.1", "0.01")));

    assertThat(Algorithm.LIBLINEAR.combinations(grid)).extracting(Map::toString).containsExactly(
        "{cost=1, epsilon=0.1, maxIterations=1000}", "{cost=1, epsilon=0.01, maxIterations=1000}",
        "{cost=2, epsilon=0.1, maxIterations=1000}", "{cost=2, epsilon=0.01, maxIterations=1000}");
    assertThat(Arrays.stream(Algorithm.values()).map(Algorithm::id)).containsExactly("logistic-regression", "factorization-machine", "liblinear");
  }
}
