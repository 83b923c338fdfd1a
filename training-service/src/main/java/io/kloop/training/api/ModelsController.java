package io.kloop.training.api;

import io.kloop.training.run.RunScheduler;
import io.kloop.training.spec.InvalidModelSpecException;
import io.kloop.training.spec.ModelSpec;
import io.kloop.training.spec.ModelSpecDocument;
import io.kloop.training.spec.ModelSpecs;
import io.kloop.training.spec.Retirement;
import io.kloop.training.spec.Texts;
import io.kloop.training.state.TrainingState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import io.kloop.service.kafka.Acknowledgements;
import io.kloop.service.web.ApiErrors;

/**
 * Model specs over HTTP: list and show models ({@code GET /v1/models}, {@code GET /v1/models/{name}}), declare
 * a spec ({@code PUT /v1/models/{name}}) and retire a model ({@code POST /v1/models/{name}/retire}).
 */
@RestController
class ModelsController {

  private final TrainingState state;
  private final ModelSpecs specs;
  private final RunScheduler scheduler;

  ModelsController(TrainingState state, ModelSpecs specs, RunScheduler scheduler) {
    this.state = state;
    this.specs = specs;
    this.scheduler = scheduler;
  }

  /** Every model, retired ones too, by name. */
  @GetMapping("/v1/models")
  List<ModelView> models() {
    return Stream.concat(state.modelSpecs().stream().map(this::view), state.retirements().stream().map(this::view))
        .sorted(Comparator.comparing(view -> view.spec().name())).toList();
  }

  @GetMapping("/v1/models/{name}")
  ModelView model(@PathVariable String name) {
    Optional<ModelSpec> spec = state.modelSpec(name);
    if (spec.isPresent()) {
      return view(spec.get());
    }
    return view(state.retirement(name).orElseThrow(() -> unknown(name)));
  }

  /** 201 for a new model, 200 for a changed, unchanged or re-declared spec, 400 with every problem otherwise. */
  @PutMapping("/v1/models/{name}")
  ResponseEntity<ModelView> declare(@PathVariable String name, @RequestBody ModelSpecDocument document) {
    List<String> problems = new ArrayList<>();
    if (document.name() != null && !document.name().equals(name)) {
      problems.add("the body names model '" + Texts.shown(document.name()) + "' but the path names '" + Texts.shown(name) + "'");
    }
    ModelSpec spec = document.toSpec(name, problems);
    problems.addAll(spec.problems());
    if (!problems.isEmpty()) {
      throw new InvalidModelSpecException(problems);
    }
    ModelSpecs.Declared declared = specs.declare(spec, "http");
    return ResponseEntity.status(declared.outcome() == ModelSpecs.Outcome.CREATED ? HttpStatus.CREATED : HttpStatus.OK)
        .header("X-Kloop-Spec-Outcome", declared.outcome().name().toLowerCase(Locale.ROOT))
        .body(view(declared.spec()));
  }

  /**
   * Retires a model: no run of it starts again (its run in progress, if any, is stopped) until its spec is
   * declared again with PUT. 200 with the model ({@code X-Kloop-Spec-Outcome: retired}, or {@code unchanged}
   * when it was retired already); 404 for an unknown model.
   */
  @PostMapping("/v1/models/{name}/retire")
  ResponseEntity<ModelView> retire(@PathVariable String name, @RequestBody(required = false) StopRequest body) {
    StopRequest request = body == null ? new StopRequest(null, null) : body;
    List<String> problems = request.problems();
    if (!problems.isEmpty()) {
      throw new InvalidRequestException("invalid retirement", problems);
    }
    ModelSpecs.Outcome outcome;
    try {
      outcome = specs.retire(name, request.who(), request.reason());
    } catch (ModelSpecs.UnknownModelException e) {
      throw unknown(name);
    }
    if (outcome == ModelSpecs.Outcome.RETIRED) {
      scheduler.retired(name, "the model was " + request.describe("retired"));
    }
    return ResponseEntity.ok().header("X-Kloop-Spec-Outcome", outcome.name().toLowerCase(Locale.ROOT))
        .body(view(state.retirement(name).orElseThrow(() -> unknown(name))));
  }

  @ExceptionHandler(InvalidModelSpecException.class)
  ResponseEntity<Map<String, Object>> invalid(InvalidModelSpecException e) {
    return ResponseEntity.badRequest().body(ApiErrors.error("invalid model spec", "problems", e.problems()));
  }

  @ExceptionHandler(InvalidRequestException.class)
  ResponseEntity<Map<String, Object>> invalid(InvalidRequestException e) {
    return ResponseEntity.badRequest().body(ApiErrors.error(e.getMessage(), "problems", e.problems()));
  }

  /** The spec or the retirement could not be stored: Kafka did not acknowledge it in time. */
  @ExceptionHandler(Acknowledgements.KafkaUnavailableException.class)
  ResponseEntity<Map<String, Object>> unavailable(Acknowledgements.KafkaUnavailableException e) {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(ApiErrors.error(e.getMessage()));
  }

  static ResponseStatusException unknown(String name) {
    return new ResponseStatusException(HttpStatus.NOT_FOUND, "no model named '" + Texts.shown(name) + "'; declare it with PUT /v1/models/{name}");
  }

  private ModelView view(ModelSpec spec) {
    return new ModelView(ModelSpecDocument.of(spec), spec.problems(), scheduler.status(spec.name()), state.newRows(spec),
        state.champion(spec.name()).map(approved -> approved.getVersion()).orElse(null), null);
  }

  private ModelView view(Retirement retirement) {
    ModelSpec spec = retirement.spec();
    ModelSpec shown = spec.withAlgorithms(List.of());
    return new ModelView(ModelSpecDocument.of(shown), List.of(), scheduler.status(spec.name()), state.newRows(spec),
        state.champion(spec.name()).map(approved -> approved.getVersion()).orElse(null),
        new ModelView.Retired(retirement.by(), retirement.at()));
  }
}
