package io.kloop.training.run;

import io.kloop.events.RetrainingRequested;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * What each trigger of a run was, in words ({@link RequestDescription}): kept for the retraining requests this
 * instance received (the latest {@value #KEPT}), so that the runs API can say why a run started. A run replayed from
 * another instance's announcement names its requests by id only: the announcement carries nothing else.
 */
@Component
public class RequestCauses {

  /** Requests described; the oldest is forgotten first. */
  static final int KEPT = 1_000;
  /** How a run started by new data is described. */
  static final String NEW_DATA = "new data: enough rows committed since the model's last run";
  /** How an import is described. */
  static final String IMPORT = "import: a model file uploaded to POST /v1/models/{name}/imports";

  private final Map<String, String> descriptions = new LinkedHashMap<>();

  /** Keeps the description of a request the service received. */
  synchronized void put(RetrainingRequested request) {
    descriptions.put(request.getEventId(), RequestDescription.of(request));
    if (descriptions.size() > KEPT) {
      descriptions.remove(descriptions.keySet().iterator().next());
    }
  }

  /** The triggers in words, in their order: null for a request this instance did not receive. */
  synchronized List<String> describe(List<String> triggers) {
    return triggers.stream().map(trigger -> trigger.equals(TrainingRunner.NEW_DATA) ? NEW_DATA
        : trigger.equals(ImportRuns.TRIGGER) ? IMPORT : descriptions.get(trigger)).toList();
  }
}
