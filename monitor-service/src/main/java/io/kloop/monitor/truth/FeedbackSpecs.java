package io.kloop.monitor.truth;

import io.kloop.events.ModelSpecDeclared;
import io.kloop.monitor.ModelNames;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each model's joined predictions go back as training data: its spec's dataset, and whether it wants them
 * ({@code ModelSpecDeclared.feedback}, on by default). Filled from the compacted
 * {@code mlops.training.model-spec-declared}, read whole at start-up and then followed; a model without a spec
 * the monitor has read gets no feedback records.
 */
public class FeedbackSpecs {

  /** A model's feedback settings. */
  public record Feedback(String dataset, boolean enabled) {}

  private final Map<String, Feedback> specs = new ConcurrentHashMap<>();

  /** Keeps the model's latest spec; one of a name no model can have is ignored. */
  public void add(ModelSpecDeclared spec) {
    if (ModelNames.problem(spec.getModel()).isEmpty()) {
      specs.put(spec.getModel(), new Feedback(spec.getDataset(), spec.getFeedback()));
    }
  }

  public Optional<Feedback> of(String model) {
    return Optional.ofNullable(specs.get(model));
  }
}
