package io.kloop.training.run;

import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.Acknowledgements;
import io.kloop.training.TrainingServiceApplication;
import io.kloop.training.spec.InvalidModelSpecException;
import io.kloop.training.spec.ModelSpec;
import io.kloop.training.spec.ModelSpecDocument;
import io.kloop.training.spec.ModelSpecs;
import io.kloop.training.state.TrainingState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The training API: declare and show model specs ({@code /v1/models}), ask for a run, and list runs with
 * their status and phases ({@code /v1/runs}, {@code /v1/models/{name}/runs}).
 */
@RestController
class RunController {

  /** A model as the API shows it: its spec, whether it is training, what waits, and its latest runs. */
  record ModelView(ModelSpecDocument spec, RunScheduler.ModelStatus status, long newRows, Integer championVersion) {}

  /** Body of a run request; both fields are optional. */
  record RunRequest(String requestedBy, String comment) {}

  private final TrainingState state;
  private final ModelSpecs specs;
  private final RunScheduler scheduler;
  private final RunRecords runs;
  private final KafkaTemplate<String, Object> template;

  RunController(TrainingState state, ModelSpecs specs, RunScheduler scheduler, RunRecords runs, KafkaTemplate<String, Object> template) {
    this.state = state;
    this.specs = specs;
    this.scheduler = scheduler;
    this.runs = runs;
    this.template = template;
  }

  @GetMapping("/v1/models")
  List<ModelView> models() {
    return state.modelSpecs().stream().map(this::view).toList();
  }

  @GetMapping("/v1/models/{name}")
  ModelView model(@PathVariable String name) {
    return view(spec(name));
  }

  /** 201 for a new model, 200 for a changed or unchanged spec, 400 with every problem otherwise. */
  @PutMapping("/v1/models/{name}")
  ResponseEntity<ModelView> declare(@PathVariable String name, @RequestBody ModelSpecDocument document) {
    List<String> problems = new ArrayList<>();
    if (document.name() != null && !document.name().equals(name)) {
      problems.add("the body names model '" + document.name() + "' but the path names '" + name + "'");
    }
    ModelSpec spec = document.toSpec(name, problems);
    problems.addAll(spec.problems());
    if (!problems.isEmpty()) {
      throw new InvalidModelSpecException(problems);
    }
    ModelSpecs.Declared declared = specs.declare(spec, "http");
    return ResponseEntity.status(declared.outcome() == ModelSpecs.Outcome.CREATED ? HttpStatus.CREATED : HttpStatus.OK)
        .header("X-Kloop-Spec-Outcome", declared.outcome().name().toLowerCase())
        .body(view(declared.spec()));
  }

  /** Asks for a run by publishing a MANUAL {@code RetrainingRequested}; 202 with the request's id. */
  @PostMapping("/v1/models/{name}/runs")
  ResponseEntity<Map<String, Object>> requestRun(@PathVariable String name, @RequestBody(required = false) RunRequest body) {
    spec(name);
    RetrainingRequested request = RetrainingRequested.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setEventTime(Instant.now())
        .setProducer(TrainingServiceApplication.NAME)
        .setModel(name)
        .setReason(RetrainingReason.MANUAL)
        .setRequestedBy(body == null || body.requestedBy() == null || body.requestedBy().isBlank() ? "http" : body.requestedBy())
        .setComment(body == null ? null : body.comment())
        .build();
    try {
      Acknowledgements.await(template.send(Topics.RETRAINING_REQUESTED.name(), name, request), "publish the request");
    } catch (Acknowledgements.KafkaUnavailableException e) {
      throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }
    Map<String, Object> accepted = new LinkedHashMap<>();
    accepted.put("requestId", request.getEventId());
    accepted.put("model", name);
    accepted.put("topic", Topics.RETRAINING_REQUESTED.name());
    return ResponseEntity.accepted().body(accepted);
  }

  @GetMapping("/v1/models/{name}/runs")
  List<RunRecords.Run> modelRuns(@PathVariable String name) {
    spec(name);
    return runs.list(name);
  }

  @GetMapping("/v1/runs")
  List<RunRecords.Run> allRuns() {
    return runs.list(null);
  }

  @ExceptionHandler(InvalidModelSpecException.class)
  ResponseEntity<Map<String, Object>> invalid(InvalidModelSpecException e) {
    return ResponseEntity.badRequest().body(Map.of("error", "invalid model spec", "problems", e.problems()));
  }

  private ModelSpec spec(String name) {
    return state.modelSpec(name).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
        "no model named " + name + "; declare it with PUT /v1/models/" + name));
  }

  private ModelView view(ModelSpec spec) {
    return new ModelView(ModelSpecDocument.of(spec), scheduler.status(spec.name()), state.newRows(spec),
        state.champion(spec.name()).map(approved -> approved.getVersion()).orElse(null));
  }
}
