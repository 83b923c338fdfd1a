package io.kloop.registry.state;

import io.kloop.events.ModelTrained;

/**
 * What the version lifecycle reads and writes: the registry's models, versions, training records, audit
 * trail and the marks by which it recognises runs and requests it has seen. The processor keeps it in its
 * state stores ({@link StoredRegistryState}); a test may keep it in memory. Writes are seen by readers in the
 * order they are made (the HTTP API reads the stores while the processor writes them), so the lifecycle makes
 * them in an order that leaves no reader with half a decision it would act on.
 */
interface RegistryState {

  /** The model, or null when the registry has never seen it. */
  ModelEntry model(String model);

  void putModel(ModelEntry entry);

  /** A version's standing, or null when the model has no such version. */
  VersionEntry version(String model, int version);

  void putVersion(VersionEntry entry);

  /** The {@code ModelTrained} a version was made from, or null when the model has no such version. */
  ModelTrained trained(String model, int version);

  void putTrained(String model, int version, ModelTrained run);

  /** The version a training run became, or null when the run is new. */
  Integer versionOfRun(String model, String runId);

  void putRun(String model, String runId, int version);

  /** Whether an operator's request was applied (or refused) already. */
  boolean requestApplied(String model, String requestId);

  /** Marks a request applied, with the number of the decision in the model's trail that answers it. */
  void putRequest(String model, String requestId, long decision);

  /** Appends a numbered decision to the model's audit trail, at its place. */
  void putDecision(String model, Decision decision);
}
