package io.kloop.monitor.window;

import io.kloop.events.ModelApproved;
import io.kloop.monitor.ModelNames;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every approval the monitor has read, by model and version: each carries the version's reference profile,
 * which its predictions are judged against. Filled from {@code mlops.registry.model-approved} (compacted, so
 * at start-up only each model's latest approval is there; earlier versions are known only if approved while
 * the monitor ran).
 */
public class ApprovedModels {

  private static final Logger log = LoggerFactory.getLogger(ApprovedModels.class);

  private final Map<String, Map<Integer, ModelApproved>> approvals = new ConcurrentHashMap<>();
  private final Map<String, Integer> latest = new ConcurrentHashMap<>();

  /** Keeps the approval; one of a model name the platform cannot have is skipped (and logged). */
  public void add(ModelApproved approval) {
    Optional<String> problem = ModelNames.problem(approval.getModel());
    if (problem.isPresent()) {
      log.warn("Skipping approval {} of version {}: {}", approval.getEventId(), approval.getVersion(), problem.get());
      return;
    }
    approvals.computeIfAbsent(approval.getModel(), m -> new ConcurrentHashMap<>()).put(approval.getVersion(), approval);
    latest.put(approval.getModel(), approval.getVersion());
  }

  public Optional<ModelApproved> get(String model, int version) {
    return Optional.ofNullable(approvals.getOrDefault(model, Map.of()).get(version));
  }

  /** The model's champion, as last announced. */
  public Optional<Integer> champion(String model) {
    return Optional.ofNullable(latest.get(model));
  }
}
