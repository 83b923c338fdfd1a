package io.kloop.inference.api;

import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.Predictions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import io.kloop.service.tracing.KloopTracing;
import io.opentelemetry.context.Scope;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/**
 * The named-feature JSON API for tabular clients: {@code POST /v1/models/{name}/predict} with
 * {@code {"instances": [{"feature": value, ...}, ...]}}, answering the class, the probability of each
 * class and the model version for every instance. Scoring is short CPU work and runs on the event loop.
 */
@RestController
class PredictController {

  /** The request body. */
  record PredictRequest(List<Map<String, Object>> instances) {}

  private final Predictions predictions;
  private final KloopTracing tracing;

  PredictController(Predictions predictions, KloopTracing tracing) {
    this.predictions = predictions;
    this.tracing = tracing;
  }

  @PostMapping("/v1/models/{name}/predict")
  Mono<Map<String, Object>> predict(@PathVariable String name, @RequestBody PredictRequest request,
      @RequestHeader(name = "X-Request-Id", required = false) String requestId,
      @RequestParam(name = "explain", defaultValue = "false") boolean explain, ServerWebExchange exchange) {
    return Mono.fromSupplier(() -> {
      if (request == null || request.instances() == null) {
        throw new InvalidInputException("the body must be {\"instances\": [{feature: value, ...}, ...]}");
      }
      Predictions.Result result;
      try (Scope traced = tracing.enter(ServerRequestObservationContext.findCurrent(exchange.getAttributes()).orElse(null))) {
        result = predictions.predict(name, null, requestId, request.instances(), "instances", explain);
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
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("id", result.requestId());
      body.put("model", result.model());
      body.put("version", result.version());
      body.put("predictions", answers);
      return body;
    });
  }
}
