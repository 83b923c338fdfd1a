package io.kloop.ingest.validation;

import io.kloop.schemas.BatchFiles;
import io.kloop.service.web.ClientText;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the origin of a feedback record ({@code DataRecord.feedback}: the served prediction, joined to its
 * ground truth, that the record was made from). The model's name follows the platform's rules for model
 * names ({@link ClientText#modelNameProblem}), the version is 1 or more, and the prediction id is an
 * identifier of 1 to {@value #MAX_PREDICTION_ID_CHARS} characters under the platform's rules for
 * identifiers ({@link ClientText#firstForbidden}). A record with a bad origin is refused whole, with a
 * violation per problem, as a record with a bad value is: its lineage would otherwise be a lie.
 */
public final class FeedbackRules {

  /** Longest prediction id, in characters: the platform's limit for prediction ids, a client's own ones included. */
  public static final int MAX_PREDICTION_ID_CHARS = ClientText.MAX_PREDICTION_ID;

  private FeedbackRules() {}

  /** What is wrong with the origin, field by field ({@code feedback.model} etc.); empty when it is fine. */
  public static List<Violation> violations(BatchFiles.Feedback origin) {
    List<Violation> violations = new ArrayList<>(0);
    ClientText.modelNameProblem(origin.model())
        .ifPresent(problem -> violations.add(new Violation("feedback.model", Violation.BAD_FEEDBACK, problem)));
    if (origin.version() < 1) {
      violations.add(new Violation("feedback.version", Violation.BAD_FEEDBACK, "a model version is 1 or more, got " + origin.version()));
    }
    String predictionId = origin.predictionId();
    String problem = predictionId == null || predictionId.isBlank() ? "prediction id is missing"
        : TextRules.identifierProblem("prediction id", predictionId, MAX_PREDICTION_ID_CHARS);
    if (problem != null) {
      violations.add(new Violation("feedback.predictionId", Violation.BAD_FEEDBACK, problem));
    }
    return violations;
  }
}
