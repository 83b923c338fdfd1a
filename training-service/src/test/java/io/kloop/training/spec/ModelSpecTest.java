package io.kloop.training.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.ModelSpecDeclared;
import io.kloop.events.TrainingWindowKind;
import io.kloop.schemas.EventMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

  private static final List<ModelSpecDocument.AlgorithmDocument> LIBLINEAR = List.of(new ModelSpecDocument.AlgorithmDocument("liblinear", null));

  @Test
  void shouldAcceptAValidSpecWithItsDefaults() {
    List<String> problems = new ArrayList<>();
    ModelSpec spec = new ModelSpecDocument(null, "breast-cancer", LIBLINEAR, null, null, null).toSpec("tumours", problems);

    assertThat(problems).isEmpty();
    assertThat(spec.problems()).isEmpty();
    assertThat(spec.minNewRows()).isEqualTo(100);
    assertThat(spec.window()).isEqualTo(ModelSpec.Window.ALL);
    assertThat(spec.cooldown()).isEqualTo(Duration.ofMinutes(1));
    assertThat(spec.schedule()).isNull();
    assertThat(spec.feedback()).isTrue();
  }

  @Test
  void shouldCarryTheScheduleAndTheFeedbackSwitchFromTheDocumentToTheEventAndBack() {
    List<String> problems = new ArrayList<>();
    ModelSpec spec = new ModelSpecDocument(null, "breast-cancer", LIBLINEAR, null, null, null).withSchedule("  0 0 3 * * *  ")
        .withFeedback(false).toSpec("tumours", problems);

    assertThat(problems).isEmpty();
    assertThat(spec.problems()).isEmpty();
    assertThat(spec.schedule()).as("surrounding blanks dropped").isEqualTo("0 0 3 * * *");
    assertThat(spec.feedback()).isFalse();
    ModelSpecDeclared event = spec.toEvent(metadata("training-service"), "http");
    assertThat(event.getSchedule()).isEqualTo("0 0 3 * * *");
    assertThat(event.getFeedback()).isFalse();
    assertThat(ModelSpec.of(event)).isEqualTo(spec);
    ModelSpecDocument shown = ModelSpecDocument.of(spec);
    assertThat(shown.schedule()).isEqualTo("0 0 3 * * *");
    assertThat(shown.feedback()).isFalse();
    assertThat(spec.withSchedule("0 0 4 * * *")).as("a changed schedule is a changed spec").isNotEqualTo(spec);
  }

  @Test
  void shouldNameAScheduleThatFiresTooOftenOrIsNoCronExpression() {
    assertThat(problems(new ModelSpecDocument(null, "data", LIBLINEAR, null, null, null).withSchedule("* * * * * *")))
        .singleElement().asString().contains("more than once a minute");
    assertThat(problems(new ModelSpecDocument(null, "data", LIBLINEAR, null, null, null).withSchedule("0 3 * * *")))
        .singleElement().asString().startsWith("schedule '0 3 * * *' is not a cron expression of six fields");
  }

  @Test
  void shouldRefuseDurationsThatOverflowOrExceedAYear() {
    for (String cooldown : List.of("P99999999999999D", "99999999999999d", "PT9223372036854775807S", "366d", "-1s")) {
      List<String> problems = problems(new ModelSpecDocument(null, "data", LIBLINEAR, null, null, cooldown));
      assertThat(problems).as(cooldown).singleElement().asString().startsWith("cooldown must be from 0s to 365d");
    }
    assertThat(problems(new ModelSpecDocument(null, "data", LIBLINEAR, null, null, "99999999999999999999999d")))
        .singleElement().asString().startsWith("cooldown must be a duration such as");
    assertThat(problems(new ModelSpecDocument(null, "data", LIBLINEAR, null, null, "365d"))).isEmpty();
  }

  @Test
  void shouldRefuseWindowsOutsideTheirRange() {
    assertThat(problems(new ModelSpecDocument(null, "data", LIBLINEAR, null, "last-rows:99999999999999", null)))
        .containsExactly("window last-rows:N needs N from 1 to 10000000, not 99999999999999");
    assertThat(problems(new ModelSpecDocument(null, "data", LIBLINEAR, null, "last-batches:100001", null)))
        .containsExactly("window last-batches:N needs N from 1 to 100000, not 100001");
    assertThat(problems(new ModelSpecDocument(null, "data", LIBLINEAR, null, "last-rows:99999999999999999999", null)))
        .singleElement().asString().startsWith("window must be all, last-rows:N or last-batches:N");
    assertThat(problems(new ModelSpecDocument(null, "data", LIBLINEAR, null, "last-rows:0", null))).hasSize(1);
    assertThat(problems(new ModelSpecDocument(null, "data", LIBLINEAR, null, "LAST-ROWS:10000000", null))).isEmpty();
  }

  @Test
  void shouldRefuseMoreThanFiftyCandidatesNamingTheCount() {
    // 3 x 3 x 2 = 18 logistic-regression candidates, 6 x 6 = 36 liblinear: 54 in all.
    List<ModelSpecDocument.AlgorithmDocument> algorithms = List.of(
        new ModelSpecDocument.AlgorithmDocument("logistic-regression", Map.of("epochs", List.of(1, 2, 3), "minibatchSize", List.of(1, 2, 3))),
        new ModelSpecDocument.AlgorithmDocument("liblinear", Map.of("cost", List.of(1, 2, 3, 4, 5, 6), "epsilon", List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6))));

    assertThat(problems(new ModelSpecDocument(null, "data", algorithms, null, null, null)))
        .containsExactly("the grids make 54 candidates (logistic-regression 18, liblinear 36); a run trains at most 50");
  }

  @Test
  void shouldRefuseNullsAndContainersWhereAGridExpectsNumbers() {
    Map<String, List<Object>> grid = new java.util.HashMap<>();
    grid.put("cost", Arrays.asList(1, null, true, List.of(1), Map.of("a", 1)));
    grid.put("epsilon", null);

    List<String> problems = problems(new ModelSpecDocument(null, "data", List.of(new ModelSpecDocument.AlgorithmDocument("liblinear", grid)),
        null, null, null));

    assertThat(problems).containsExactlyInAnyOrder("liblinear: cost[1] must be a number, not null", "liblinear: cost[2] must be a number, not a boolean",
        "liblinear: cost[3] must be a number, not a list", "liblinear: cost[4] must be a number, not an object",
        "liblinear: epsilon needs a list of values to try (leave it out for the family's defaults)");
  }

  @Test
  void shouldRefuseNullAlgorithmsUnknownOnesAndAFamilyListedTwice() {
    List<ModelSpecDocument.AlgorithmDocument> algorithms = Arrays.asList(null, new ModelSpecDocument.AlgorithmDocument(null, null),
        new ModelSpecDocument.AlgorithmDocument("random-forest", null), new ModelSpecDocument.AlgorithmDocument("liblinear", null),
        new ModelSpecDocument.AlgorithmDocument("liblinear", Map.of("cost", List.of(5))));

    assertThat(problems(new ModelSpecDocument(null, "data", algorithms, null, null, null))).containsExactly(
        "every algorithm needs a name (logistic-regression, factorization-machine, liblinear)",
        "every algorithm needs a name (logistic-regression, factorization-machine, liblinear)",
        "unknown algorithm 'random-forest' (known: logistic-regression, factorization-machine, liblinear)",
        "liblinear is listed twice; give each family once, with all the values to try in its grid");
  }

  @Test
  void shouldRefuseBadNamesMinNewRowsAndDatasetsShowingAtMostAShortPieceOfThem() {
    List<String> problems = new ArrayList<>();
    ModelSpec spec = new ModelSpecDocument(null, "Data set\n" + "x".repeat(10_000), LIBLINEAR, 0L, null, null)
        .toSpec("x".repeat(5_000), problems);
    problems.addAll(spec.problems());

    assertThat(problems).hasSize(3);
    assertThat(problems.get(0)).startsWith("model name must be").endsWith("… (5000 characters)'");
    assertThat(problems.get(1)).startsWith("dataset must be a dataset's name").hasSizeLessThan(300);
    assertThat(problems.get(2)).isEqualTo("minNewRows must be a whole number from 1 to 1000000000, not 0");
  }

  @Test
  void shouldTellARetirementFromASpecAndKeepTheSpecsFields() {
    ModelSpec spec = new ModelSpec("tumours", "breast-cancer", List.of(new ModelSpec.AlgorithmGrid(Algorithm.LIBLINEAR, Map.of())), 50,
        new ModelSpec.Window(TrainingWindowKind.LAST_ROWS, 400), Duration.ofMinutes(5));

    ModelSpecDeclared declared = spec.toEvent(metadata("training-service"), "http");
    ModelSpecDeclared retired = spec.toRetirementEvent(metadata("training-service"), "alice");

    assertThat(ModelSpec.retires(declared)).isFalse();
    assertThat(ModelSpec.retires(retired)).isTrue();
    assertThat(retired.getDeclaredBy()).isEqualTo("alice");
    assertThat(ModelSpec.of(declared)).isEqualTo(spec);
    assertThat(ModelSpec.of(retired).dataset()).isEqualTo("breast-cancer");
    assertThat(ModelSpec.of(retired).window()).isEqualTo(spec.window());
  }

  @Test
  void shouldReadAStoredSpecThatBreaksTodaysRulesAndNameItsProblems() {
    ModelSpecDeclared stored = new ModelSpec("wedge", "data", List.of(new ModelSpec.AlgorithmGrid(Algorithm.LOGISTIC_REGRESSION,
        Map.of("epochs", List.of("2000000000")))), 0, new ModelSpec.Window(TrainingWindowKind.LAST_ROWS, Long.MAX_VALUE), Duration.ZERO)
        .toEvent(metadata("elsewhere"), "someone");
    stored.setCooldownMillis(Long.MAX_VALUE);

    ModelSpec spec = ModelSpec.of(stored);

    assertThat(spec.problems()).hasSize(4).anySatisfy(problem -> assertThat(problem).contains("epochs=2000000000"))
        .anySatisfy(problem -> assertThat(problem).startsWith("minNewRows"))
        .anySatisfy(problem -> assertThat(problem).startsWith("window last-rows:N"))
        .anySatisfy(problem -> assertThat(problem).startsWith("cooldown"));
  }

  private static EventMetadata metadata(String producer) {
    return EventMetadata.fresh(Instant.parse("2026-12-07T10:00:00Z"), producer);
  }

  private static List<String> problems(ModelSpecDocument document) {
    List<String> problems = new ArrayList<>();
    ModelSpec spec = document.toSpec("model", problems);
    problems.addAll(spec.problems());
    return problems;
  }
}
