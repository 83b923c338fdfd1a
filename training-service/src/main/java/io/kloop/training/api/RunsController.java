package io.kloop.training.api;

import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.schemas.EventMetadata;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.Acknowledgements;
import io.kloop.service.web.ApiErrors;
import io.kloop.training.TrainingServiceApplication;
import io.kloop.training.run.RunRecords;
import io.kloop.training.run.RunScheduler;
import io.kloop.training.spec.Texts;
import io.kloop.training.state.TrainingState;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Training runs over HTTP: ask for one ({@code POST /v1/models/{name}/runs}), list them with their status and
 * phases ({@code GET /v1/runs}, {@code GET /v1/models/{name}/runs}) and cancel one
 * ({@code POST /v1/runs/{runId}/cancel}).
 */
@RestController
class RunsController {

  /** Runs listed when the request does not say how many: a list that stays well under 64 KiB. */
  static final int DEFAULT_LIMIT = 20;
  /** The most runs one answer lists. */
  static final int MAX_LIMIT = 100;

  private final TrainingState state;
  private final RunScheduler scheduler;
  private final RunRecords runs;
  private final KafkaTemplate<String, Object> template;
  private final Clock clock;

  RunsController(TrainingState state, RunScheduler scheduler, RunRecords runs, KafkaTemplate<String, Object> template, Clock clock) {
    this.state = state;
    this.scheduler = scheduler;
    this.runs = runs;
    this.template = template;
    this.clock = clock;
  }

  /** Asks for a run by publishing a MANUAL {@code RetrainingRequested}; 202 with the request's id, 409 for a retired model. */
  @PostMapping("/v1/models/{name}/runs")
  ResponseEntity<Map<String, Object>> requestRun(@PathVariable String name, @RequestBody(required = false) RunRequest body) {
    RunRequest request = body == null ? new RunRequest(null, null) : body;
    List<String> problems = request.problems();
    if (!problems.isEmpty()) {
      throw new InvalidRequestException("invalid run request", problems);
    }
    if (state.modelSpec(name).isEmpty()) {
      throw state.retirement(name).<ResponseStatusException>map(retired -> new ResponseStatusException(HttpStatus.CONFLICT,
          "model '" + name + "' was retired by " + Texts.shown(retired.by()) + " at " + retired.at() + "; declare it again with PUT /v1/models/"
              + name + " to train it")).orElseGet(() -> ModelsController.unknown(name));
    }
    RetrainingRequested event = EventMetadata.fresh(clock.instant(), TrainingServiceApplication.NAME).build(RetrainingRequested.newBuilder()
        .setModel(name)
        .setReason(RetrainingReason.MANUAL)
        .setRequestedBy(request.requestedBy() == null ? "http" : request.requestedBy().strip())
        .setComment(request.comment()));
    try {
      Acknowledgements.await(template.send(Topics.RETRAINING_REQUESTED.name(), name, event), "publish the request");
    } catch (Acknowledgements.KafkaUnavailableException e) {
      throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }
    Map<String, Object> accepted = new LinkedHashMap<>();
    accepted.put("requestId", event.getEventId());
    accepted.put("model", name);
    accepted.put("topic", Topics.RETRAINING_REQUESTED.name());
    return ResponseEntity.accepted().body(accepted);
  }

  /** The model's runs, newest first (at most {@code limit}, default {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}). */
  @GetMapping("/v1/models/{name}/runs")
  List<RunRecords.Run> modelRuns(@PathVariable String name, @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit) {
    if (state.modelSpec(name).isEmpty() && state.retirement(name).isEmpty()) {
      throw ModelsController.unknown(name);
    }
    return runs.list(name, limit(limit));
  }

  /** Every model's runs, newest first (at most {@code limit}, default {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}). */
  @GetMapping("/v1/runs")
  List<RunRecords.Run> allRuns(@RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit) {
    return runs.list(null, limit(limit));
  }

  /**
   * Cancels a run in progress on this instance: its work stops and it ends as failed (a {@code TrainingFailed}
   * whose reason says who cancelled it and why). 202 when it is stopping, 409 when it has ended, 404 when no
   * run of that id is known.
   */
  @PostMapping("/v1/runs/{runId}/cancel")
  ResponseEntity<Map<String, Object>> cancel(@PathVariable String runId, @RequestBody(required = false) StopRequest body) {
    StopRequest request = body == null ? new StopRequest(null, null) : body;
    List<String> problems = request.problems();
    if (!problems.isEmpty()) {
      throw new InvalidRequestException("invalid cancellation", problems);
    }
    String reason = request.describe("cancelled");
    return switch (scheduler.cancel(runId, reason)) {
      case CANCELLING -> {
        Map<String, Object> accepted = new LinkedHashMap<>();
        accepted.put("runId", runId);
        accepted.put("status", "CANCELLING");
        accepted.put("reason", reason);
        yield ResponseEntity.accepted().body(accepted);
      }
      case NOT_RUNNING -> throw new ResponseStatusException(HttpStatus.CONFLICT, "run '" + Texts.shown(runId)
          + "' is not running on this instance (it has ended, or is announcing its result); see GET /v1/runs");
      case UNKNOWN -> throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no run '" + Texts.shown(runId) + "' is known here");
    };
  }

  @ExceptionHandler(InvalidRequestException.class)
  ResponseEntity<Map<String, Object>> invalid(InvalidRequestException e) {
    return ResponseEntity.badRequest().body(ApiErrors.error(e.getMessage(), "problems", e.problems()));
  }

  private static int limit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must be from 1 to " + MAX_LIMIT + ", not " + limit);
    }
    return limit;
  }
}
