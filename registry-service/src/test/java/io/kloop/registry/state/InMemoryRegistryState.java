package io.kloop.registry.state;

import io.kloop.events.ModelTrained;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry's state in plain maps, for tests of the lifecycle: the same reads and writes as the stores, and
 * a log of every write in the order it was made (what a reader of the stores could see in between).
 */
final class InMemoryRegistryState implements RegistryState {

  private final Map<String, ModelEntry> models = new HashMap<>();
  private final Map<String, VersionEntry> versions = new HashMap<>();
  private final Map<String, ModelTrained> trained = new HashMap<>();
  private final Map<String, Integer> runs = new HashMap<>();
  private final Map<String, Long> requests = new HashMap<>();
  private final Map<String, TreeMap<Long, Decision>> audit = new HashMap<>();
  private final List<String> writes = new ArrayList<>();

  @Override
  public ModelEntry model(String model) {
    return models.get(model);
  }

  @Override
  public void putModel(ModelEntry entry) {
    writes.add("model " + entry.model());
    models.put(entry.model(), entry);
  }

  @Override
  public VersionEntry version(String model, int version) {
    return versions.get(model + "/" + version);
  }

  @Override
  public void putVersion(VersionEntry entry) {
    writes.add("version " + entry.model() + " " + entry.version() + " " + entry.status());
    versions.put(entry.model() + "/" + entry.version(), entry);
  }

  @Override
  public ModelTrained trained(String model, int version) {
    return trained.get(model + "/" + version);
  }

  @Override
  public void putTrained(String model, int version, ModelTrained run) {
    writes.add("trained " + model + " " + version);
    trained.put(model + "/" + version, run);
  }

  @Override
  public Integer versionOfRun(String model, String runId) {
    return runs.get(model + "/" + runId);
  }

  @Override
  public void putRun(String model, String runId, int version) {
    writes.add("run " + model + " " + runId);
    runs.put(model + "/" + runId, version);
  }

  @Override
  public boolean requestApplied(String model, String requestId) {
    return requests.containsKey(model + "/" + requestId);
  }

  @Override
  public void putRequest(String model, String requestId, long decision) {
    writes.add("request " + model + " " + requestId);
    requests.put(model + "/" + requestId, decision);
  }

  @Override
  public void putDecision(String model, Decision decision) {
    writes.add("decision " + model + " " + decision.sequence());
    audit.computeIfAbsent(model, m -> new TreeMap<>()).put(decision.sequence(), decision);
  }

  /** The model's audit trail, by number. */
  List<Decision> audit(String model) {
    return List.copyOf(audit.getOrDefault(model, new TreeMap<>()).values());
  }

  /** The decision a request was answered with, as the HTTP API finds it. */
  Decision decisionOf(String model, String requestId) {
    Long sequence = requests.get(model + "/" + requestId);
    return sequence == null ? null : audit.get(model).get(sequence);
  }

  /** Every write so far, in order. */
  List<String> writes() {
    return List.copyOf(writes);
  }
}
