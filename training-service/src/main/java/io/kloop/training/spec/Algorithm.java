package io.kloop.training.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
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
 * hyperparameters (name, range, default values tried when the grid does not name it). The ranges keep every
 * candidate's work bounded: an SGD family runs at most 1,000 epochs, LibLinear at most 100,000 iterations.
 */
public enum Algorithm {

  /** Multinomial logistic regression trained by SGD with AdaGrad ({@link LinearSGDTrainer}, log loss). */
  LOGISTIC_REGRESSION("logistic-regression", List.of(
      Hyperparameter.whole("epochs", 1, 1_000, "30"),
      Hyperparameter.real("learningRate", 1e-6, 10, "0.1", "0.5"),
      Hyperparameter.whole("minibatchSize", 1, 10_000, "1"))),

  /** Factorization machine with a softmax output, trained by SGD with AdaGrad ({@link FMClassificationTrainer}). */
  FACTORIZATION_MACHINE("factorization-machine", List.of(
      Hyperparameter.whole("epochs", 1, 1_000, "20"),
      Hyperparameter.real("learningRate", 1e-6, 10, "0.1"),
      Hyperparameter.whole("factors", 1, 100, "4"),
      Hyperparameter.real("variance", 1e-6, 10, "0.1"))),

  /** L2-regularised logistic regression solved by LibLinear ({@link LibLinearClassificationTrainer}). */
  LIBLINEAR("liblinear", List.of(
      Hyperparameter.real("cost", 1e-6, 1e6, "0.1", "1", "10"),
      Hyperparameter.whole("maxIterations", 1, 100_000, "1000"),
      Hyperparameter.real("epsilon", 1e-9, 1, "0.01")));

  /** SGD trainers log progress every this many examples; the run logs its own phases instead. */
  private static final int QUIET = Integer.MAX_VALUE;

  private final String id;
  private final Map<String, Hyperparameter> hyperparameters = new TreeMap<>();

  Algorithm(String id, List<Hyperparameter> hyperparameters) {
    this.id = id;
    hyperparameters.forEach(parameter -> this.hyperparameters.put(parameter.name(), parameter));
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
    return List.copyOf(hyperparameters.keySet());
  }

  /** The family's hyperparameters with their ranges and defaults, sorted by name. */
  public List<Hyperparameter> hyperparameters() {
    return List.copyOf(hyperparameters.values());
  }

  /** The grid with every parameter the given grid leaves out filled in with its defaults. */
  public Map<String, List<String>> completeGrid(Map<String, List<String>> grid) {
    Map<String, List<String>> complete = new LinkedHashMap<>();
    for (Hyperparameter parameter : hyperparameters.values()) {
      List<String> values = grid.get(parameter.name());
      complete.put(parameter.name(), values == null || values.isEmpty() ? parameter.defaults() : List.copyOf(values));
    }
    return complete;
  }

  /** How many candidates the (possibly incomplete) grid makes: the product of its value counts, at most {@link Long#MAX_VALUE}. */
  public long candidates(Map<String, List<String>> grid) {
    long count = 1;
    for (List<String> values : completeGrid(grid).values()) {
      count = count > Long.MAX_VALUE / values.size() ? Long.MAX_VALUE : count * values.size();
    }
    return count;
  }

  /**
   * What is wrong with a grid: unknown parameters, values that are not numbers in the parameter's range, and
   * values given twice. Each problem names the family, the parameter and its range.
   */
  public List<String> problems(Map<String, List<String>> grid) {
    List<String> problems = new ArrayList<>();
    grid.forEach((parameter, values) -> {
      Hyperparameter known = hyperparameters.get(parameter);
      if (known == null) {
        problems.add(id + ": unknown hyperparameter '" + Texts.shown(parameter) + "' (known: " + String.join(", ", parameters()) + ")");
        return;
      }
      Set<String> seen = new HashSet<>();
      for (String value : values == null ? List.<String>of() : values) {
        String problem = known.problem(value);
        if (problem != null) {
          problems.add(id + ": " + parameter + "=" + Texts.shown(value) + ": " + problem);
        } else if (!seen.add(value.trim())) {
          problems.add(id + ": " + parameter + "=" + value.trim() + " is listed twice");
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

  /**
   * A trainer for one combination of hyperparameters (each must be in its range). The SGD families step
   * through {@code stop}'s check once per minibatch, so a cancelled run stops within one step.
   */
  public Trainer<Label> trainer(Map<String, String> parameters, long seed, Runnable stop) {
    return switch (this) {
      case LOGISTIC_REGRESSION -> new LinearSGDTrainer(new LogMulticlass(), new StoppableOptimiser(new AdaGrad(real(parameters, "learningRate")), stop),
          whole(parameters, "epochs"), QUIET, whole(parameters, "minibatchSize"), seed);
      case FACTORIZATION_MACHINE -> new FMClassificationTrainer(new LogMulticlass(),
          new StoppableOptimiser(new AdaGrad(real(parameters, "learningRate")), stop),
          whole(parameters, "epochs"), QUIET, 1, seed, whole(parameters, "factors"), real(parameters, "variance"));
      case LIBLINEAR -> new LibLinearClassificationTrainer(new LinearClassificationType(LinearClassificationType.LinearType.L2R_LR),
          real(parameters, "cost"), whole(parameters, "maxIterations"), real(parameters, "epsilon"), seed);
    };
  }

  private double real(Map<String, String> parameters, String name) {
    return hyperparameters.get(name).parse(String.valueOf(parameters.get(name)));
  }

  private int whole(Map<String, String> parameters, String name) {
    return (int) hyperparameters.get(name).parse(String.valueOf(parameters.get(name)));
  }

  @Override
  public String toString() {
    return id.toLowerCase(Locale.ROOT);
  }
}
