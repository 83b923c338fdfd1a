package io.kloop.monitor.performance;

import io.kloop.events.PerformanceWindowKind;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.window.RetrainingEpisodes;
import java.time.Instant;
import java.util.List;

/**
 * The performance trigger, apart from Kafka: which windows can ask for retraining, and what a judged one leads to.
 *
 * <p>Only windows of the serving version (the champion) count: labels of a replaced version keep arriving and judge
 * a model that no longer serves. Of those, a window of labelled predictions always counts; a window of served
 * predictions (CBPE's estimate) only with {@code estimated-trigger}. A counted window with a drop is bad. The
 * episodes are drift's ({@link RetrainingEpisodes}): one request per episode; an episode ends after
 * {@code clear-windows} counted windows in a row without a drop, when another version serves, or, still dropping a
 * cooldown after its request, with a new episode that asks again. Drift and performance share the model's last
 * request: one retraining request per cooldown whatever the reason.
 */
final class PerformanceEpisodes {

  static final RetrainingEpisodes.Words WORDS = new RetrainingEpisodes.Words("dropping", "performance", "a drop");

  private final RetrainingEpisodes rule;
  private final boolean estimatedTrigger;

  PerformanceEpisodes(MonitorProperties.Retraining retraining, boolean estimatedTrigger) {
    this.rule = new RetrainingEpisodes(retraining, WORDS);
    this.estimatedTrigger = estimatedTrigger;
  }

  /**
   * What a judged window leads to.
   *
   * @param next what to remember of the model after the window
   * @param requestRetraining whether the window asks for retraining
   * @param lastRequestAt the model's last request after the window (now when it asks), or null
   * @param news what changed worth a line in the log
   */
  record Decision(PerformanceState next, boolean requestRetraining, Long lastRequestAt, List<String> news) {}

  /** Whether a window of {@code kind} and {@code version} can ask for retraining, {@code champion} serving. */
  boolean counts(PerformanceWindowKind kind, int version, Integer champion) {
    boolean serving = champion == null || champion == version;
    return serving && (kind == PerformanceWindowKind.LABELLED || kind == PerformanceWindowKind.PREDICTED && estimatedTrigger);
  }

  /**
   * The decision on a counted window.
   *
   * @param state what is remembered of the model
   * @param version the window's version; another version than the episode's starts without an episode
   * @param dropped whether the window has a drop
   * @param reportId the window's report
   * @param lastRequestAt the model's last retraining request of any reason (epoch ms), or null
   * @param now when the window was judged
   */
  Decision judged(PerformanceState state, int version, boolean dropped, String reportId, Long lastRequestAt, Instant now) {
    RetrainingEpisodes.Episode episode = state.episodeVersion() == version ? state.episodeWith(lastRequestAt)
        : new RetrainingEpisodes.Episode(false, null, 0, lastRequestAt);
    RetrainingEpisodes.Decision decision = rule.judged(episode, dropped, reportId, now);
    return new Decision(state.withEpisode(version, decision.next()), decision.requestRetraining(), decision.next().lastRequestAt(),
        decision.news());
  }
}
