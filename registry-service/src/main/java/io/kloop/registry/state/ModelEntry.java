package io.kloop.registry.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A model as the registry keeps it.
 *
 * @param latestVersion the newest version's number (versions are 1, 2, 3...)
 * @param champion the version served now, or null before the first approval
 * @param championHistory every version that became champion, in the order it did (a version may appear more than once)
 * @param decisions number of entries in the model's audit trail
 */
public record ModelEntry(String model, int latestVersion, Integer champion, List<Integer> championHistory, long decisions,
    Instant createdAt, Instant updatedAt) {

  public ModelEntry {
    championHistory = championHistory == null ? List.of() : List.copyOf(championHistory);
  }

  static ModelEntry first(String model, Instant now) {
    return new ModelEntry(model, 0, null, List.of(), 0, now, now);
  }

  ModelEntry withVersion(int version, Instant now) {
    return new ModelEntry(model, version, champion, championHistory, decisions, createdAt, now);
  }

  ModelEntry withChampion(int version, Instant now) {
    List<Integer> history = new ArrayList<>(championHistory);
    history.add(version);
    return new ModelEntry(model, latestVersion, version, history, decisions, createdAt, now);
  }

  ModelEntry withDecision(Instant now) {
    return new ModelEntry(model, latestVersion, champion, championHistory, decisions + 1, createdAt, now);
  }
}
