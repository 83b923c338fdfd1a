package io.kloop.inference.api;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import io.kloop.events.ModelSignature;
import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.Predictions;
import io.kloop.service.tracing.KloopTracing;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * The two scoring endpoints, the service's hot path:
 *
 * <ul>
 *   <li>the named-feature JSON API for tabular clients, {@code POST /v1/models/{name}/predict} with
 *       {@code {"instances": [{"feature": value, ...}, ...]}}, answering the class, the probability of each
 *       class and the model version for every instance;
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

  /** The predict request's body. */
  record PredictRequest(List<Map<String, Object>> instances) {}

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
   * {@code +json} type), or not declared at all; anything else is 415.
   */
  private static <T> Mono<T> body(ServerRequest request, ObjectReader reader, String expected) {
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
        .flatMap(body -> {
          try {
            // A JSON null reads as null: empty, like no body at all.
            return Mono.justOrEmpty(reader.<T>readValue(body));
          } catch (JacksonException e) {
            throw new UnreadableRequestException(null, e.getOriginalMessage(), e);
          }
        })
        .switchIfEmpty(Mono.error(() -> new InvalidInputException("the body must be " + expected)));
  }

  private static Mono<ServerResponse> json(ObjectWriter writer, Map<String, Object> answer) {
    return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(writer.writeValueAsBytes(answer));
  }

  /** Makes the HTTP request's span current while scoring (a no-op when tracing is off). */
  private static Scope traced(KloopTracing tracing, ServerRequest request) {
    return tracing.enter(ServerRequestObservationContext.findCurrent(request.exchange().getAttributes()).orElse(null));
  }

  private record Predict(Predictions predictions, KloopTracing tracing, ObjectReader reader, ObjectWriter writer) {

    private static final String SHAPE = "{\"instances\": [{feature: value, ...}, ...]}";

    Mono<ServerResponse> predict(ServerRequest request) {
      // Deferred, so that a bad query parameter is an error signal the route's error handling answers.
      return Mono.defer(() -> {
        String name = request.pathVariable("name");
        boolean explain = explain(request);
        String requestId = request.headers().firstHeader("X-Request-Id");
        return ScoringRoutes.<PredictRequest>body(request, reader, SHAPE)
            .flatMap(body -> json(writer, predict(name, body, requestId, explain, request)));
      });
    }

    private Map<String, Object> predict(String name, PredictRequest body, String requestId, boolean explain, ServerRequest request) {
      if (body == null || body.instances() == null) {
        throw new InvalidInputException("the body must be " + SHAPE);
      }
      Predictions.Result result;
      try (Scope traced = traced(tracing, request)) {
        result = predictions.predict(name, null, requestId, body.instances(), "instances", explain);
      }
      List<Map<String, Object>> answers = new ArrayList<>(result.predictions().size());
      for (Predictions.Prediction prediction : result.predictions()) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("class", prediction.predictedClass());
        answer.put("probabilities", prediction.probabilities());
        answer.put("version", result.version());
        if (prediction.explanation() != null) {
          Predictions.Explanation explanation = prediction.explanation();
          Map<String, Object> why = new LinkedHashMap<>();
          why.put("class", prediction.predictedClass());
          why.put("score", explanation.scoreKind());
          why.put("value", explanation.score());
          why.put("baseline", explanation.baseline());
          why.put("contributions", explanation.contributions());
          answer.put("explanation", why);
        }
        answers.add(answer);
      }
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("id", result.requestId());
      answer.put("model", result.model());
      answer.put("version", result.version());
      answer.put("predictions", answers);
      return answer;
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
        throw new UnreadableRequestException("explain", e.getMostSpecificCause().getMessage(), e);
      }
    }
  }

  private record Infer(Predictions predictions, KloopTracing tracing, ObjectReader reader, ObjectWriter writer) {

    Mono<ServerResponse> infer(ServerRequest request) {
      return Mono.defer(() -> {
        String name = request.pathVariable("name");
        Integer version = OpenInferenceController.version(name, request.pathVariables().get("version"));
        // A model or version that is not served is 404 before the body is read.
        ModelSignature signature = predictions.served(name, version).signature();
        return ScoringRoutes.<OpenInferenceController.InferRequest>body(request, reader, "{\"inputs\": [tensor, ...]}")
            .flatMap(body -> json(writer, infer(name, version, signature, body, request)));
      });
    }

    private Map<String, Object> infer(String name, Integer version, ModelSignature signature, OpenInferenceController.InferRequest body,
        ServerRequest request) {
      if (body == null || body.inputs() == null || body.inputs().isEmpty()) {
        throw new InvalidInputException("inputs: give one tensor per feature");
      }
      List<Map<String, Object>> instances = OpenInferenceController.instances(signature, body.inputs());
      Set<String> wantedOutputs = OpenInferenceController.wantedOutputs(signature, body.outputs());
      Predictions.Result result;
      try (Scope traced = traced(tracing, request)) {
        result = predictions.predict(name, version, body.id(), instances, "inputs");
      }
      List<String> classes = result.signature().getOutputClasses();
      int rows = result.predictions().size();
      List<Map<String, Object>> outputs = new ArrayList<>();
      if (wantedOutputs.contains(result.signature().getProbabilityTensor())) {
        List<Double> data = new ArrayList<>(rows * classes.size());
        result.predictions().forEach(p -> classes.forEach(c -> data.add(p.probabilities().get(c))));
        Map<String, Object> tensor = OpenInferenceController.tensor(result.signature().getProbabilityTensor(), "FP32", List.of(rows, classes.size()));
        tensor.put("data", data);
        outputs.add(tensor);
      }
      if (wantedOutputs.contains(OpenInferenceController.LABEL)) {
        Map<String, Object> tensor = OpenInferenceController.tensor(OpenInferenceController.LABEL, "BYTES", List.of(rows));
        tensor.put("data", result.predictions().stream().map(Predictions.Prediction::predictedClass).toList());
        outputs.add(tensor);
      }
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("model_name", name);
      answer.put("model_version", String.valueOf(result.version()));
      answer.put("id", result.requestId());
      answer.put("outputs", outputs);
      return answer;
    }
  }
}
