package io.kloop.registry.state;

import io.kloop.events.ModelTrained;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.KeyValueStore;

/** The registry's state in the processor's state stores ({@link RegistryStores}), keyed as the HTTP API reads them. */
final class StoredRegistryState implements RegistryState {

  private final KeyValueStore<String, ModelEntry> models;
  private final KeyValueStore<String, VersionEntry> versions;
  private final KeyValueStore<String, ModelTrained> trained;
  private final KeyValueStore<String, Long> seen;
  private final KeyValueStore<String, Decision> audit;

  private StoredRegistryState(ProcessingContext context) {
    models = context.getStateStore(RegistryStores.MODELS);
    versions = context.getStateStore(RegistryStores.VERSIONS);
    trained = context.getStateStore(RegistryStores.TRAINED);
    seen = context.getStateStore(RegistryStores.SEEN);
    audit = context.getStateStore(RegistryStores.AUDIT);
  }

  /** The stores of the processor's task. */
  static RegistryState of(ProcessingContext context) {
    return new StoredRegistryState(context);
  }

  @Override
  public ModelEntry model(String model) {
    return models.get(model);
  }

  @Override
  public void putModel(ModelEntry entry) {
    models.put(entry.model(), entry);
  }

  @Override
  public VersionEntry version(String model, int version) {
    return versions.get(RegistryStores.key(model, version));
  }

  @Override
  public void putVersion(VersionEntry entry) {
    versions.put(RegistryStores.key(entry.model(), entry.version()), entry);
  }

  @Override
  public ModelTrained trained(String model, int version) {
    return trained.get(RegistryStores.key(model, version));
  }

  @Override
  public void putTrained(String model, int version, ModelTrained run) {
    trained.put(RegistryStores.key(model, version), run);
  }

  @Override
  public Integer versionOfRun(String model, String runId) {
    Long version = seen.get(RegistryStores.key(model, "run", runId));
    return version == null ? null : version.intValue();
  }

  @Override
  public void putRun(String model, String runId, int version) {
    seen.put(RegistryStores.key(model, "run", runId), (long) version);
  }

  @Override
  public boolean requestApplied(String model, String requestId) {
    return seen.get(RegistryStores.key(model, "request", requestId)) != null;
  }

  @Override
  public void putRequest(String model, String requestId, long decision) {
    seen.put(RegistryStores.key(model, "request", requestId), decision);
  }

  @Override
  public void putDecision(String model, Decision decision) {
    audit.put(RegistryStores.key(model, decision.sequence()), decision);
  }
}
