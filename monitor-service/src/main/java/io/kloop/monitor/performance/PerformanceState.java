package io.kloop.monitor.performance;

import io.kloop.monitor.window.RetrainingEpisodes;

/**
 * What the monitor remembers of a model's performance between windows (JSON in the {@code performance-models}
 * store): how many reports it made (the next report's number, all versions and kinds), and the performance episode
 * with the version it belongs to. The model's last retraining request is not here: drift and performance share it
 * ({@code ModelDriftState.lastRequestAt} in the drift's {@code models} store), one cooldown per model.
 *
 * @param reports reports made for the model so far
 * @param episodeVersion the version whose windows the episode is about (0 before any window that can ask)
 * @param episodeOpen whether a performance episode is under way (a retraining request was made for it)
 * @param episodeReportId the report that opened it
 * @param cleanWindows windows without a drop since the last one, in the episode
 */
public record PerformanceState(long reports, int episodeVersion, boolean episodeOpen, String episodeReportId, int cleanWindows) {

  static final PerformanceState FIRST = new PerformanceState(0, 0, false, null, 0);

  PerformanceState withReports(long reports) {
    return new PerformanceState(reports, episodeVersion, episodeOpen, episodeReportId, cleanWindows);
  }

  /** The episode as the rule sees it, with the model's last request of any reason. */
  RetrainingEpisodes.Episode episodeWith(Long lastRequestAt) {
    return new RetrainingEpisodes.Episode(episodeOpen, episodeReportId, cleanWindows, lastRequestAt);
  }

  PerformanceState withEpisode(int version, RetrainingEpisodes.Episode episode) {
    return new PerformanceState(reports, version, episode.open(), episode.reportId(), episode.cleanWindows());
  }
}
