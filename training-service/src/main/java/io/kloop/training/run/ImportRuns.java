package io.kloop.training.run;

import io.kloop.events.ArtifactRef;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.ImportOrigin;
import io.kloop.events.ModelSignature;
import io.kloop.model.OnnxClassifier;
import io.kloop.training.imports.ImportAdmission;
import io.kloop.model.OnnxModelInfo;
import io.kloop.schemas.BatchFiles;
import io.kloop.service.web.ApiErrors;
import io.kloop.service.web.ClientText;
import io.kloop.training.imports.ImportMetadata;
import io.kloop.training.imports.ImportRefusedException;
import io.kloop.training.imports.ImportedSignatures;
import io.kloop.training.spec.ModelSpec;
import io.kloop.training.state.TrainingState;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Imports of models trained elsewhere: a run of kind IMPORT. At once, while the caller waits: ONNX Runtime loads the
 * file, its inputs and outputs are matched to the dataset ({@link ImportedSignatures}), and it is tried on the first
 * {@value #TRIAL_ROWS} rows of the dataset's newest batch, whose outputs must be probabilities ({@link ProbabilityTrial});
 * a file that fails any of it fails the run in phase {@value #PHASE}, announced as {@code TrainingFailed} with the reason
 * the caller gets. Then the file is stored in the artifact store and, on the training runs' executor,
 * {@link TrainingRunner#queue} judges it like a trained candidate; while it waits for a thread it is a run of this
 * instance already (cancellable, stopped by its model's retirement, failed at shutdown).
 */
@Component
public class ImportRuns {

  /** The trigger of every import run. */
  public static final String TRIGGER = TrainingState.IMPORT;
  /** The algorithm an imported model's {@code ModelTrained} names. */
  public static final String ALGORITHM = "imported";
  /** The phase of the checks made while the caller waits. */
  public static final String PHASE = "import";
  /** Rows of the dataset's newest batch the model is tried on before it is accepted. */
  static final int TRIAL_ROWS = 100;
  /** The longest producer name and version taken from the file. */
  static final int MAX_PRODUCER_CHARS = 200;

  private static final Logger log = LoggerFactory.getLogger(ImportRuns.class);

  /**
   * What the async part of an import needs: the run, the model's spec, the checked signature, the file (stored in the
   * artifact store, so that an import waiting for a thread holds no file in memory) and its origin.
   */
  record Job(String runId, ModelSpec spec, ModelSignature signature, ArtifactRef artifact, ImportOrigin origin, Instant startedAt) {}

  /** An import accepted for judging: its run, the signature read off the file, and the dataset's features it does not take. */
  public record Accepted(String runId, String dataset, ModelSignature signature, List<String> unusedFeatures, ImportOrigin origin) {}

  /** The import cannot be made now for a reason of the platform's state (HTTP 404 or 409, no run recorded). */
  public static final class Unavailable extends RuntimeException {
    private final boolean unknownModel;

    Unavailable(String reason, boolean unknownModel) {
      super(reason);
      this.unknownModel = unknownModel;
    }

    public boolean unknownModel() {
      return unknownModel;
    }
  }

  /** The file was refused and its run failed with the reason (HTTP 400 with the run's id). */
  public static final class Failed extends RuntimeException {
    private final String runId;

    Failed(String runId, String reason) {
      super(reason);
      this.runId = runId;
    }

    public String runId() {
      return runId;
    }
  }

  private final TrainingState state;
  private final TrainingRunner runner;
  private final RunRecords records;
  private final RunScheduler scheduler;
  private final Clock clock;

  ImportRuns(TrainingState state, TrainingRunner runner, RunRecords records, RunScheduler scheduler, Clock clock) {
    this.state = state;
    this.runner = runner;
    this.records = records;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** What an import is judged on: the model's spec, its dataset's spec and the model's window. */
  private record Target(ModelSpec spec, DatasetSpecDeclared dataset, List<DatasetBatchCommitted> window) {}

  /**
   * Whether the model can take an import now, checked before the request's body is read: the model is declared and not
   * retired, its dataset has a spec and committed batches.
   *
   * @throws Unavailable when it cannot (no run is recorded)
   */
  public void check(String model) {
    target(model);
  }

  private Target target(String model) {
    ModelSpec spec = state.modelSpec(model).orElseThrow(() -> state.retirement(model)
        .map(retired -> new Unavailable("model '" + model + "' was retired by " + ClientText.echo(retired.by(), 100) + " at " + retired.at()
            + "; declare it again with PUT /v1/models/" + model + " to import into it", false))
        .orElseGet(() -> new Unavailable("no model named '" + ClientText.echo(model, 100) + "'; declare it with PUT /v1/models/" + model
            + " first (its spec names the dataset an import is judged on)", true)));
    DatasetSpecDeclared dataset = state.datasetSpec(spec.dataset()).orElseThrow(() -> new Unavailable("dataset " + spec.dataset()
        + " has no spec (declare it with PUT /v1/datasets/" + spec.dataset() + " on ingest)", false));
    List<DatasetBatchCommitted> window = runner.window(spec);
    if (window.isEmpty()) {
      throw new Unavailable("dataset " + spec.dataset() + " has no committed batches yet; an import is judged on their test split", false);
    }
    return new Target(spec, dataset, window);
  }

  /**
   * Checks the file against the model's dataset and, if it passes, stores it and hands the import to the runs' executor
   * to be judged; the import then holds the ticket's pending slot until it ends.
   *
   * @throws Unavailable for an unknown or retired model, or a dataset without spec or batches (no run is recorded)
   * @throws ImportRefusedException when the metadata names another dataset than the model's spec (no run is recorded)
   * @throws Failed when the file does not load, does not fit the dataset or outputs no probabilities (the run failed)
   */
  public Accepted start(String model, ImportMetadata metadata, byte[] file, ImportAdmission.Ticket ticket) {
    Target target = target(model);
    ModelSpec spec = target.spec();
    if (!spec.dataset().equals(metadata.dataset())) {
      throw new ImportRefusedException("the metadata names dataset '" + metadata.dataset() + "', but model " + model + " predicts for dataset '"
          + spec.dataset() + "' (its spec); an import is judged on its model's dataset");
    }
    DatasetSpecDeclared dataset = target.dataset();
    List<DatasetBatchCommitted> window = target.window();
    String runId = model + "-" + UUID.randomUUID();
    Instant startedAt = clock.instant();
    String sha256 = sha256(file);
    ImportOrigin.Builder origin = ImportOrigin.newBuilder().setImportedBy(metadata.who()).setFileSha256(sha256).setFileBytes(file.length)
        .setFramework(metadata.framework() == null ? null : metadata.framework().strip()).setDescription(metadata.description());
    records.importStarted(runId, model, startedAt, RunRecords.Origin.of(origin.build()));
    records.phaseStarted(runId, PHASE);
    long begun = System.nanoTime();
    DatasetBatchCommitted newest = window.get(window.size() - 1);
    ModelSignature signature;
    ImportedSignatures.Built built;
    ArtifactRef artifact;
    try {
      OnnxModelInfo info = inspect(file);
      built = ImportedSignatures.of(info, dataset, metadata);
      signature = built.signature();
      String producer = (info.producerName() + " " + info.producerVersion()).strip();
      origin.setProducerName(producer.isEmpty() ? null : ClientText.clip(producer, MAX_PRODUCER_CHARS));
      List<BatchFiles.Row> rows = runner.readBatch(newest);
      ImportTrial.run(file, built, spec.dataset(), WindowRows.features(rows.subList(0, Math.min(TRIAL_ROWS, rows.size()))));
      artifact = runner.store(file);
      if (!artifact.getSha256().equals(sha256)) {
        throw new IllegalStateException("the stored file's SHA-256 " + artifact.getSha256() + " is not the uploaded file's " + sha256);
      }
    } catch (ImportRefusedException e) {
      throw failed(model, runId, startedAt, List.of(newest), begun, e.getMessage());
    } catch (TrainingFailure e) {
      throw failed(model, runId, startedAt, List.of(newest), begun, "the dataset's newest batch cannot be read to try the model: " + e.getMessage());
    } catch (RuntimeException e) {
      // A fault of the service, not of the file: the run fails all the same (it must not stay RUNNING), and the caller gets a 500.
      failed(model, runId, startedAt, List.of(newest), begun, e.toString());
      throw e;
    }
    records.phaseFinished(runId, PHASE, (System.nanoTime() - begun) / 1_000_000);
    ImportOrigin announced = origin.build();
    Job job = new Job(runId, spec, signature, artifact, announced, startedAt);
    log.info("Import {} of model {} accepted ({} bytes, sha256 {}, by {}): {} input tensors, {} output; judging it on dataset {}", runId, model,
        file.length, sha256, announced.getImportedBy(), signature.getTensors().size(), signature.getProbabilityFormat(), spec.dataset());
    Runnable judging = runner.queue(job, ticket.handOver());
    try {
      scheduler.execute(judging);
    } catch (RejectedExecutionException e) {
      // The service is stopping: the import fails now, announced, instead of vanishing with the executor.
      runner.stop(runId, RunScheduler.STOPPED_BEFORE_JUDGING);
    }
    return new Accepted(runId, spec.dataset(), signature, built.unusedFeatures(), announced);
  }

  /** The run fails with the reason, cut to what an error answer holds, so that the answer and the event say the same. */
  private Failed failed(String model, String runId, Instant startedAt, List<DatasetBatchCommitted> read, long begun, String fullReason) {
    String reason = ClientText.clip(fullReason, ApiErrors.MAX_MESSAGE_CHARS);
    records.phaseFinished(runId, PHASE, (System.nanoTime() - begun) / 1_000_000);
    runner.fail(model, runId, TRIGGER, startedAt, read, PHASE, reason, null);
    return new Failed(runId, reason);
  }

  private static OnnxModelInfo inspect(byte[] file) {
    try {
      return OnnxModelInfo.read(file);
    } catch (OnnxClassifier.ModelLoadException e) {
      throw new ImportRefusedException("ONNX Runtime cannot load the file: " + e.getMessage().replaceFirst("^ONNX Runtime cannot load the model: ", ""));
    }
  }

  static String sha256(byte[] file) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
