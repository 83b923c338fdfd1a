package io.kloop.training.run;

import io.kloop.training.spec.Texts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which retraining requests training can take, by their event id. A run's {@code trigger} joins the ids of the
 * requests it took with commas and names new data {@value TrainingRunner#NEW_DATA}; every instance, and this one
 * after a restart, splits it again to know which requests were taken. The platform's ids are UUIDs, but any Kafka
 * producer may write a {@code RetrainingRequested}: an id that would not come back whole from a trigger (one holding a
 * comma, or {@value TrainingRunner#NEW_DATA} itself) is refused rather than recorded wrongly, and so is one that is
 * blank, longer than {@value #MAX_LENGTH} characters or holds control, format or line-separator characters (an id is
 * repeated in events, logs and the runs API).
 */
final class RequestIds {

  /** The longest request id taken: a UUID has 36 characters. */
  static final int MAX_LENGTH = 100;

  private RequestIds() {}

  /** Why training cannot take a request of this id, or empty when it can. */
  static Optional<String> problem(String id) {
    List<String> problems = new ArrayList<>();
    Texts.identifier("its event id", id, MAX_LENGTH, problems);
    if (problems.isEmpty() && id.indexOf(',') >= 0) {
      problems.add("its event id must not hold a comma (a run's trigger joins request ids with commas)");
    }
    if (problems.isEmpty() && id.equals(TrainingRunner.NEW_DATA)) {
      problems.add("its event id must not be '" + TrainingRunner.NEW_DATA + "' (a run's trigger names new data so)");
    }
    if (problems.isEmpty() && id.equals(ImportRuns.TRIGGER)) {
      problems.add("its event id must not be '" + ImportRuns.TRIGGER + "' (an import's trigger is so named)");
    }
    return problems.stream().findFirst();
  }
}
