package io.kloop.schemas;

import static io.kloop.schemas.Topic.CleanupPolicy.COMPACT;
import static io.kloop.schemas.Topic.CleanupPolicy.DELETE;
import static io.kloop.schemas.Topic.CleanupPolicy.KEEP;

import io.kloop.events.DataRecord;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.GroundTruthReported;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelDecisionRequested;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelRolledBack;
import io.kloop.events.ModelSpecDeclared;
import io.kloop.events.ModelTrained;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PredictionLogged;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.TrainingFailed;
import java.util.ArrayList;
import java.util.List;

/**
 * Every topic of the platform. Names follow {@code mlops.<owning-service>.<event-in-kebab-case>}; the owner
 * of an inbox topic that outsiders write to (raw data records, retraining requests) is the service that
 * consumes it. Every key is a string: the dataset or model the record is about.
 */
public final class Topics {

  private Topics() {}

  /**
   * The event topics' names, for the places that need a constant: annotations such as
   * {@code @KafkaListener(topics = Topics.Names.MODEL_APPROVED)}. Everywhere else, use the topic itself.
   */
  public static final class Names {

    private Names() {}

    public static final String DATASET_SPEC_DECLARED = "mlops.ingest.dataset-spec-declared";
    public static final String DATA_RECORD = "mlops.ingest.data-record";
    public static final String DATASET_BATCH_COMMITTED = "mlops.ingest.dataset-batch-committed";
    public static final String MODEL_SPEC_DECLARED = "mlops.training.model-spec-declared";
    public static final String RETRAINING_REQUESTED = "mlops.training.retraining-requested";
    public static final String MODEL_TRAINED = "mlops.training.model-trained";
    public static final String TRAINING_FAILED = "mlops.training.training-failed";
    public static final String MODEL_DECISION_REQUESTED = "mlops.registry.model-decision-requested";
    public static final String MODEL_APPROVED = "mlops.registry.model-approved";
    public static final String MODEL_REJECTED = "mlops.registry.model-rejected";
    public static final String MODEL_ROLLED_BACK = "mlops.registry.model-rolled-back";
    public static final String PREDICTION_LOGGED = "mlops.inference.prediction-logged";
    public static final String DRIFT_REPORTED = "mlops.monitor.drift-reported";
    public static final String DRIFT_DETECTED = "mlops.monitor.drift-detected";
    public static final String GROUND_TRUTH_REPORTED = "mlops.monitor.ground-truth-reported";
    public static final String PERFORMANCE_REPORTED = "mlops.monitor.performance-reported";
  }

  /** Dataset specs: the latest value per dataset is its current spec, so the topic is compacted. */
  public static final Topic<String, DatasetSpecDeclared> DATASET_SPEC_DECLARED =
      new Topic<>(Names.DATASET_SPEC_DECLARED, String.class, DatasetSpecDeclared.class, 1, COMPACT,
          "current spec per dataset (compacted)");

  /** Raw records from external producers, before validation. */
  public static final Topic<String, DataRecord> DATA_RECORD =
      new Topic<>(Names.DATA_RECORD, String.class, DataRecord.class, 6, DELETE,
          "raw data records from producers, keyed by dataset");

  /**
   * "New data": sealed, hashed batches of validated records. Kept for ever: it is each dataset's ledger,
   * which training replays to know every batch a window may include.
   */
  public static final Topic<String, DatasetBatchCommitted> DATASET_BATCH_COMMITTED =
      new Topic<>(Names.DATASET_BATCH_COMMITTED, String.class, DatasetBatchCommitted.class, 3, KEEP,
          "sealed dataset batches, keyed by dataset (kept for ever)");

  /** Model training specs: the latest value per model is its current spec, so the topic is compacted. */
  public static final Topic<String, ModelSpecDeclared> MODEL_SPEC_DECLARED =
      new Topic<>(Names.MODEL_SPEC_DECLARED, String.class, ModelSpecDeclared.class, 1, COMPACT,
          "current training spec per model (compacted)");

  /** Requests to retrain a model, from the monitor or an operator. */
  public static final Topic<String, RetrainingRequested> RETRAINING_REQUESTED =
      new Topic<>(Names.RETRAINING_REQUESTED, String.class, RetrainingRequested.class, 3, DELETE,
          "requests to retrain, keyed by model");

  /** "Finished training": candidate models with metrics, lineage and artifact; kept for ever, every version's record. */
  public static final Topic<String, ModelTrained> MODEL_TRAINED =
      new Topic<>(Names.MODEL_TRAINED, String.class, ModelTrained.class, 3, KEEP,
          "trained candidate models, keyed by model (kept for ever)");

  /** Training runs that ended without a model, with the reason. */
  public static final Topic<String, TrainingFailed> TRAINING_FAILED =
      new Topic<>(Names.TRAINING_FAILED, String.class, TrainingFailed.class, 3, DELETE,
          "failed training runs, keyed by model");

  /**
   * Operators' approve, reject and rollback requests, written by the registry's HTTP API and applied by the
   * registry in order with the model's {@code ModelTrained} events (so it has as many partitions as that
   * topic). Kept for ever: every request an operator made.
   */
  public static final Topic<String, ModelDecisionRequested> MODEL_DECISION_REQUESTED =
      new Topic<>(Names.MODEL_DECISION_REQUESTED, String.class, ModelDecisionRequested.class, 3, KEEP,
          "operators' approve, reject and rollback requests, keyed by model (kept for ever)");

  /** "Approved model": the latest value per model is its champion, so the topic is compacted. */
  public static final Topic<String, ModelApproved> MODEL_APPROVED =
      new Topic<>(Names.MODEL_APPROVED, String.class, ModelApproved.class, 3, COMPACT,
          "current champion per model (compacted)");

  /** Versions the promotion gate or an operator rejected. */
  public static final Topic<String, ModelRejected> MODEL_REJECTED =
      new Topic<>(Names.MODEL_REJECTED, String.class, ModelRejected.class, 3, DELETE,
          "rejected model versions, keyed by model");

  /** Rollbacks to an earlier version. */
  public static final Topic<String, ModelRolledBack> MODEL_ROLLED_BACK =
      new Topic<>(Names.MODEL_ROLLED_BACK, String.class, ModelRolledBack.class, 3, DELETE,
          "rollbacks, keyed by model");

  /** "Inference log": every prediction served. */
  public static final Topic<String, PredictionLogged> PREDICTION_LOGGED =
      new Topic<>(Names.PREDICTION_LOGGED, String.class, PredictionLogged.class, 6, DELETE,
          "every prediction served, keyed by model");

  /** One drift report per window of predictions, drifting or not. */
  public static final Topic<String, DriftReported> DRIFT_REPORTED =
      new Topic<>(Names.DRIFT_REPORTED, String.class, DriftReported.class, 3, DELETE,
          "the drift report of every window of predictions, keyed by model");

  /** Drift decisions on windows of predictions. */
  public static final Topic<String, DriftDetected> DRIFT_DETECTED =
      new Topic<>(Names.DRIFT_DETECTED, String.class, DriftDetected.class, 3, DELETE,
          "drift found in a window of predictions, keyed by model");

  /**
   * Ground truth: the true class of served predictions, written by any producer (an inbox the monitor owns).
   * As many partitions as the prediction log and keyed the same way, so a model's labels and predictions
   * meet in one stream task.
   */
  public static final Topic<String, GroundTruthReported> GROUND_TRUTH_REPORTED =
      new Topic<>(Names.GROUND_TRUTH_REPORTED, String.class, GroundTruthReported.class, 6, DELETE,
          "the true class of served predictions, keyed by model");

  /** Live performance: realized and estimated figures per window of a model version. */
  public static final Topic<String, PerformanceReported> PERFORMANCE_REPORTED =
      new Topic<>(Names.PERFORMANCE_REPORTED, String.class, PerformanceReported.class, 3, DELETE,
          "realized and estimated performance per window of predictions, keyed by model");

  /** The platform's services, by the short name used in their topics. */
  public static final List<String> SERVICES = List.of("ingest", "training", "registry", "inference", "monitor");

  /** Every event topic, in the order of the loop. */
  public static final List<Topic<String, ?>> EVENT_TOPICS =
      List.of(DATASET_SPEC_DECLARED, DATA_RECORD, DATASET_BATCH_COMMITTED, MODEL_SPEC_DECLARED, RETRAINING_REQUESTED, MODEL_TRAINED, TRAINING_FAILED,
          MODEL_DECISION_REQUESTED, MODEL_APPROVED, MODEL_REJECTED, MODEL_ROLLED_BACK, PREDICTION_LOGGED, DRIFT_REPORTED, DRIFT_DETECTED,
          GROUND_TRUTH_REPORTED, PERFORMANCE_REPORTED);

  /**
   * The dead-letter topic of a service: records it could not process, with their original key and value
   * bytes and the reason in headers. One per consuming service, so an operator sees whose consumer failed.
   *
   * @param service short service name ({@code ingest}) or application name ({@code ingest-service})
   */
  public static Topic<byte[], byte[]> deadLetter(String service) {
    String shortName = service.endsWith("-service") ? service.substring(0, service.length() - "-service".length()) : service;
    return new Topic<>("mlops." + shortName + ".dead-letter", byte[].class, byte[].class, 1, DELETE,
        "records " + shortName + " could not process, with the reason in headers");
  }

  /** Every topic of the platform: event topics, then one dead-letter topic per service. */
  public static List<Topic<?, ?>> all() {
    ArrayList<Topic<?, ?>> all = new ArrayList<>(EVENT_TOPICS);
    SERVICES.forEach(s -> all.add(deadLetter(s)));
    return List.copyOf(all);
  }
}
