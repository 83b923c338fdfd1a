package io.kloop.registry.api;

import io.kloop.events.ModelDecisionAction;
import io.kloop.events.ModelDecisionRequested;
import io.kloop.registry.RegistryLimits;
import io.kloop.registry.RegistryProperties;
import io.kloop.registry.RegistryServiceApplication;
import io.kloop.registry.state.Decision;
import io.kloop.registry.state.DecisionAction;
import io.kloop.registry.state.RegistryReader;
import io.kloop.registry.state.RegistryUnavailableException;
import io.kloop.schemas.EventMetadata;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.Acknowledgements;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * Operators' decisions: approve or reject a pending version, roll a model back. Each call is written to
 * Kafka as a {@code ModelDecisionRequested} and applied by the registry's processor in order with the
 * model's other events; the call waits (up to {@code kloop.registry.decision-timeout}) for the outcome.
 * 200 with the decision when applied; 409 with the reason when the registry refused it (the refusal is in
 * the audit trail too); 202 when it was not applied in time (it will be; follow the audit trail). Send an
 * {@code Idempotency-Key} header to make retries safe.
 */
@RestController
@RequestMapping("/v1/models/{name}")
class DecisionsController {

  /**
   * Body of an approval or a rejection: the operator's reason. Read strictly, as every decision body: an unknown
   * key is a 400 naming it, and so is a value of another type than written here.
   */
  record DecisionBody(@JsonDeserialize(using = StrictValues.Text.class) String reason) {}

  /**
   * Body of a rollback: the operator's reason and the version to return to. An unknown key (say {@code version}
   * for {@code toVersion}) is a 400 naming it rather than a rollback to another version than meant, and a version
   * must be a whole number (no coercion of {@code 1.9} or {@code "2"}).
   */
  record RollbackBody(@JsonDeserialize(using = StrictValues.Text.class) String reason,
      @JsonDeserialize(using = StrictValues.WholeNumber.class) Integer toVersion) {}

  private static final Logger log = LoggerFactory.getLogger(DecisionsController.class);
  private static final Duration POLL = Duration.ofMillis(50);
  /** Request header naming one decision request, so that retrying a call cannot decide twice. */
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final RegistryReader registry;
  private final KafkaTemplate<String, Object> template;
  private final Duration timeout;
  private final Clock clock;

  DecisionsController(RegistryReader registry, KafkaTemplate<String, Object> template, RegistryProperties properties, Clock clock) {
    this.registry = registry;
    this.template = template;
    this.timeout = properties.decisionTimeout();
    this.clock = clock;
  }

  @PostMapping("/versions/{version}/approve")
  Mono<ResponseEntity<Map<String, Object>>> approve(@PathVariable String name, @PathVariable int version,
      @RequestBody(required = false) DecisionBody body, ServerWebExchange exchange) {
    checkTarget(name, version);
    String operator = operator(exchange);
    String reason = reason(body == null ? null : body.reason(), false);
    return decide(exchange, name, ModelDecisionAction.APPROVE, version, operator, reason == null ? "approved by " + operator : reason,
        () -> Lookups.version(registry, name, version));
  }

  @PostMapping("/versions/{version}/reject")
  Mono<ResponseEntity<Map<String, Object>>> reject(@PathVariable String name, @PathVariable int version,
      @RequestBody(required = false) DecisionBody body, ServerWebExchange exchange) {
    checkTarget(name, version);
    return decide(exchange, name, ModelDecisionAction.REJECT, version, operator(exchange), reason(body == null ? null : body.reason(), true),
        () -> Lookups.version(registry, name, version));
  }

  /** Rolls back to {@code toVersion}, or without it to the latest earlier champion. */
  @PostMapping("/rollback")
  Mono<ResponseEntity<Map<String, Object>>> rollback(@PathVariable String name, @RequestBody(required = false) RollbackBody body,
      ServerWebExchange exchange) {
    Lookups.checkName(name);
    Integer target = body == null ? null : body.toVersion();
    if (target != null) {
      Lookups.checkVersion(target);
    }
    return decide(exchange, name, ModelDecisionAction.ROLLBACK, target, operator(exchange), reason(body == null ? null : body.reason(), true),
        () -> {
          if (target != null) {
            Lookups.version(registry, name, target);
          } else {
            Lookups.model(registry, name);
          }
        });
  }

  /** 400 for a name that is no model name or a version below 1, before anything else is read. */
  private static void checkTarget(String name, int version) {
    Lookups.checkName(name);
    Lookups.checkVersion(version);
  }

  /**
   * Checks that what the call names exists, records the request in Kafka and waits for its outcome; state
   * reads and the send run off the event loop. With an {@code Idempotency-Key}, the request's id is derived
   * from the model, operator and key, so a retried call is the same request: the registry applies it once
   * and the retry answers with the first call's outcome.
   */
  private Mono<ResponseEntity<Map<String, Object>>> decide(ServerWebExchange exchange, String model, ModelDecisionAction action, Integer version,
      String operator, String reason, Runnable lookups) {
    String id = requestId(exchange, model, operator);
    ModelDecisionRequested request = EventMetadata.of(id, clock.instant(), RegistryServiceApplication.NAME).build(ModelDecisionRequested.newBuilder()
        .setModel(model)
        .setAction(action)
        .setVersion(version)
        .setActor(operator)
        .setReason(reason));
    return Mono.fromCallable(() -> {
          lookups.run();
          Optional<Decision> earlier = registry.decisionOf(model, id);
          if (earlier.isPresent()) {
            if (!earlier.get().answers(action, version)) {
              throw new ResponseStatusException(HttpStatus.UNPROCESSABLE_CONTENT, "the " + IDEMPOTENCY_KEY + " was used by " + operator
                  + " for another request on model " + model + " (decided as " + earlier.get().action() + (earlier.get().version() == null ? ""
                  : " version " + earlier.get().version()) + ", decision " + earlier.get().decisionId() + "); a new request needs a new key");
            }
            log.info("Operator {} repeated request {} on model {}; answering with its outcome", operator, id, model);
            return earlier;
          }
          log.info("Operator {} asks to {} model {}{} (request {}): {}", operator, action, model, version == null ? "" : " version " + version,
              id, reason);
          Acknowledgements.await(template.send(Topics.MODEL_DECISION_REQUESTED.name(), model, request), "record the request");
          return Optional.<Decision>empty();
        })
        .subscribeOn(Schedulers.boundedElastic())
        .onErrorMap(Acknowledgements.KafkaUnavailableException.class,
            e -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage() + "; nothing was decided"))
        .flatMap(earlier -> earlier.isPresent() ? Mono.just(earlier.get()) : Flux.interval(Duration.ZERO, POLL, Schedulers.boundedElastic())
            .concatMap(tick -> decision(model, id))
            .next()
            .timeout(timeout, Mono.empty()))
        .map(decision -> answer(model, decision))
        .defaultIfEmpty(pending(model, id));
  }

  private static String requestId(ServerWebExchange exchange, String model, String operator) {
    String key = exchange.getRequest().getHeaders().getFirst(IDEMPOTENCY_KEY);
    if (key == null) {
      return UUID.randomUUID().toString();
    }
    RegistryLimits.idempotencyKeyProblem(key).ifPresent(problem -> {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, IDEMPOTENCY_KEY + ": " + problem);
    });
    return UUID.nameUUIDFromBytes((model + "\u0000" + operator + "\u0000" + key).getBytes(StandardCharsets.UTF_8)).toString();
  }

  private Mono<Decision> decision(String model, String requestId) {
    try {
      return Mono.justOrEmpty(registry.decisionOf(model, requestId));
    } catch (RegistryUnavailableException | InvalidStateStoreException e) {
      return Mono.empty();
    }
  }

  private ResponseEntity<Map<String, Object>> answer(String model, Decision decision) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (decision.action() == DecisionAction.REFUSED) {
      body.put("error", decision.reason());
      body.put("decision", decision);
      return ResponseEntity.status(HttpStatus.CONFLICT).body(body);
    }
    body.put("decision", decision);
    body.put("model", Views.model(registry.model(model).orElseThrow(), registry.versions(model)));
    return ResponseEntity.ok(body);
  }

  private static ResponseEntity<Map<String, Object>> pending(String model, String requestId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("requestId", requestId);
    body.put("status", "recorded in Kafka but not applied yet; it will be: follow the audit trail, and retry only with the same "
        + IDEMPOTENCY_KEY);
    body.put("audit", Views.base(model) + "/audit");
    return ResponseEntity.accepted().body(body);
  }

  private static String operator(ServerWebExchange exchange) {
    String operator = exchange.getAttribute(OperatorAccess.OPERATOR);
    if (operator == null) {
      // The access filter authenticates every change; reaching here without an operator is a wiring fault.
      throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "no authenticated operator");
    }
    return operator;
  }

  private static String reason(String given, boolean required) {
    String reason = given == null ? null : given.trim();
    if (reason == null || reason.isEmpty()) {
      if (required) {
        throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "say why: send {\"reason\": \"...\"}; the audit trail keeps it");
      }
      return null;
    }
    RegistryLimits.reasonProblem(reason).ifPresent(problem -> {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, problem);
    });
    return reason;
  }
}
