package io.kloop.inference.api;

import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.Predictions;
import io.kloop.service.tracing.KloopTracing;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The named-feature JSON API for tabular clients: {@code POST /v1/models/{name}/predict} with
 * {@code {"instances": [{"feature": value, ...}, ...]}}, answering the class, the probability of each
 * class and the model version for every instance. Scoring is short CPU work and runs on the event loop.
 *
 * <p>A functional endpoint that reads and writes its JSON itself: the hot path of the service, it skips the
 * annotated controllers' per-request argument resolution and content negotiation (the answer is always
 * JSON). Errors have the same shape as everywhere else ({@link InferenceApiErrors}).
 */
@Configuration(proxyBeanMethods = false)
class PredictRoute {

  /** The request body. */
  record PredictRequest(List<Map<String, Object>> instances) {}

  static final String PATH = "/v1/models/{name}/predict";

  @Bean
  RouterFunction<ServerResponse> predictRouter(Predictions predictions, KloopTracing tracing, JsonMapper json) {
    Handler handler = new Handler(predictions, tracing, json.readerFor(PredictRequest.class), json.writer());
    return RouterFunctions.route().POST(PATH, handler::predict).onError(Throwable.class, InferenceApiErrors::response).build();
  }

  private record Handler(Predictions predictions, KloopTracing tracing, ObjectReader reader, ObjectWriter writer) {

    Mono<ServerResponse> predict(ServerRequest request) {
      // Deferred, so that a bad query parameter is an error signal the route's error handling answers.
      return Mono.defer(() -> predict(request, request.pathVariable("name"), explain(request), request.headers().firstHeader("X-Request-Id")));
    }

    private Mono<ServerResponse> predict(ServerRequest request, String name, boolean explain, String requestId) {
      return request.bodyToMono(byte[].class)
          .switchIfEmpty(Mono.error(() -> new InvalidInputException("the body must be {\"instances\": [{feature: value, ...}, ...]}")))
          .flatMap(body -> {
            Map<String, Object> answer = predict(name, read(body), requestId, explain, request);
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(writer.writeValueAsBytes(answer));
          });
    }

    private Map<String, Object> predict(String name, PredictRequest body, String requestId, boolean explain, ServerRequest request) {
      if (body == null || body.instances() == null) {
        throw new InvalidInputException("the body must be {\"instances\": [{feature: value, ...}, ...]}");
      }
      Predictions.Result result;
      try (Scope traced = tracing.enter(ServerRequestObservationContext.findCurrent(request.exchange().getAttributes()).orElse(null))) {
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

    private PredictRequest read(byte[] body) {
      try {
        return reader.readValue(body);
      } catch (JacksonException e) {
        throw new UnreadableRequestException(null, e.getOriginalMessage(), e);
      }
    }

    private static boolean explain(ServerRequest request) {
      String explain = request.queryParam("explain").orElse("false");
      if (explain.equalsIgnoreCase("true") || explain.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(explain);
      }
      throw new UnreadableRequestException("explain", "'" + explain + "' is not true or false", null);
    }
  }
}
