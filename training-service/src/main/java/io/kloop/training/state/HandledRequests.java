package io.kloop.training.state;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The retraining requests (event ids) each model's runs have taken: those this instance handed to a run, and those
 * announced by any instance's runs ({@code ModelTrained.trigger}, {@code TrainingFailed.trigger}, replayed and
 * followed). A request seen again is a redelivery, not a new reason to train. Bounded: the latest
 * {@value #KEPT_PER_MODEL} per model.
 */
final class HandledRequests {

  /** Request ids remembered per model; the oldest is forgotten first. */
  static final int KEPT_PER_MODEL = 1_000;
  /** What a run's trigger names besides request ids. */
  private static final String NEW_DATA = "new-data";

  private final Map<String, LinkedHashSet<String>> byModel = new ConcurrentHashMap<>();

  /** Adds the request; true when it was not known yet. */
  boolean add(String model, String requestId) {
    LinkedHashSet<String> ids = byModel.computeIfAbsent(model, m -> new LinkedHashSet<>());
    synchronized (ids) {
      if (!ids.add(requestId)) {
        return false;
      }
      if (ids.size() > KEPT_PER_MODEL) {
        ids.remove(ids.iterator().next());
      }
      return true;
    }
  }

  /** Adds the request ids of a run's trigger (ids joined by commas, or new-data). */
  void addAll(String model, String trigger) {
    for (String id : trigger.split(",")) {
      if (!id.isEmpty() && !id.equals(NEW_DATA)) {
        add(model, id);
      }
    }
  }
}
