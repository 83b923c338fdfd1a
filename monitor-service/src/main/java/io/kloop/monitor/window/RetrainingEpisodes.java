package io.kloop.monitor.window;

import io.kloop.monitor.MonitorProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule of retraining episodes, whatever makes a window bad (drift, a performance drop), apart from Kafka: what
 * is remembered of a model's episode after each judged window, and whether the window asks for retraining.
 *
 * <p>An episode starts with a bad window that asks for retraining; more bad windows within the cooldown are the
 * same episode. It ends after {@code clearWindows} windows in a row that are not bad, or, if the model is still bad
 * a cooldown after the episode's request, with a new episode that asks again. Two requests for a model are at least
 * a cooldown apart, whatever the episodes: the caller passes the model's last request of any reason. (When another
 * version serves, the caller starts it without an episode.) Time is the caller's (the processor's clock).
 */
public final class RetrainingEpisodes {

  /**
   * How the news speaks of a bad window.
   *
   * @param bad a bad window's adjective, e.g. {@code drifting}
   * @param episode the episode's kind, also the reason's name in {@code kloop.monitor.retraining.reasons}: {@code drift},
   *     {@code performance}
   * @param trouble what a good window is without, e.g. {@code drift}
   */
  public record Words(String bad, String episode, String trouble) {}

  /**
   * A model's episode as the rule sees it.
   *
   * @param open whether an episode is under way (a retraining request was made for it)
   * @param reportId the bad window's report that opened it
   * @param cleanWindows windows that were not bad since the last bad one, in the episode
   * @param lastRequestAt when the last retraining request for the model was made (epoch ms), or null
   */
  public record Episode(boolean open, String reportId, int cleanWindows, Long lastRequestAt) {

    /** No episode, and no request yet. */
    public static final Episode NONE = new Episode(false, null, 0, null);

    Episode opened(String reportId, long at) {
      return new Episode(true, reportId, 0, at);
    }

    /** No episode under way; the last request stays. */
    public Episode closed() {
      return new Episode(false, null, 0, lastRequestAt);
    }

    Episode withCleanWindows(int cleanWindows) {
      return new Episode(open, reportId, cleanWindows, lastRequestAt);
    }
  }

  /**
   * What a judged window leads to.
   *
   * @param next the episode after the window
   * @param requestRetraining whether the window starts an episode that asks for retraining
   * @param news what changed worth a line in the log (without the model's name)
   */
  public record Decision(Episode next, boolean requestRetraining, List<String> news) {

    public Decision {
      news = List.copyOf(news);
    }
  }

  private final MonitorProperties.Retraining retraining;
  private final Words words;

  public RetrainingEpisodes(MonitorProperties.Retraining retraining, Words words) {
    this.retraining = retraining;
    this.words = words;
  }

  /**
   * The decision on a judged window.
   *
   * @param state the episode the window was judged in
   * @param bad whether the window is bad
   * @param reportId the window's report, which opens an episode when it asks for retraining
   * @param now when the window was judged
   */
  public Decision judged(Episode state, boolean bad, String reportId, Instant now) {
    List<String> news = new ArrayList<>();
    Episode after;
    boolean request = false;
    if (bad) {
      boolean cooledDown = state.lastRequestAt() == null || now.toEpochMilli() - state.lastRequestAt() >= retraining.cooldown().toMillis();
      if (state.open() && !cooledDown) {
        // The episode's request was made; another bad window is the same episode.
        after = state.withCleanWindows(0);
      } else {
        if (state.open()) {
          // Still bad a cooldown later on the same version (retraining failed, or its model was not approved): a new episode.
          news.add("still " + words.bad() + " a cooldown (" + retraining.cooldown() + ") after the request of episode " + state.reportId()
              + "; a new episode starts");
        }
        if (!retraining.asks(words.episode())) {
          after = state;
        } else if (!cooledDown) {
          news.add(words.bad() + " (report " + reportId + "); no retraining request before "
              + Instant.ofEpochMilli(state.lastRequestAt()).plus(retraining.cooldown()) + " (cooldown " + retraining.cooldown() + " since the last one)");
          after = state;
        } else {
          after = state.opened(reportId, now.toEpochMilli());
          request = true;
        }
      }
    } else if (!state.open()) {
      after = state;
    } else if (state.cleanWindows() + 1 >= retraining.clearWindows()) {
      news.add(words.episode() + " episode of report " + state.reportId() + " over after " + (state.cleanWindows() + 1) + " window(s) without "
          + words.trouble());
      after = state.closed();
    } else {
      after = state.withCleanWindows(state.cleanWindows() + 1);
    }
    return new Decision(after, request, news);
  }
}
