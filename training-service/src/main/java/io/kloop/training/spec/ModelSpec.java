package io.kloop.training.spec;

import io.kloop.events.ModelSpecDeclared;
import io.kloop.events.TrainingWindow;
import io.kloop.events.TrainingWindowKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a model learns from and how: its dataset, the algorithm families and hyperparameter grids to
 * search, when new data triggers a run ({@code minNewRows}, {@code cooldown}) and which batches a run
 * trains on ({@code window}).
 */
public record ModelSpec(String name, String dataset, List<AlgorithmGrid> algorithms, long minNewRows, Window window, Duration cooldown) {

  /** One algorithm family and the values to try per hyperparameter. */
  public record AlgorithmGrid(Algorithm algorithm, Map<String, List<String>> grid) {}

  /** Which batches a run trains on: all of them, or the latest ones counted in rows or in batches. */
  public record Window(TrainingWindowKind kind, long size) {
    public static final Window ALL = new Window(TrainingWindowKind.ALL, 0);
  }

  public ModelSpec {
    algorithms = List.copyOf(algorithms);
  }

  /** Everything wrong with the spec, in words for the caller; empty when it is valid. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
      problems.add("model name must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (dataset == null || dataset.isBlank()) {
      problems.add("dataset is required");
    }
    if (algorithms.isEmpty()) {
      problems.add("at least one algorithm is required (" + String.join(", ", Algorithm.ids()) + ")");
    }
    algorithms.forEach(grid -> problems.addAll(grid.algorithm().problems(grid.grid())));
    if (minNewRows < 1) {
      problems.add("minNewRows must be at least 1");
    }
    if (window.kind() != TrainingWindowKind.ALL && window.size() < 1) {
      problems.add("window size must be at least 1 for " + window.kind());
    }
    if (cooldown.isNegative()) {
      problems.add("cooldown must not be negative");
    }
    return problems;
  }

  public ModelSpecDeclared toEvent(String producer, String declaredBy) {
    List<io.kloop.events.AlgorithmGrid> grids = algorithms.stream()
        .map(grid -> io.kloop.events.AlgorithmGrid.newBuilder().setAlgorithm(grid.algorithm().id()).setGrid(new LinkedHashMap<>(grid.grid())).build())
        .toList();
    return ModelSpecDeclared.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setEventTime(Instant.now())
        .setProducer(producer)
        .setModel(name)
        .setDataset(dataset)
        .setAlgorithms(grids)
        .setMinNewRows(minNewRows)
        .setWindow(TrainingWindow.newBuilder().setKind(window.kind()).setSize(window.size()).build())
        .setCooldownMillis(cooldown.toMillis())
        .setDeclaredBy(declaredBy)
        .build();
  }

  /** The spec an event declares; algorithms this version does not know are left out. */
  public static ModelSpec of(ModelSpecDeclared event) {
    List<AlgorithmGrid> grids = new ArrayList<>();
    for (io.kloop.events.AlgorithmGrid grid : event.getAlgorithms()) {
      Algorithm.byId(grid.getAlgorithm()).ifPresent(algorithm -> grids.add(new AlgorithmGrid(algorithm, Map.copyOf(grid.getGrid()))));
    }
    return new ModelSpec(event.getModel(), event.getDataset(), grids, event.getMinNewRows(),
        new Window(event.getWindow().getKind(), event.getWindow().getSize()), Duration.ofMillis(event.getCooldownMillis()));
  }
}
