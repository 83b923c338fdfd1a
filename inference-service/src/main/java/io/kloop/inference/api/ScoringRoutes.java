package io.kloop.inference.api;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import io.kloop.events.ModelSignature;
import io.kloop.inference.serving.Instances;
import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.PredictionIds;
import io.kloop.inference.serving.Predictions;
import io.kloop.service.tracing.KloopTracing;
import io.kloop.service.web.ApiErrors;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.http.HttpMethod;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The two scoring endpoints, the service's hot path:
 *
 * <ul>
 *   <li>the named-feature JSON API for tabular clients, {@code POST /v1/models/{name}/predict} with
 *       {@code {"instances": [{"feature": value, ...}, ...], "ids": [...]}} ({@code ids} optional), answering
 *       the prediction's id, the class, the probability of each class and the model version for every instance;
 *   <li>the Open Inference Protocol's infer, {@code POST /v2/models/{name}[/versions/{version}]/infer} (the
 *       tensors are described in {@link OpenInferenceController}, which serves the rest of the protocol).
 * </ul>
 *
 * <p>Functional endpoints that read and write their JSON themselves: they skip the annotated controllers'
 * per-request argument resolution, codec selection and content negotiation (the answer is always JSON),
 * which cost more than the scoring. Scoring is short CPU work and runs on the event loop. Errors have the
 * same statuses and messages as the annotated controllers' ({@link InferenceApiErrors}).
 */
@Configuration(proxyBeanMethods = false)
class ScoringRoutes {

  /**
   * The predict request's body: the instances and, optionally, the client's own prediction ids, one per instance
   * in the same order (beside the instances, since a feature may well be named {@code id}).
   */
  record PredictRequest(List<Map<String, Object>> instances, List<Object> ids) {}

  private static final String PREDICT = "/v1/models/{name}/predict";
  private static final String INFER = "/v2/models/{name}/infer";
  private static final String INFER_VERSION = "/v2/models/{name}/versions/{version}/infer";

  @Bean
  RouterFunction<ServerResponse> scoringRouter(Predictions predictions, KloopTracing tracing, JsonMapper json) {
    Predict predict = new Predict(predictions, tracing, json.readerFor(PredictRequest.class), json.writer());
    Infer infer = new Infer(predictions, tracing, json.readerFor(OpenInferenceController.InferRequest.class), json.writer());
    RequestPredicate scoringPaths = path(PREDICT).or(path(INFER)).or(path(INFER_VERSION));
    return RouterFunctions.route()
        .POST(PREDICT, predict::predict)
        .POST(INFER, infer::infer)
        .POST(INFER_VERSION, infer::infer)
        .route(scoringPaths, request -> Mono.error(new MethodNotAllowedException(request.method(), List.of(HttpMethod.POST))))
        .onError(Throwable.class, InferenceApiErrors::response)
        .build();
  }

  /**
   * The body as JSON of the given type, or an {@link UnreadableRequestException}; no body or a JSON
   * {@code null} is an {@link InvalidInputException}. The body must be declared JSON ({@code application/json} or a
   * {@code +json} type), or not declared at all; anything else is 415. The body's size goes with it, for
   * {@link AnswerBudget}.
   */
  private static <T> Mono<Body<T>> body(ServerRequest request, ObjectReader reader, String expected) {
    MediaType type;
    try {
      type = request.headers().contentType().orElse(MediaType.APPLICATION_JSON);
    } catch (InvalidMediaTypeException e) {
      throw new UnsupportedMediaTypeStatusException("unreadable Content-Type: " + e.getMessage());
    }
    if (!type.isCompatibleWith(MediaType.APPLICATION_JSON) && !"json".equals(type.getSubtypeSuffix())) {
      throw new UnsupportedMediaTypeStatusException(type, List.of(MediaType.APPLICATION_JSON));
    }
    return request.bodyToMono(byte[].class)
        // A JSON null reads as null: empty, like no body at all.
        .flatMap(bytes -> Mono.justOrEmpty(ScoringRoutes.<T>read(reader, bytes)).map(value -> new Body<>(value, bytes.length)))
        .switchIfEmpty(Mono.error(() -> new InvalidInputException("the body must be " + expected)));
  }

  /** A request's body, read, and its size in bytes. */
  record Body<T>(T value, int bytes) {}

  /**
   * Reads a body strictly (the platform's mapper: an unknown key, a duplicate key, a trailing document or deep
   * nesting is refused, at the first one).
   *
   * @return the value, or null for a JSON {@code null} (or no content)
   * @throws UnreadableRequestException for anything that is not JSON of the type, saying what and where
   */
  static <T> T read(ObjectReader reader, byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      return reader.readValue(body);
    } catch (UnrecognizedPropertyException unknown) {
      throw new UnreadableRequestException(null, unknownKey(unknown), unknown);
    } catch (JacksonException e) {
      throw new UnreadableRequestException(null, describe(e), e);
    }
  }

  /** {@code unknown key 'inputs[0].dtype' (known there: data, datatype, name, parameters, shape)}, as the annotated endpoints word it. */
  static String unknownKey(UnrecognizedPropertyException e) {
    StringBuilder path = new StringBuilder();
    for (JacksonException.Reference reference : e.getPath()) {
      if (reference.getPropertyName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(reference.getPropertyName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    TreeSet<String> known = new TreeSet<>();
    if (e.getKnownPropertyIds() != null) {
      e.getKnownPropertyIds().forEach(id -> known.add(String.valueOf(id)));
    }
    return "unknown key " + Instances.quoted(path.length() == 0 ? String.valueOf(e.getPropertyName()) : path.toString())
        + (known.isEmpty() ? "" : " (known there: " + String.join(", ", known) + ")");
  }

  private static final Pattern QUALIFIED_NAME = Pattern.compile("\\b(?:[a-z_][\\w]*\\.)+(?:\\w+\\$)*(\\w+)");

  /**
   * A reading error as {@link ApiErrors#describe} words it, with every class named briefly, also within
   * generic types ({@code `ArrayList<InferInput>`}, not the fully qualified names). Only on errors.
   */
  static String describe(JacksonException e) {
    return QUALIFIED_NAME.matcher(ApiErrors.describe(e)).replaceAll("$1");
  }

  private static Mono<ServerResponse> json(ObjectWriter writer, Map<String, Object> answer) {
    return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(writer.writeValueAsBytes(answer));
  }

  /** Makes the HTTP request's span current while scoring (a no-op when tracing is off). */
  private static Scope traced(KloopTracing tracing, ServerRequest request) {
    return tracing.enter(ServerRequestObservationContext.findCurrent(request.exchange().getAttributes()).orElse(null));
  }

  private record Predict(Predictions predictions, KloopTracing tracing, ObjectReader reader, ObjectWriter writer) {

    private static final String SHAPE = "{\"instances\": [{feature: value, ...}, ...], \"ids\": [optional, one per instance]}";

    Mono<ServerResponse> predict(ServerRequest request) {
      // Deferred, so that a bad path, header or query parameter is an error signal the route's error handling answers.
      return Mono.defer(() -> {
        String name = Identifiers.modelName(request.pathVariable("name"));
        boolean explain = explain(request);
        String requestId = Identifiers.requestId(request.headers().firstHeader("X-Request-Id"), "X-Request-Id");
        return ScoringRoutes.<PredictRequest>body(request, reader, SHAPE)
            .flatMap(body -> json(writer, predict(name, body, requestId, explain, request)));
      });
    }

    private Map<String, Object> predict(String name, Body<PredictRequest> body, String requestId, boolean explain, ServerRequest request) {
      List<Map<String, Object>> instances = body.value().instances();
      if (instances == null) {
        throw new InvalidInputException("the body must be " + SHAPE);
      }
      List<Object> given = body.value().ids();
      PredictionIds ids = given == null ? PredictionIds.DEFAULT : PredictionIds.given(given, instances.size(), "ids");
      Predictions.Result result;
      try (Scope traced = traced(tracing, request)) {
        result = predictions.predict(name, null, requestId, ids, instances, "instances", explain, AnswerBudget.predict(body.bytes()));
      }
      return Answers.predict(result);
    }

    /** The {@code explain} parameter, read as Spring reads a boolean request parameter (absent or empty is false). */
    private static boolean explain(ServerRequest request) {
      String explain = request.queryParam("explain").orElse("");
      if (explain.isBlank()) {
        return false;
      }
      try {
        return Boolean.TRUE.equals(DefaultConversionService.getSharedInstance().convert(explain.trim(), Boolean.class));
      } catch (ConversionFailedException e) {
        throw new UnreadableRequestException("explain", "Invalid boolean value " + Instances.quoted(explain)
            + "; true, false, yes, no, on, off, 1 or 0", e);
      }
    }
  }

  private record Infer(Predictions predictions, KloopTracing tracing, ObjectReader reader, ObjectWriter writer) {

    Mono<ServerResponse> infer(ServerRequest request) {
      return Mono.defer(() -> {
        String name = Identifiers.modelName(request.pathVariable("name"));
        Integer version = Identifiers.version(name, request.pathVariables().get("version"));
        // A model or version that is not served is 404 before the body is read.
        ModelSignature signature = predictions.served(name, version).signature();
        return ScoringRoutes.<OpenInferenceController.InferRequest>body(request, reader, "{\"inputs\": [tensor, ...]}")
            .flatMap(body -> json(writer, infer(name, version, signature, body, request)));
      });
    }

    private Map<String, Object> infer(String name, Integer version, ModelSignature signature, Body<OpenInferenceController.InferRequest> body,
        ServerRequest request) {
      OpenInferenceController.InferRequest infer = body.value();
      if (infer.inputs() == null || infer.inputs().isEmpty()) {
        throw new InvalidInputException(signature.getTensors().isEmpty() ? "inputs: give one tensor per feature"
            : "inputs: give the model's input tensors " + signature.getTensors().stream().map(t -> t.getName()).toList());
      }
      String id = Identifiers.requestId(infer.id(), "id");
      Tensors.Batch batch = Tensors.instances(signature, infer.inputs());
      Set<String> wantedOutputs = Tensors.wantedOutputs(signature, infer.outputs());
      Predictions.Result result;
      try (Scope traced = traced(tracing, request)) {
        AnswerBudget.Outputs outputs = new AnswerBudget.Outputs(wantedOutputs.contains(signature.getProbabilityTensor()),
            wantedOutputs.contains(OpenInferenceController.LABEL), wantedOutputs.contains(OpenInferenceController.PREDICTION_ID));
        result = predictions.predict(name, version, id, batch.ids(), batch.instances(), "inputs", false, AnswerBudget.infer(body.bytes(), outputs));
      }
      return Answers.infer(name, result, wantedOutputs);
    }
  }
}
