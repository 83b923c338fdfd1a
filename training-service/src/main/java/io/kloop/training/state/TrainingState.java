package io.kloop.training.state;

import io.kloop.events.BatchRef;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelSpecDeclared;
import io.kloop.events.ModelTrained;
import io.kloop.events.TrainingFailed;
import io.kloop.training.spec.ModelSpec;
import io.kloop.training.spec.Retirement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.stereotype.Component;

/**
 * What training knows, all of it replayed from Kafka at start-up (the {@code trainingStateReplica} bean): the
 * datasets' specs and committed batches, the models' specs, their champions (latest approved version), their
 * last runs and the retraining requests their runs took (so that a request delivered again starts no second run).
 * Thread-safe.
 */
@Component
public class TrainingState {

  /** The last run of a model that this service knows of: when it started and which batches it read. */
  public record LastRun(String runId, Instant startedAt, List<BatchRef> lineage) {}

  private final Map<String, NavigableMap<Integer, DatasetSpecDeclared>> datasetSpecs = new ConcurrentHashMap<>();
  private final Map<String, Map<String, DatasetBatchCommitted>> batches = new ConcurrentHashMap<>();
  private final Map<String, ModelSpec> modelSpecs = new ConcurrentHashMap<>();
  private final Map<String, Retirement> retired = new ConcurrentHashMap<>();
  private final Map<String, ModelApproved> champions = new ConcurrentHashMap<>();
  private final Map<String, LastRun> lastRuns = new ConcurrentHashMap<>();
  private final HandledRequests handledRequests = new HandledRequests();

  /**
   * The trigger of an import. An import trains nothing, so it is no run of the model for its triggers: the rows it was
   * scored on are still new for training, and its cooldown does not start.
   */
  public static final String IMPORT = "import";

  /** Applies one replayed event. */
  public void apply(SpecificRecord event) {
    if (event instanceof DatasetSpecDeclared spec) {
      datasetSpecs.computeIfAbsent(spec.getDataset(), d -> new ConcurrentSkipListMap<>()).put(spec.getVersion(), spec);
    } else if (event instanceof DatasetBatchCommitted batch) {
      addBatch(batch);
    } else if (event instanceof ModelSpecDeclared spec) {
      if (ModelSpec.retires(spec)) {
        retire(new Retirement(spec.getModel(), spec.getDeclaredBy(), spec.getEventTime(), ModelSpec.of(spec)));
      } else {
        putModelSpec(ModelSpec.of(spec));
      }
    } else if (event instanceof ModelApproved approved) {
      champions.put(approved.getModel(), approved);
    } else if (event instanceof ModelTrained trained && !IMPORT.equals(trained.getTrigger())) {
      recordRun(trained.getModel(), new LastRun(trained.getRunId(), trained.getStartedAt(), trained.getLineage()));
      handledRequests.addAll(trained.getModel(), trained.getTrigger());
    } else if (event instanceof TrainingFailed failed && !IMPORT.equals(failed.getTrigger())) {
      recordRun(failed.getModel(), new LastRun(failed.getRunId(), failed.getStartedAt(), failed.getLineage()));
      handledRequests.addAll(failed.getModel(), failed.getTrigger());
    }
  }

  /** Adds a committed batch (again: a batch id seen before changes nothing). */
  public void addBatch(DatasetBatchCommitted batch) {
    Map<String, DatasetBatchCommitted> known = batches.computeIfAbsent(batch.getDataset(), d -> new LinkedHashMap<>());
    synchronized (known) {
      known.putIfAbsent(batch.getBatchId(), batch);
    }
  }

  /** A dataset's committed batches, oldest first. */
  public List<DatasetBatchCommitted> batches(String dataset) {
    Map<String, DatasetBatchCommitted> known = batches.get(dataset);
    if (known == null) {
      return List.of();
    }
    synchronized (known) {
      return new ArrayList<>(known.values());
    }
  }

  /**
   * Rows committed to the model's dataset since its last run: those of the batches after the newest batch
   * that run read (or, when it read none, committed after it started); all of them before a first run.
   */
  public long newRows(ModelSpec spec) {
    List<DatasetBatchCommitted> all = batches(spec.dataset());
    Optional<LastRun> last = lastRun(spec.name());
    if (last.isEmpty()) {
      return all.stream().mapToLong(DatasetBatchCommitted::getRowCount).sum();
    }
    java.util.Set<String> read = last.get().lineage().stream().map(BatchRef::getBatchId).collect(java.util.stream.Collectors.toSet());
    int newest = -1;
    for (int i = 0; i < all.size(); i++) {
      if (read.contains(all.get(i).getBatchId())) {
        newest = i;
      }
    }
    long rows = 0;
    for (int i = newest + 1; i < all.size(); i++) {
      if (newest >= 0 || all.get(i).getEventTime().isAfter(last.get().startedAt())) {
        rows += all.get(i).getRowCount();
      }
    }
    return rows;
  }

  public Optional<DatasetSpecDeclared> datasetSpec(String dataset) {
    NavigableMap<Integer, DatasetSpecDeclared> versions = datasetSpecs.get(dataset);
    return versions == null || versions.isEmpty() ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
  }

  /** A model's current spec: declared (again), so no longer retired. */
  public synchronized void putModelSpec(ModelSpec spec) {
    modelSpecs.put(spec.name(), spec);
    retired.remove(spec.name());
  }

  /** Retires a model: it keeps its history but has no spec that runs. */
  public synchronized void retire(Retirement retirement) {
    modelSpecs.remove(retirement.model());
    retired.put(retirement.model(), retirement);
  }

  /** The model's spec, unless it has none or is retired. */
  public Optional<ModelSpec> modelSpec(String model) {
    return Optional.ofNullable(modelSpecs.get(model));
  }

  /** Every model that has a spec (retired ones not), sorted by name. */
  public List<ModelSpec> modelSpecs() {
    return modelSpecs.values().stream().sorted(java.util.Comparator.comparing(ModelSpec::name)).toList();
  }

  public Optional<Retirement> retirement(String model) {
    return Optional.ofNullable(retired.get(model));
  }

  /** Every retired model, sorted by name. */
  public List<Retirement> retirements() {
    return retired.values().stream().sorted(java.util.Comparator.comparing(Retirement::model)).toList();
  }

  public List<ModelSpec> modelsOf(String dataset) {
    return modelSpecs().stream().filter(spec -> spec.dataset().equals(dataset)).toList();
  }

  public Optional<ModelApproved> champion(String model) {
    return Optional.ofNullable(champions.get(model));
  }

  public Optional<LastRun> lastRun(String model) {
    return Optional.ofNullable(lastRuns.get(model));
  }

  /**
   * Takes a retraining request (by its event id) for the model: true the first time, false when this instance has
   * taken it before or a run of any instance announced it among its triggers (a redelivery, or a scheduled firing
   * that two instances both asked for). Remembers the latest {@value HandledRequests#KEPT_PER_MODEL} per model.
   */
  public boolean takeRequest(String model, String requestId) {
    return handledRequests.add(model, requestId);
  }

  /** Records a run; an older run replayed late does not replace a newer one. */
  public void recordRun(String model, LastRun run) {
    lastRuns.merge(model, run, (known, candidate) -> candidate.startedAt().isBefore(known.startedAt()) ? known : candidate);
  }
}
