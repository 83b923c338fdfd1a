package io.kloop.monitor.window;

/**
 * What the monitor remembers of a model between windows (JSON in the {@code models} store): the version it
 * last judged and the next window number for it, and the drift episode.
 *
 * @param version the version last judged
 * @param nextSequence number of the next window of {@code version}
 * @param episodeOpen whether a drift episode is under way (a retraining request was made for it)
 * @param episodeReportId the drifting report that opened the episode
 * @param cleanWindows windows without drift since the last drifting one, in the episode
 * @param lastRequestAt when the last retraining request for the model was made (epoch ms), or null
 * @param reports reports made for the model so far, all versions: the next report's number
 */
public record ModelDriftState(int version, long nextSequence, boolean episodeOpen, String episodeReportId, int cleanWindows,
    Long lastRequestAt, long reports) {

  static ModelDriftState first(int version) {
    return new ModelDriftState(version, 0, false, null, 0, null, 0);
  }
}
