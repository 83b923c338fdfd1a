package io.kloop.monitor;

import io.kloop.monitor.drift.DriftSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the monitor-service, under {@code kloop.monitor}.
 *
 * @param window How predictions are grouped into the windows that are judged.
 * @param drift Thresholds of the drift tests and of the model's drift decision.
 * @param retraining When drift asks for retraining.
 * @param recentReports How many recent drift reports per model the HTTP API and the report page keep (and as many
 *     performance reports of each kind). Default {@code 50}.
 * @param groundTruth How long predictions and their labels wait for each other, and what a waiting prediction may hold.
 * @param performance Live performance: windows of labelled and of served predictions, and when a drop asks for retraining.
 */
@ConfigurationProperties("kloop.monitor")
@Validated
public record MonitorProperties(
    @DefaultValue @Valid Window window,
    @DefaultValue @Valid Drift drift,
    @DefaultValue @Valid Retraining retraining,
    @DefaultValue("50") @Min(value = 1, message = "must be at least 1") int recentReports,
    @DefaultValue @Valid GroundTruth groundTruth,
    @DefaultValue @Valid Performance performance) {

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
   * Retraining requests on drift and on performance drops: at most one per episode. An episode starts with a bad
   * (drifting, dropping) window and ends when a newer version of the model is judged, or after {@code clearWindows}
   * windows in a row that are not bad.
   *
   * @param enabled Whether the monitor asks for retraining at all. Default {@code true}.
   * @param cooldown Least time between two requests for the same model, whatever the episodes and reasons. Default {@code 10m}.
   * @param clearWindows Windows in a row without drift (or without a drop) that end an episode. Default {@code 3}.
   * @param reasons What may ask: {@code drift}, {@code performance} (a drop of live performance). An episode of a reason
   *     left out is still reported and logged, and asks nothing; say {@code performance} alone to retrain only once
   *     labels confirm what drift suggests. Default both.
   */
  public record Retraining(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("10m") @NotNull Duration cooldown,
      @DefaultValue("3") int clearWindows,
      @DefaultValue({"drift", "performance"}) @NotNull
      List<@NotNull @Pattern(regexp = "drift|performance", message = "must be drift or performance") String> reasons) {

    public static final List<String> ALL_REASONS = List.of("drift", "performance");

    @ConstructorBinding
    public Retraining {
      reasons = List.copyOf(reasons);
    }

    /** Every reason asks. */
    public Retraining(boolean enabled, Duration cooldown, int clearWindows) {
      this(enabled, cooldown, clearWindows, ALL_REASONS);
    }

    /** Whether an episode of {@code reason} ({@code drift}, {@code performance}) asks for retraining. */
    public boolean asks(String reason) {
      return enabled && reasons.contains(reason);
    }
  }

  /**
   * The join of served predictions and their ground truth (labels). What is compared: a prediction's deadline is its
   * event time (inference's clock, when it was served) plus {@code afterHorizon}; a label joins it when the label
   * reaches the join before that deadline by the monitor's clock (the stream thread's wall clock as it handles the
   * label), and is late otherwise. A label's {@code observedTime} is not compared with anything: it only becomes the
   * feedback record's event time. So while the monitor catches up on a backlog (after a stop, or behind a busy
   * partition), a label observed and written in time is late if the monitor reads it after the deadline, and a
   * prediction read after its own deadline is not kept at all; {@code afterHorizon} should cover the labels' delay
   * plus the longest outage to be bridged. A label that finds no prediction waits {@code beforeHorizon} from when it
   * reached the join, and markers are kept {@code markerRetention} from the join or expiry, both by the monitor's
   * clock.
   *
   * @param afterHorizon How long after a prediction was served (its event time) its label may reach the join; a later one is late. Default {@code 7d}.
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

  /**
   * Live performance per model version: windows of labelled predictions (realized figures, beside CBPE's estimate for
   * the same predictions) and windows of every served prediction (CBPE's estimate only), and the retraining requests
   * a drop makes. Requests share the {@link Retraining} settings (enabled, cooldown, clear windows) with drift, and one
   * cooldown per model whatever the reason.
   *
   * @param labelled Windows of labelled predictions, in the order their labels arrive.
   * @param predicted Windows of served predictions, labelled or not, in the order they were served.
   * @param tolerance How far below the version's test-split figure a window's figure must fall to be a drop: its
   *     interval's upper bound below expected - tolerance. Default {@code 0.05}.
   * @param metrics The metrics whose drop asks for retraining: {@code accuracy}, {@code macroF1}. Default both.
   * @param estimatedTrigger Whether a drop of CBPE's estimate in a window of served predictions also asks for
   *     retraining (a realized drop always does). Default {@code false}.
   * @param bootstrapResamples Resamples of the bootstrap intervals (macro F1, expected calibration error, CBPE's
   *     macro F1). Default {@code 1000}.
   * @param seed Seed of the bootstrap, combined with the model, version, kind and window number, so a window's
   *     intervals are the same every time it is computed. Default {@code 24}.
   * @param versions Versions per model and kind with an open window at once (labels of a replaced version keep
   *     arriving); a further version's window closes the least recently used one. Default {@code 3}.
   */
  public record Performance(
      @DefaultValue @Valid PerformanceWindow labelled,
      @DefaultValue @Valid PerformanceWindow predicted,
      @DefaultValue("0.05") @DecimalMin(value = "0", message = "must be between 0 and 1") @DecimalMax(value = "1", message = "must be between 0 and 1")
      double tolerance,
      @DefaultValue({"accuracy", "macroF1"}) @NotEmpty(message = "must name at least one metric")
      List<@NotNull @Pattern(regexp = "accuracy|macroF1", message = "must be accuracy or macroF1") String> metrics,
      @DefaultValue("false") boolean estimatedTrigger,
      @DefaultValue("1000") @Min(value = 100, message = "must be at least 100") @Max(value = 100_000, message = "must be at most 100000")
      int bootstrapResamples,
      @DefaultValue("24") long seed,
      @DefaultValue("3") @Min(value = 1, message = "must be at least 1") @Max(value = 20, message = "must be at most 20") int versions) {

    public Performance {
      metrics = List.copyOf(metrics);
    }

    /** The defaults, as the configuration binds them when nothing is set. */
    public static Performance defaults() {
      return new Performance(PerformanceWindow.defaults(), PerformanceWindow.defaults(), 0.05, List.of("accuracy", "macroF1"), false, 1000, 24, 3);
    }
  }

  /**
   * Windows of one kind of performance window, per model version.
   *
   * @param kind {@code count}: a window closes after {@code size} predictions; {@code time}: {@code duration} after it
   *     opened, by the monitor's clock (or when it holds 100,000). Default {@code count}.
   * @param size Predictions per count window. Default {@code 500}.
   * @param duration Length of a time window, from when it opened. Default {@code 1m}.
   * @param minPredictions Fewest predictions a time window (or one closed to make room for another version's) needs
   *     to be reported; fewer are dropped with a log line. Default {@code 100}.
   */
  public record PerformanceWindow(
      @DefaultValue("count") @NotNull @Pattern(regexp = "count|time", message = "must be count or time") String kind,
      @DefaultValue("500") @Min(value = 2, message = "must be at least 2") @Max(value = 100_000, message = "must be at most 100000") int size,
      @DefaultValue("1m") @NotNull @DurationMin(nanos = 0, inclusive = false, message = "must be positive") Duration duration,
      @DefaultValue("100") @Min(value = 2, message = "must be at least 2") int minPredictions) {

    public boolean byCount() {
      return kind.equals("count");
    }

    public static PerformanceWindow defaults() {
      return new PerformanceWindow("count", 500, Duration.ofMinutes(1), 100);
    }
  }
}
