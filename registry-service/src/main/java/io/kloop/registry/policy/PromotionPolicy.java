package io.kloop.registry.policy;

import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelTrained;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The gate a new version passes before it may serve: absolute bars on its test metrics, no regression
 * against the champion beyond a tolerance on the same test split, and who has the last word.
 *
 * @param mode {@code AUTO}: a version that passes is approved at once; {@code MANUAL}: it waits for an operator
 * @param minimums lowest acceptable value per higher-is-better metric
 * @param maximums highest acceptable value per lower-is-better metric (log loss)
 * @param noRegression metrics on which the candidate may not fall behind the champion by more than the tolerance
 * @param tolerance how far behind the champion a candidate may fall on each of those metrics
 */
public record PromotionPolicy(Mode mode, Map<Metric, Double> minimums, Map<Metric, Double> maximums, List<Metric> noRegression,
    double tolerance) {

  public enum Mode { AUTO, MANUAL }

  /** What the gate does with a new version. */
  public enum Outcome { APPROVE, HOLD, REJECT }

  /**
   * The gate's verdict.
   *
   * @param reason one sentence an auditor can read: every check, passed or failed
   * @param violations each rule the version broke (empty unless rejected)
   */
  public record Verdict(Outcome outcome, String reason, List<String> violations) {}

  public PromotionPolicy {
    Objects.requireNonNull(mode, "mode");
    minimums = Map.copyOf(minimums);
    maximums = Map.copyOf(maximums);
    noRegression = List.copyOf(noRegression);
    minimums.keySet().stream().filter(m -> !m.higherIsBetter()).findFirst().ifPresent(m -> {
      throw new IllegalArgumentException(m.field() + " is better when lower: give it a maximum, not a minimum");
    });
    maximums.keySet().stream().filter(Metric::higherIsBetter).findFirst().ifPresent(m -> {
      throw new IllegalArgumentException(m.field() + " is better when higher: give it a minimum, not a maximum");
    });
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be a finite number, zero or more, not " + tolerance);
    }
    Map.of("minimum", minimums, "maximum", maximums).forEach((kind, bars) -> bars.forEach((metric, bar) -> {
      if (bar == null || !Double.isFinite(bar)) {
        throw new IllegalArgumentException("the " + kind + " of " + metric.field() + " must be a finite number, not " + bar);
      }
    }));
  }

  /**
   * Judges a trained version. Only finite figures can pass: a metric the policy sets a bar on, or compares with
   * the champion, that is NaN, infinite or missing on the candidate breaks that rule (rejected); the champion's
   * figure on the same split being NaN, infinite or missing where the candidate has one makes the two
   * incomparable (held for an operator), and so does any other of the candidate's figures being NaN or infinite.
   * A metric neither has (ROC-AUC of multiclass models) is not compared.
   *
   * @param championVersion the model's champion now, or null when it has none
   */
  public Verdict evaluate(ModelTrained candidate, Integer championVersion) {
    EvaluationMetrics metrics = candidate.getMetrics();
    List<String> passed = new ArrayList<>();
    List<String> violations = new ArrayList<>();
    List<String> doubts = new ArrayList<>();
    Set<Metric> judged = EnumSet.noneOf(Metric.class);
    minimums.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(bar -> {
      judged.add(bar.getKey());
      Double value = bar.getKey().of(metrics);
      String rule = "minimum " + format(bar.getValue());
      if (!isFinite(value)) {
        violations.add(unusable(bar.getKey(), value) + ", but the policy sets a " + rule);
      } else if (value < bar.getValue()) {
        violations.add(bar.getKey().field() + " " + format(value) + " < " + rule);
      } else {
        passed.add(bar.getKey().field() + " " + format(value) + " >= " + rule);
      }
    });
    maximums.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(bar -> {
      judged.add(bar.getKey());
      Double value = bar.getKey().of(metrics);
      String rule = "maximum " + format(bar.getValue());
      if (!isFinite(value)) {
        violations.add(unusable(bar.getKey(), value) + ", but the policy sets a " + rule);
      } else if (value > bar.getValue()) {
        violations.add(bar.getKey().field() + " " + format(value) + " > " + rule);
      } else {
        passed.add(bar.getKey().field() + " " + format(value) + " <= " + rule);
      }
    });
    String notComparable = compareWithChampion(candidate, championVersion, passed, violations, doubts, judged);
    // Figures no rule looked at: a broken one (NaN, infinite) says the evaluation went wrong somewhere.
    for (Metric metric : Metric.values()) {
      Double value = metric.of(metrics);
      if (!judged.contains(metric) && value != null && !Double.isFinite(value)) {
        doubts.add("the candidate's " + metric.field() + " is " + value + ", so its evaluation cannot be trusted");
      }
    }

    if (!violations.isEmpty()) {
      return new Verdict(Outcome.REJECT, "failed the promotion policy: " + String.join("; ", violations), List.copyOf(violations));
    }
    String checks = passed.isEmpty() ? "the policy sets no bar" : String.join("; ", passed);
    if (notComparable != null) {
      doubts.add(0, notComparable);
    }
    if (!doubts.isEmpty()) {
      return new Verdict(Outcome.HOLD, String.join("; ", doubts) + "; an operator must decide (" + checks + ")", List.of());
    }
    if (mode == Mode.MANUAL) {
      return new Verdict(Outcome.HOLD, "passed the promotion policy (" + checks + "); mode manual: waits for an operator", List.of());
    }
    return new Verdict(Outcome.APPROVE, "passed the promotion policy: " + checks, List.of());
  }

  /**
   * Adds the comparison with the champion; says why none is possible when the candidate's figures do not allow
   * it. A champion's figure that is NaN, infinite or missing where the candidate has one is a doubt: the two
   * cannot be compared, so an operator must decide.
   */
  private String compareWithChampion(ModelTrained candidate, Integer championVersion, List<String> passed, List<String> violations,
      List<String> doubts, Set<Metric> judged) {
    if (championVersion == null) {
      passed.add("no champion yet, nothing to compare with");
      return null;
    }
    if (noRegression.isEmpty()) {
      return null;
    }
    EvaluationMetrics champion = candidate.getChampionMetrics();
    if (champion == null || !championVersion.equals(candidate.getChampionVersion())) {
      return "the candidate was scored " + (champion == null ? "without a champion" : "against version " + candidate.getChampionVersion())
          + " but the champion is version " + championVersion + ", so the two were not compared on the same split";
    }
    EvaluationMetrics metrics = candidate.getMetrics();
    if (!champion.getSplit().equals(metrics.getSplit()) || champion.getRows() != metrics.getRows()) {
      return "the champion was scored on split " + champion.getSplit() + " (" + champion.getRows() + " rows) and the candidate on "
          + metrics.getSplit() + " (" + metrics.getRows() + " rows), so they cannot be compared";
    }
    for (Metric metric : noRegression) {
      judged.add(metric);
      Double theirs = metric.of(champion);
      Double ours = metric.of(metrics);
      if (theirs == null && ours == null) {
        passed.add(metric.field() + " not compared (neither has one: not defined for this kind of model)");
        continue;
      }
      String champ = "champion (version " + championVersion + ")";
      if (!isFinite(ours)) {
        violations.add(unusable(metric, ours) + (isFinite(theirs) ? " but is " + format(theirs) + " for the " + champ
            : " and the " + champ + "'s is " + theirs));
        continue;
      }
      if (!isFinite(theirs)) {
        doubts.add("the " + champ + "'s " + metric.field() + " on the same split is " + (theirs == null ? "missing" : theirs)
            + ", so the candidate's " + format(ours) + " cannot be compared with it");
        continue;
      }
      String against = champ + " " + format(theirs) + ", tolerance " + format(tolerance);
      double behind = metric.higherIsBetter() ? theirs - ours : ours - theirs;
      if (behind > tolerance + 1e-12) {
        violations.add(metric.field() + " " + format(ours) + " is " + format(behind) + (metric.higherIsBetter() ? " below" : " above")
            + " the " + against);
      } else {
        passed.add(metric.field() + " " + format(ours) + " vs " + against);
      }
    }
    return null;
  }

  private static boolean isFinite(Double value) {
    return value != null && Double.isFinite(value);
  }

  /** Why a figure cannot be judged: missing, NaN or infinite. */
  private static String unusable(Metric metric, Double value) {
    if (value == null) {
      return metric.field() + " is not available for this model";
    }
    return metric.field() + " is " + value + (value.isNaN() ? " (not a number)" : " (not a measured figure)");
  }

  /** The policy in one line, for logs and the audit trail. */
  public String describe() {
    return "mode " + mode.name().toLowerCase(Locale.ROOT)
        + (minimums.isEmpty() ? "" : ", minimums " + bars(minimums))
        + (maximums.isEmpty() ? "" : ", maximums " + bars(maximums))
        + (noRegression.isEmpty() ? "" : ", no regression on " + noRegression.stream().map(Metric::field).collect(Collectors.joining(","))
            + " beyond " + format(tolerance));
  }

  private static String bars(Map<Metric, Double> bars) {
    return bars.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey().field() + " " + format(e.getValue())).collect(Collectors.joining(", ", "{", "}"));
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
