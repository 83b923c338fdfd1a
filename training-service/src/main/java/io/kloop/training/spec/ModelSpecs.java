package io.kloop.training.spec;

import io.kloop.schemas.EventMetadata;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.Acknowledgements;
import io.kloop.training.TrainingProperties;
import io.kloop.training.TrainingServiceApplication;
import io.kloop.training.state.TrainingState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Declares model specs: each is stored as a {@code ModelSpecDeclared} event on the compacted topic
 * {@code mlops.training.model-spec-declared} and applied to the {@link TrainingState}. At start-up (after
 * the state is replayed) the models of {@code kloop.training.models} are declared, unless the stored spec
 * already says the same.
 */
@Component
public class ModelSpecs implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ModelSpecs.class);

  public enum Outcome { CREATED, UPDATED, UNCHANGED, RETIRED }

  public record Declared(Outcome outcome, ModelSpec spec) {}

  /** A model that {@link #retire} cannot retire: no spec was ever declared for it. */
  public static final class UnknownModelException extends RuntimeException {
    UnknownModelException(String model) {
      super("no model named " + Texts.shown(model));
    }
  }

  private final TrainingState state;
  private final KafkaTemplate<String, Object> template;
  private final TrainingProperties properties;
  private final Clock clock;
  private volatile boolean running;

  ModelSpecs(TrainingState state, KafkaTemplate<String, Object> template, TrainingProperties properties, Clock clock) {
    this.state = state;
    this.template = template;
    this.properties = properties;
    this.clock = clock;
  }

  public synchronized Declared declare(ModelSpec spec, String actor) {
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) {
      throw new InvalidModelSpecException(problems);
    }
    Optional<ModelSpec> current = state.modelSpec(spec.name());
    if (current.isPresent() && current.get().equals(spec)) {
      return new Declared(Outcome.UNCHANGED, spec);
    }
    boolean known = current.isPresent() || state.retirement(spec.name()).isPresent();
    Acknowledgements.await(template.send(Topics.MODEL_SPEC_DECLARED.name(), spec.name(), spec.toEvent(metadata(), actor)),
        "store the spec of model " + spec.name());
    state.putModelSpec(spec);
    log.info("Model {} spec declared by {}: dataset {}, {}", spec.name(), actor, spec.dataset(),
        spec.algorithms().stream().map(grid -> grid.algorithm().id()).toList());
    return new Declared(known ? Outcome.UPDATED : Outcome.CREATED, spec);
  }

  /**
   * Retires a model: stores the retirement as its latest spec on the compacted topic (see
   * {@link ModelSpec#toRetirementEvent}), so no run of it starts again, here or after a restart, until its
   * spec is declared again. Retiring a retired model changes nothing.
   *
   * @return {@link Outcome#RETIRED}, or {@link Outcome#UNCHANGED} when it already was
   * @throws UnknownModelException when no spec was ever declared for the model
   */
  public synchronized Outcome retire(String model, String actor, String reason) {
    if (state.retirement(model).isPresent()) {
      return Outcome.UNCHANGED;
    }
    ModelSpec spec = state.modelSpec(model).orElseThrow(() -> new UnknownModelException(model));
    var event = spec.toRetirementEvent(metadata(), actor);
    Acknowledgements.await(template.send(Topics.MODEL_SPEC_DECLARED.name(), model, event), "store the retirement of model " + model);
    state.retire(new Retirement(model, actor, event.getEventTime(), spec));
    log.info("Model {} retired by {}{}", model, actor, reason == null ? "" : ": " + reason);
    return Outcome.RETIRED;
  }

  private EventMetadata metadata() {
    return EventMetadata.fresh(clock.instant(), TrainingServiceApplication.NAME);
  }

  @Override
  public void start() {
    for (Map.Entry<String, TrainingProperties.ConfiguredModel> entry : properties.models().entrySet()) {
      TrainingProperties.ConfiguredModel configured = entry.getValue();
      Optional<Retirement> retired = state.retirement(entry.getKey());
      if (retired.isPresent()) {
        // A retirement outlives restarts; configuration does not bring the model back (a PUT does).
        log.warn("Model {} is declared in configuration (kloop.training.models.{}) but was retired by {} at {}: it stays retired; "
            + "remove it from configuration, or declare it again with PUT /v1/models/{}", entry.getKey(), entry.getKey(),
            retired.get().by(), retired.get().at(), entry.getKey());
        continue;
      }
      List<ModelSpecDocument.AlgorithmDocument> algorithms = new ArrayList<>();
      for (String algorithm : configured.algorithms()) {
        Map<String, List<String>> grid = configured.grid() == null ? null : configured.grid().get(algorithm);
        algorithms.add(new ModelSpecDocument.AlgorithmDocument(algorithm, grid == null ? null
            : grid.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> List.<Object>copyOf(e.getValue())))));
      }
      List<String> problems = new ArrayList<>();
      ModelSpec spec = new ModelSpecDocument(entry.getKey(), configured.dataset(), algorithms, configured.minNewRows(), configured.window(),
          configured.cooldown() == null ? null : configured.cooldown().toString()).withSchedule(configured.schedule())
          .withFeedback(configured.feedback()).toSpec(entry.getKey(), problems);
      problems.addAll(spec.problems());
      if (!problems.isEmpty()) {
        throw new IllegalStateException("kloop.training.models." + entry.getKey() + " is not a valid model spec: " + String.join("; ", problems));
      }
      declare(spec, "configuration");
    }
    running = true;
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** After the state replica (phase 0), before the listeners. */
  @Override
  public int getPhase() {
    return 1;
  }
}
