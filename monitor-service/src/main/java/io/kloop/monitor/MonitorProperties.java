package io.kloop.monitor;

import io.kloop.monitor.drift.DriftSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the monitor-service, under {@code kloop.monitor}.
 *
 * @param window How predictions are grouped into the windows that are judged.
 * @param drift Thresholds of the drift tests and of the model's drift decision.
 * @param retraining When drift asks for retraining.
 * @param recentReports How many recent drift reports per model the HTTP API and the report page keep. Default {@code 50}.
 * @param groundTruth How long predictions and their labels wait for each other, and what a waiting prediction may hold.
 */
@ConfigurationProperties("kloop.monitor")
@Validated
public record MonitorProperties(
    @DefaultValue @Valid Window window,
    @DefaultValue @Valid Drift drift,
    @DefaultValue @Valid Retraining retraining,
    @DefaultValue("50") @Min(value = 1, message = "must be at least 1") int recentReports,
    @DefaultValue @Valid GroundTruth groundTruth) {

  /**
   * Windows of predictions, per model version.
   *
   * @param kind {@code count}: a window closes after {@code size} predictions; {@code time}: after {@code duration}. Default {@code count}.
   * @param size Predictions per count window. Default {@code 1000}.
   * @param duration Length of a time window, from its first prediction. Default {@code 1m}.
   * @param minPredictions Fewest predictions a time window (or the last window of a replaced version) needs to be judged; fewer are reported as not judged. Default {@code 100}.
   */
  public record Window(
      @DefaultValue("count") @NotNull @Pattern(regexp = "count|time", message = "must be count or time") String kind,
      @DefaultValue("1000") @Min(value = 2, message = "must be at least 2") int size,
      @DefaultValue("1m") @NotNull @DurationMin(nanos = 0, inclusive = false, message = "must be positive") Duration duration,
      @DefaultValue("100") @Min(value = 2, message = "must be at least 2") int minPredictions) {

    public boolean byCount() {
      return kind.equals("count");
    }
  }

  /**
   * The drift tests' thresholds (defaults as Evidently's).
   *
   * @param pValue Significance level of the Kolmogorov-Smirnov and chi-square tests, before the Bonferroni correction for the number of tests in a window. Default {@code 0.05}.
   * @param psiThreshold Population stability index at which a feature counts as materially shifted. Default {@code 0.1}.
   * @param distanceThreshold Jensen-Shannon distance at which a feature counts as materially shifted. Default {@code 0.1}.
   * @param driftedShare Share of drifted input features at which the model counts as drifting (it also does when its output drifts). Default {@code 0.5}.
   * @param requireEffectSize Whether a feature drifts only when its test is significant and its PSI or distance reaches its threshold (true), or on significance alone (false). Default {@code true}.
   */
  public record Drift(
      @DefaultValue("0.05") double pValue,
      @DefaultValue("0.1") double psiThreshold,
      @DefaultValue("0.1") double distanceThreshold,
      @DefaultValue("0.5") double driftedShare,
      @DefaultValue("true") boolean requireEffectSize) {

    public Drift {
      // Checked at start-up rather than at the first window. The rules stay DriftSettings' own, which the
      // drift decision relies on whoever builds them, in its words: not copied here as constraints.
      new DriftSettings(pValue, psiThreshold, distanceThreshold, driftedShare, requireEffectSize);
    }

    public DriftSettings settings() {
      return new DriftSettings(pValue, psiThreshold, distanceThreshold, driftedShare, requireEffectSize);
    }
  }

  /**
   * Retraining requests on drift: at most one per drift episode. An episode starts with a drifting window
   * and ends when a newer version of the model is judged, or after {@code clearWindows} windows in a row
   * that do not drift.
   *
   * @param enabled Whether drift asks for retraining at all. Default {@code true}.
   * @param cooldown Least time between two requests for the same model, whatever the episodes. Default {@code 10m}.
   * @param clearWindows Windows in a row without drift that end an episode. Default {@code 3}.
   */
  public record Retraining(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("10m") @NotNull Duration cooldown,
      @DefaultValue("3") int clearWindows) {}

  /**
   * The join of served predictions and their ground truth (labels). Horizons are measured by the monitor's
   * clock when the label or the prediction reaches the join.
   *
   * @param afterHorizon How long after a prediction was served (its event time) its label may come; a later one is late. Default {@code 7d}.
   * @param beforeHorizon How long a label that came before its prediction waits for it; then it is unknown. Labels are rarely
   *     faster than the prediction log (a client answers after it was served; the log is written as it answers), so this only
   *     bridges the prediction log's lag behind the labels, which is seconds, or minutes while the monitor catches up after a
   *     stop. Default {@code 1h}.
   * @param markerRetention How long the join remembers a joined prediction (to recognise a repeated label as a duplicate) and
   *     an expired one (to recognise its label as late); after that, such a label is unknown. Default {@code 1d}.
   * @param maxInputBytes Largest inputs a waiting prediction keeps, in bytes as stored; a prediction with larger inputs waits
   *     without them, and its label joins but makes no feedback record. Default {@code 16384}.
   */
  public record GroundTruth(
      @DefaultValue("7d") @NotNull @DurationMin(nanos = 0, inclusive = false, message = "must be positive") Duration afterHorizon,
      @DefaultValue("1h") @NotNull @DurationMin(nanos = 0, message = "must not be negative") Duration beforeHorizon,
      @DefaultValue("1d") @NotNull @DurationMin(nanos = 0, inclusive = false, message = "must be positive") Duration markerRetention,
      @DefaultValue("16384") @Min(value = 0, message = "must not be negative") int maxInputBytes) {

    /** The defaults above. */
    public static final GroundTruth DEFAULTS = new GroundTruth(Duration.ofDays(7), Duration.ofHours(1), Duration.ofDays(1), 16_384);
  }
}
