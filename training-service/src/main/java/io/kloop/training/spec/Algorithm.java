package io.kloop.training.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.liblinear.LibLinearClassificationTrainer;
import org.tribuo.classification.liblinear.LinearClassificationType;
import org.tribuo.classification.sgd.fm.FMClassificationTrainer;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;

/**
 * The algorithm families a model may use: Tribuo trainers whose models export to ONNX, each with its
 * hyperparameters (name, default values tried when the grid does not name it, and how to read a value).
 */
public enum Algorithm {

  /** Multinomial logistic regression trained by SGD with AdaGrad ({@link LinearSGDTrainer}, log loss). */
  LOGISTIC_REGRESSION("logistic-regression", Map.of(
      "epochs", List.of("30"),
      "learningRate", List.of("0.1", "0.5"),
      "minibatchSize", List.of("1"))),

  /** Factorization machine with a softmax output, trained by SGD with AdaGrad ({@link FMClassificationTrainer}). */
  FACTORIZATION_MACHINE("factorization-machine", Map.of(
      "epochs", List.of("20"),
      "learningRate", List.of("0.1"),
      "factors", List.of("4"),
      "variance", List.of("0.1"))),

  /** L2-regularised logistic regression solved by LibLinear ({@link LibLinearClassificationTrainer}). */
  LIBLINEAR("liblinear", Map.of(
      "cost", List.of("0.1", "1", "10"),
      "maxIterations", List.of("1000"),
      "epsilon", List.of("0.01")));

  /** SGD trainers log progress every this many examples; the run logs its own phases instead. */
  private static final int QUIET = Integer.MAX_VALUE;

  private final String id;
  private final Map<String, List<String>> defaults;

  Algorithm(String id, Map<String, List<String>> defaults) {
    this.id = id;
    this.defaults = defaults;
  }

  /** The name used in specs, events and the API, e.g. {@code logistic-regression}. */
  public String id() {
    return id;
  }

  public static Optional<Algorithm> byId(String id) {
    for (Algorithm algorithm : values()) {
      if (algorithm.id.equals(id) || algorithm.name().equalsIgnoreCase(id)) {
        return Optional.of(algorithm);
      }
    }
    return Optional.empty();
  }

  public static List<String> ids() {
    return java.util.Arrays.stream(values()).map(Algorithm::id).toList();
  }

  /** Hyperparameter names, sorted. */
  public List<String> parameters() {
    return defaults.keySet().stream().sorted().toList();
  }

  /** The grid with every parameter the given grid leaves out filled in with its defaults. */
  public Map<String, List<String>> completeGrid(Map<String, List<String>> grid) {
    Map<String, List<String>> complete = new LinkedHashMap<>();
    for (String parameter : parameters()) {
      List<String> values = grid.get(parameter);
      complete.put(parameter, values == null || values.isEmpty() ? defaults.get(parameter) : List.copyOf(values));
    }
    return complete;
  }

  /** What is wrong with a grid: unknown parameters and values that do not parse or are out of range. */
  public List<String> problems(Map<String, List<String>> grid) {
    List<String> problems = new ArrayList<>();
    grid.forEach((parameter, values) -> {
      if (!defaults.containsKey(parameter)) {
        problems.add(id + ": unknown hyperparameter '" + parameter + "' (known: " + String.join(", ", parameters()) + ")");
        return;
      }
      for (String value : values) {
        try {
          check(parameter, value);
        } catch (IllegalArgumentException e) {
          problems.add(id + ": " + parameter + "=" + value + ": " + e.getMessage());
        }
      }
    });
    return problems;
  }

  /** Every combination of a (complete) grid, in a stable order. */
  public List<Map<String, String>> combinations(Map<String, List<String>> grid) {
    List<Map<String, String>> combinations = new ArrayList<>();
    combinations.add(new LinkedHashMap<>());
    for (String parameter : parameters()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : combinations) {
        for (String value : grid.get(parameter)) {
          Map<String, String> extended = new LinkedHashMap<>(partial);
          extended.put(parameter, value);
          next.add(extended);
        }
      }
      combinations = next;
    }
    return combinations;
  }

  /** A trainer for one combination of hyperparameters. */
  public Trainer<Label> trainer(Map<String, String> parameters, long seed) {
    return switch (this) {
      case LOGISTIC_REGRESSION -> new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(positive(parameters, "learningRate")),
          positiveInt(parameters, "epochs"), QUIET, positiveInt(parameters, "minibatchSize"), seed);
      case FACTORIZATION_MACHINE -> new FMClassificationTrainer(new LogMulticlass(), new AdaGrad(positive(parameters, "learningRate")),
          positiveInt(parameters, "epochs"), QUIET, 1, seed, positiveInt(parameters, "factors"), positive(parameters, "variance"));
      case LIBLINEAR -> new LibLinearClassificationTrainer(new LinearClassificationType(LinearClassificationType.LinearType.L2R_LR),
          positive(parameters, "cost"), positiveInt(parameters, "maxIterations"), positive(parameters, "epsilon"), seed);
    };
  }

  private void check(String parameter, String value) {
    Map<String, String> single = Map.of(parameter, value);
    if (parameter.equals("epochs") || parameter.equals("minibatchSize") || parameter.equals("factors") || parameter.equals("maxIterations")) {
      positiveInt(single, parameter);
    } else {
      positive(single, parameter);
    }
  }

  private static double positive(Map<String, String> parameters, String name) {
    double value;
    try {
      value = Double.parseDouble(parameters.get(name).trim());
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException("not a number");
    }
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("must be a positive finite number");
    }
    return value;
  }

  private static int positiveInt(Map<String, String> parameters, String name) {
    int value;
    try {
      value = Integer.parseInt(parameters.get(name).trim());
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException("not a whole number");
    }
    if (value <= 0) {
      throw new IllegalArgumentException("must be at least 1");
    }
    return value;
  }

  @Override
  public String toString() {
    return id.toLowerCase(Locale.ROOT);
  }
}
