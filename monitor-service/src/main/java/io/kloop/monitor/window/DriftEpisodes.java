package io.kloop.monitor.window;

import io.kloop.monitor.MonitorProperties;
import java.time.Instant;
import java.util.List;

/**
 * The rules of a model's drift episodes, window by window, apart from Kafka: what the monitor remembers of a
 * model ({@link ModelDriftState}) after each judged window, and whether that window asks for retraining. The
 * episode rule itself is {@link RetrainingEpisodes}', shared with performance drops; here are the window and
 * report numbering and the version's takeover.
 *
 * <p>An episode starts with a drifting window that asks for retraining; more drift within the cooldown is the
 * same episode. It ends after {@code clearWindows} windows in a row without drift, when another version serves
 * (retrained, or rolled back to), or, if the model still drifts a cooldown after the episode's request, with a
 * new episode that asks again. Two requests for a model are at least a cooldown apart, whatever the episodes.
 * Time is the caller's (the processor's clock), so every rule is tested to the millisecond.
 */
final class DriftEpisodes {

  /** The words of drift in the episode rule's news. */
  static final RetrainingEpisodes.Words DRIFT = new RetrainingEpisodes.Words("drifting", "drift", "drift");

  private final RetrainingEpisodes rule;

  DriftEpisodes(MonitorProperties.Retraining retraining) {
    this.rule = new RetrainingEpisodes(retraining, DRIFT);
  }

  /**
   * What a judged window leads to.
   *
   * @param next what to remember of the model after the window: the next window and report numbers, the episode
   * @param requestRetraining whether the window starts an episode that asks for retraining
   * @param news what changed worth a line in the log (without the model's name), e.g. that an episode ended
   */
  record Decision(ModelDriftState next, boolean requestRetraining, List<String> news) {

    Decision {
      news = List.copyOf(news);
    }
  }

  /**
   * The state a window of {@code version} is judged in: the first of the model, the remembered one, or when
   * another version serves, its windows numbered from 0 and without the episode, which belongs to its
   * predecessor. The last request's time and the report numbering stay: they are the model's, across versions.
   *
   * @param remembered what the monitor remembers of the model, or null
   */
  static ModelDriftState judging(ModelDriftState remembered, int version) {
    if (remembered == null) {
      return ModelDriftState.first(version);
    }
    if (remembered.version() == version) {
      return remembered;
    }
    return remembered.withVersion(version).withNextSequence(0).withoutEpisode();
  }

  /**
   * The decision on a judged window.
   *
   * @param state the state the window was judged in ({@link #judging}): its window and report numbers
   * @param drifting whether the window drifted
   * @param reportId the window's report, which opens an episode when it asks for retraining
   * @param now when the window was judged
   */
  Decision judged(ModelDriftState state, boolean drifting, String reportId, Instant now) {
    RetrainingEpisodes.Decision decision = rule.judged(state.episode(), drifting, reportId, now);
    ModelDriftState after = state.withEpisode(decision.next());
    return new Decision(after.withNextSequence(state.nextSequence() + 1).withReports(state.reports() + 1), decision.requestRetraining(),
        decision.news());
  }
}
