package io.kloop.training.spec;

import io.kloop.events.ModelSpecDeclared;
import io.kloop.events.TrainingWindow;
import io.kloop.events.TrainingWindowKind;
import io.kloop.schemas.EventMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a model learns from and how: its dataset, the algorithm families and hyperparameter grids to
 * search, when new data triggers a run ({@code minNewRows}, {@code cooldown}), which batches a run
 * trains on ({@code window}), the cron {@code schedule} at whose firings training asks for a run (null for
 * none; see {@link CronSchedule}) and whether the monitor turns the model's labelled predictions into training
 * data ({@code feedback}). Eight fields are too many to write by position: a spec is made with the six-field
 * constructor (no schedule, feedback on) and {@link #withSchedule} and {@link #withFeedback} name the others.
 */
public record ModelSpec(String name, String dataset, List<AlgorithmGrid> algorithms, long minNewRows, Window window, Duration cooldown,
    String schedule, boolean feedback) {

  /** One algorithm family and the values to try per hyperparameter. */
  public record AlgorithmGrid(Algorithm algorithm, Map<String, List<String>> grid) {}

  /** Which batches a run trains on: all of them, or the latest ones counted in rows or in batches. */
  public record Window(TrainingWindowKind kind, long size) {
    public static final Window ALL = new Window(TrainingWindowKind.ALL, 0);
  }

  /** The most candidates (hyperparameter combinations, over all the spec's families) one run trains. */
  public static final int MAX_CANDIDATES = 50;
  public static final long MAX_MIN_NEW_ROWS = 1_000_000_000L;
  /** A run holds its window's rows in memory. */
  public static final long MAX_WINDOW_ROWS = 10_000_000L;
  public static final long MAX_WINDOW_BATCHES = 100_000L;
  public static final Duration MAX_COOLDOWN = Duration.ofDays(365);

  public ModelSpec {
    algorithms = List.copyOf(algorithms);
  }

  /** A spec without a schedule, whose labelled predictions become training data (the defaults). */
  public ModelSpec(String name, String dataset, List<AlgorithmGrid> algorithms, long minNewRows, Window window, Duration cooldown) {
    this(name, dataset, algorithms, minNewRows, window, cooldown, null, true);
  }

  /** This spec with the schedule (a cron expression, or null for none). */
  public ModelSpec withSchedule(String schedule) {
    return new ModelSpec(name, dataset, algorithms, minNewRows, window, cooldown, schedule, feedback);
  }

  /** This spec with feedback on or off. */
  public ModelSpec withFeedback(boolean feedback) {
    return new ModelSpec(name, dataset, algorithms, minNewRows, window, cooldown, schedule, feedback);
  }

  /** This spec with other algorithms (none: how a retired model's spec is shown). */
  public ModelSpec withAlgorithms(List<AlgorithmGrid> algorithms) {
    return new ModelSpec(name, dataset, algorithms, minNewRows, window, cooldown, schedule, feedback);
  }

  /** The spec's schedule when it has a valid one; empty without a schedule, or with one that breaks the rules. */
  public Optional<CronSchedule> cron() {
    return CronSchedule.parse(schedule, new ArrayList<>());
  }

  /** Everything wrong with the spec, in words for the caller; empty when it is valid. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (name == null || !name.matches(Texts.MODEL_NAME)) {
      problems.add("model name must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit, not '"
          + Texts.shown(name) + "'");
    }
    if (dataset == null || dataset.isBlank()) {
      problems.add("dataset is required");
    } else if (!dataset.matches(Texts.DATASET_NAME)) {
      problems.add("dataset must be a dataset's name (1-63 lower-case letters, digits, '_' or '-', starting with a letter or digit), not '"
          + Texts.shown(dataset) + "'");
    }
    if (algorithms.isEmpty()) {
      problems.add("at least one algorithm is required (" + String.join(", ", Algorithm.ids()) + ")");
    }
    Set<Algorithm> seen = EnumSet.noneOf(Algorithm.class);
    long candidates = 0;
    List<String> counts = new ArrayList<>();
    for (AlgorithmGrid grid : algorithms) {
      if (!seen.add(grid.algorithm())) {
        problems.add(grid.algorithm().id() + " is listed twice; give each family once, with all the values to try in its grid");
      }
      List<String> gridProblems = grid.algorithm().problems(grid.grid());
      problems.addAll(gridProblems);
      long count = grid.algorithm().candidates(grid.grid());
      candidates = candidates > Long.MAX_VALUE - count ? Long.MAX_VALUE : candidates + count;
      counts.add(grid.algorithm().id() + " " + count);
    }
    if (candidates > MAX_CANDIDATES) {
      problems.add("the grids make " + (candidates == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : candidates) + " candidates ("
          + String.join(", ", counts) + "); a run trains at most " + MAX_CANDIDATES);
    }
    if (minNewRows < 1 || minNewRows > MAX_MIN_NEW_ROWS) {
      problems.add("minNewRows must be a whole number from 1 to " + MAX_MIN_NEW_ROWS + ", not " + minNewRows);
    }
    if (window == null || window.kind() == null) {
      problems.add("window is required");
    } else if (window.kind() == TrainingWindowKind.LAST_ROWS && (window.size() < 1 || window.size() > MAX_WINDOW_ROWS)) {
      problems.add("window last-rows:N needs N from 1 to " + MAX_WINDOW_ROWS + ", not " + window.size());
    } else if (window.kind() == TrainingWindowKind.LAST_BATCHES && (window.size() < 1 || window.size() > MAX_WINDOW_BATCHES)) {
      problems.add("window last-batches:N needs N from 1 to " + MAX_WINDOW_BATCHES + ", not " + window.size());
    }
    if (cooldown == null || cooldown.isNegative() || cooldown.compareTo(MAX_COOLDOWN) > 0) {
      problems.add("cooldown must be from 0s to " + MAX_COOLDOWN.toDays() + "d, not " + cooldown);
    }
    CronSchedule.parse(schedule, problems);
    return problems;
  }

  /** The event that declares this spec, with the metadata (id, time, producer) of its declaration. */
  public ModelSpecDeclared toEvent(EventMetadata metadata, String declaredBy) {
    return event(metadata, declaredBy, algorithms);
  }

  /**
   * The event that retires the model: this spec with no algorithm at all, which no declared spec can be (one
   * is required), stored on the compacted topic like any spec, so the retirement is the model's latest spec
   * and survives restarts. {@code declaredBy} says who retired it.
   */
  public ModelSpecDeclared toRetirementEvent(EventMetadata metadata, String retiredBy) {
    return event(metadata, retiredBy, List.of());
  }

  /** Whether a stored spec event retires its model (see {@link #toRetirementEvent}). */
  public static boolean retires(ModelSpecDeclared event) {
    return event.getAlgorithms().isEmpty();
  }

  private ModelSpecDeclared event(EventMetadata metadata, String declaredBy, List<AlgorithmGrid> algorithms) {
    List<io.kloop.events.AlgorithmGrid> grids = algorithms.stream()
        .map(grid -> io.kloop.events.AlgorithmGrid.newBuilder().setAlgorithm(grid.algorithm().id()).setGrid(new LinkedHashMap<>(grid.grid())).build())
        .toList();
    return metadata.build(ModelSpecDeclared.newBuilder()
        .setModel(name)
        .setDataset(dataset)
        .setAlgorithms(grids)
        .setMinNewRows(minNewRows)
        .setWindow(TrainingWindow.newBuilder().setKind(window.kind()).setSize(window.size()).build())
        .setCooldownMillis(cooldown.toMillis())
        .setSchedule(schedule)
        .setFeedback(feedback)
        .setDeclaredBy(declaredBy));
  }

  /**
   * The spec an event declares, as stored: not checked (a spec stored by an older version, or written to the
   * topic by anything else, may break today's rules; a run of it then fails naming its problems). Algorithms
   * this version does not know are left out.
   */
  public static ModelSpec of(ModelSpecDeclared event) {
    List<AlgorithmGrid> grids = new ArrayList<>();
    for (io.kloop.events.AlgorithmGrid grid : event.getAlgorithms()) {
      Algorithm.byId(grid.getAlgorithm()).ifPresent(algorithm -> grids.add(new AlgorithmGrid(algorithm, Map.copyOf(grid.getGrid()))));
    }
    return new ModelSpec(event.getModel(), event.getDataset(), grids, event.getMinNewRows(),
        new Window(event.getWindow().getKind(), event.getWindow().getSize()), Duration.ofMillis(event.getCooldownMillis()))
        .withSchedule(event.getSchedule()).withFeedback(event.getFeedback());
  }
}
