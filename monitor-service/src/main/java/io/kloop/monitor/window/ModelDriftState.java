package io.kloop.monitor.window;

/**
 * What the monitor remembers of a model between windows (JSON in the {@code models} store): the version it
 * last judged and the next window number for it, and the drift episode.
 *
 * <p>Seven fields are too many to build by position, so a state is made from {@link #first} and changed by
 * name with the {@code with…} methods; none of them is a getter, so the stored JSON keeps exactly the seven
 * fields.
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

  /** A model the monitor has judged nothing of yet, served by {@code version}. */
  public static ModelDriftState first(int version) {
    return new ModelDriftState(version, 0, false, null, 0, null, 0);
  }

  ModelDriftState withVersion(int version) {
    return new ModelDriftState(version, nextSequence, episodeOpen, episodeReportId, cleanWindows, lastRequestAt, reports);
  }

  ModelDriftState withNextSequence(long nextSequence) {
    return new ModelDriftState(version, nextSequence, episodeOpen, episodeReportId, cleanWindows, lastRequestAt, reports);
  }

  /** An episode under way, opened by the drifting report {@code reportId}, with no clean window yet. */
  ModelDriftState withEpisode(String reportId) {
    return new ModelDriftState(version, nextSequence, true, reportId, 0, lastRequestAt, reports);
  }

  /** No episode under way. */
  ModelDriftState withoutEpisode() {
    return new ModelDriftState(version, nextSequence, false, null, 0, lastRequestAt, reports);
  }

  ModelDriftState withCleanWindows(int cleanWindows) {
    return new ModelDriftState(version, nextSequence, episodeOpen, episodeReportId, cleanWindows, lastRequestAt, reports);
  }

  /** The model's last retraining request, of any reason: drift and performance drops share one cooldown per model. */
  public ModelDriftState withLastRequestAt(Long lastRequestAt) {
    return new ModelDriftState(version, nextSequence, episodeOpen, episodeReportId, cleanWindows, lastRequestAt, reports);
  }

  ModelDriftState withReports(long reports) {
    return new ModelDriftState(version, nextSequence, episodeOpen, episodeReportId, cleanWindows, lastRequestAt, reports);
  }

  /** The drift episode as the episode rule sees it (named so it is no getter: the stored JSON keeps its seven fields). */
  RetrainingEpisodes.Episode episode() {
    return new RetrainingEpisodes.Episode(episodeOpen, episodeReportId, cleanWindows, lastRequestAt);
  }

  ModelDriftState withEpisode(RetrainingEpisodes.Episode episode) {
    return new ModelDriftState(version, nextSequence, episode.open(), episode.reportId(), episode.cleanWindows(), episode.lastRequestAt(), reports);
  }
}
