package io.kloop.training.spec;

import io.kloop.events.TrainingWindowKind;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.convert.DurationStyle;

/**
 * A model spec as JSON (HTTP) or properties (configuration) write it:
 *
 * <pre>{@code
 * {"dataset": "breast-cancer",
 *  "algorithms": [{"algorithm": "logistic-regression", "grid": {"epochs": [10, 30]}}, {"algorithm": "liblinear"}],
 *  "minNewRows": 100, "window": "last-rows:5000", "cooldown": "10m", "schedule": "0 0 3 * * *", "feedback": true}
 * }</pre>
 *
 * {@code window} is {@code all} (the default), {@code last-rows:N} or {@code last-batches:N}; {@code cooldown}
 * is a duration such as {@code 30s}, {@code 10m} or {@code PT1H} (default 1 minute); {@code minNewRows}
 * defaults to 100; grid values may be numbers or strings; {@code schedule} is a cron expression of six fields in
 * UTC (see {@link CronSchedule}; none by default); {@code feedback} defaults to true. Eight fields: the document is
 * made with the six-field constructor and {@link #withSchedule} / {@link #withFeedback}.
 */
public record ModelSpecDocument(String name, String dataset, List<AlgorithmDocument> algorithms, Long minNewRows, String window,
    String cooldown, String schedule, Boolean feedback) {

  /** A document without schedule and feedback (they take their defaults). */
  public ModelSpecDocument(String name, String dataset, List<AlgorithmDocument> algorithms, Long minNewRows, String window,
      String cooldown) {
    this(name, dataset, algorithms, minNewRows, window, cooldown, null, null);
  }

  /** This document with the schedule (null for none). */
  public ModelSpecDocument withSchedule(String schedule) {
    return new ModelSpecDocument(name, dataset, algorithms, minNewRows, window, cooldown, schedule, feedback);
  }

  /** This document with feedback on or off (null for the default, on). */
  public ModelSpecDocument withFeedback(Boolean feedback) {
    return new ModelSpecDocument(name, dataset, algorithms, minNewRows, window, cooldown, schedule, feedback);
  }

  public record AlgorithmDocument(String algorithm, Map<String, List<Object>> grid) {}

  static final long DEFAULT_MIN_NEW_ROWS = 100;
  static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(1);

  /** The spec this document declares for model {@code name}, or the problems that stop it. */
  public ModelSpec toSpec(String name, List<String> problems) {
    List<ModelSpec.AlgorithmGrid> grids = new ArrayList<>();
    if (algorithms != null) {
      for (AlgorithmDocument document : algorithms) {
        if (document == null || document.algorithm() == null) {
          problems.add("every algorithm needs a name (" + String.join(", ", Algorithm.ids()) + ")");
          continue;
        }
        Algorithm algorithm = Algorithm.byId(document.algorithm()).orElse(null);
        if (algorithm == null) {
          problems.add("unknown algorithm '" + Texts.shown(document.algorithm()) + "' (known: " + String.join(", ", Algorithm.ids()) + ")");
          continue;
        }
        Map<String, List<String>> grid = new LinkedHashMap<>();
        if (document.grid() != null) {
          document.grid().forEach((parameter, values) -> grid.put(parameter, values(algorithm, parameter, values, problems)));
        }
        grids.add(new ModelSpec.AlgorithmGrid(algorithm, grid));
      }
    }
    ModelSpec.Window parsedWindow = parseWindow(window, problems);
    Duration parsedCooldown = parseCooldown(cooldown, problems);
    // The schedule's own rules are the spec's (ModelSpec.problems); only surrounding blanks are dropped here.
    return new ModelSpec(name, dataset, grids, minNewRows == null ? DEFAULT_MIN_NEW_ROWS : minNewRows, parsedWindow, parsedCooldown)
        .withSchedule(schedule == null || schedule.isBlank() ? schedule : schedule.strip())
        .withFeedback(feedback == null || feedback);
  }

  /**
   * A grid's values for one hyperparameter as text: numbers as written, strings as they are. Anything else
   * (null, true, a list, an object) is a problem; a missing list is one too (leave the parameter out for its
   * defaults).
   */
  private static List<String> values(Algorithm algorithm, String parameter, List<Object> values, List<String> problems) {
    String where = algorithm.id() + ": " + Texts.shown(parameter);
    if (values == null) {
      problems.add(where + " needs a list of values to try (leave it out for the family's defaults)");
      return List.of();
    }
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      Object value = values.get(i);
      if (value instanceof Number || value instanceof String) {
        texts.add(value.toString());
      } else {
        problems.add(where + "[" + i + "] must be a number, not " + (value == null ? "null" : value instanceof Boolean ? "a boolean"
            : value instanceof List ? "a list" : value instanceof Map ? "an object" : "a " + value.getClass().getSimpleName()));
      }
    }
    return texts;
  }

  public static ModelSpecDocument of(ModelSpec spec) {
    List<AlgorithmDocument> algorithms = spec.algorithms().stream()
        .map(grid -> new AlgorithmDocument(grid.algorithm().id(), grid.algorithm().completeGrid(grid.grid()).entrySet().stream()
            .collect(LinkedHashMap<String, List<Object>>::new, (map, e) -> map.put(e.getKey(), List.copyOf(e.getValue())), Map::putAll)))
        .toList();
    return new ModelSpecDocument(spec.name(), spec.dataset(), algorithms, spec.minNewRows(), formatWindow(spec.window()),
        formatDuration(spec.cooldown())).withSchedule(spec.schedule()).withFeedback(spec.feedback());
  }

  static ModelSpec.Window parseWindow(String text, List<String> problems) {
    if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("all")) {
      return ModelSpec.Window.ALL;
    }
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split(":");
    try {
      if (parts.length == 2 && parts[0].equals("last-rows")) {
        return new ModelSpec.Window(TrainingWindowKind.LAST_ROWS, Long.parseLong(parts[1]));
      }
      if (parts.length == 2 && parts[0].equals("last-batches")) {
        return new ModelSpec.Window(TrainingWindowKind.LAST_BATCHES, Long.parseLong(parts[1]));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add("window must be all, last-rows:N or last-batches:N, not '" + Texts.shown(text) + "'");
    return ModelSpec.Window.ALL;
  }

  static String formatWindow(ModelSpec.Window window) {
    return switch (window.kind()) {
      case ALL -> "all";
      case LAST_ROWS -> "last-rows:" + window.size();
      case LAST_BATCHES -> "last-batches:" + window.size();
    };
  }

  /** The shortest exact form: 2h, 10m, 30s or 1500ms. */
  public static String formatDuration(Duration duration) {
    long millis = duration.toMillis();
    for (ChronoUnit unit : List.of(ChronoUnit.DAYS, ChronoUnit.HOURS, ChronoUnit.MINUTES, ChronoUnit.SECONDS)) {
      long size = unit.getDuration().toMillis();
      if (millis != 0 && millis % size == 0) {
        return DurationStyle.SIMPLE.print(duration, unit);
      }
    }
    return DurationStyle.SIMPLE.print(duration, ChronoUnit.MILLIS);
  }

  static Duration parseCooldown(String text, List<String> problems) {
    if (text == null || text.isBlank()) {
      return DEFAULT_COOLDOWN;
    }
    try {
      // A duration too long for the spec (up to 365 days) is refused by the spec's own rules.
      return DurationStyle.detectAndParse(text.trim());
    } catch (RuntimeException e) {
      problems.add("cooldown must be a duration such as 30s, 10m or PT1H, not '" + Texts.shown(text) + "'");
      return DEFAULT_COOLDOWN;
    }
  }
}
