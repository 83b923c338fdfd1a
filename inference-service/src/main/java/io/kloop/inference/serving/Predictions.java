package io.kloop.inference.serving;

import io.kloop.events.ModelSignature;
import io.kloop.events.PredictionLogged;
import io.kloop.inference.InferenceProperties;
import io.kloop.inference.InferenceServiceApplication;
import io.kloop.inference.log.PredictionLog;
import io.kloop.model.Contributions;
import io.kloop.model.KernelShap;
import io.kloop.model.OnnxClassifier;
import io.kloop.schemas.EventMetadata;
import io.kloop.service.tracing.KloopTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Scoring: finds the model's serving version (held for the request, so a swap cannot close it
 * underneath), checks and encodes the instances, runs ONNX Runtime once for the whole batch, and hands one
 * {@code PredictionLogged} per instance to the prediction log.
 */
public class Predictions {

  /**
   * One instance's answer: its prediction's id (see {@link PredictionIds}), the class, the probabilities and, only
   * when asked for, the explanation.
   */
  public record Prediction(String predictionId, String predictedClass, Map<String, Double> probabilities, Explanation explanation) {}

  /**
   * Why the model predicted a class. For a model that declares additive scores (the platform's linear models):
   * the class's score (log-odds for two classes, centred log-probability for more), the score with every
   * feature at its training mean, and each feature's exact contribution, so that
   * {@code baseline + sum(contributions) = score}; a value is null when one feature alone saturates the model's
   * probabilities. For any other model ({@code approximate}): the class's probability, its mean over
   * background rows drawn from the reference profile, and each feature's Shapley value ({@code method}
   * {@code shapley} when every coalition of features was evaluated, {@code kernel-shap} when they were
   * sampled), which sum to {@code score - baseline}; {@code evaluations} is what it cost.
   */
  public record Explanation(String scoreKind, Double score, Double baseline, Map<String, Double> contributions, Approximation approximation) {

    /** Whether the contributions are Shapley values of a model without additive scores (with {@link #approximation()}). */
    public boolean approximate() {
      return approximation != null;
    }
  }

  /** How an approximate explanation was computed: {@code shapley} or {@code kernel-shap}, and the model evaluations it cost. */
  public record Approximation(String method, int evaluations) {}

  /** A request's answers, all from one model version. */
  public record Result(String requestId, String model, int version, ModelSignature signature, List<Prediction> predictions, long latencyMicros) {}

  private static final SecureRandom SECURE = new SecureRandom();

  private final ServedModels models;
  private final PredictionLog log;
  private final InferenceProperties properties;
  private final KloopTracing tracing;
  private final Clock clock;

  public Predictions(ServedModels models, PredictionLog log, InferenceProperties properties) {
    this(models, log, properties, KloopTracing.OFF, Clock.systemUTC());
  }

  public Predictions(ServedModels models, PredictionLog log, InferenceProperties properties, KloopTracing tracing, Clock clock) {
    this.models = models;
    this.log = log;
    this.properties = properties;
    this.tracing = tracing;
    this.clock = clock;
  }

  /** The serving version of a model and its signature. */
  public record Served(int version, ModelSignature signature) {}

  /**
   * The model's serving version and signature, e.g. to describe it or to turn a tensor request into
   * instances.
   *
   * @throws UnknownModelException when the model, or that version of it, is not served
   */
  public Served served(String model, Integer version) {
    ServedModel served = acquire(model, version);
    try {
      return new Served(served.version(), served.approval().getSignature());
    } finally {
      served.release();
    }
  }

  /**
   * Scores the instances with the model's serving version.
   *
   * @param version the version the client asks for, or null for whichever serves
   * @param path where the instances are in the request, for error messages (e.g. {@code instances})
   */
  public Result predict(String model, Integer version, String requestId, List<Map<String, Object>> instances, String path) {
    return predict(model, version, requestId, instances, path, false);
  }

  /**
   * Scores the instances and, when {@code explain} is set, explains each prediction.
   *
   * <p>When tracing is on, the scoring is a span ({@code score}) whose parent is the current context (the
   * HTTP request's span, made current by the caller); each prediction's log event is sent in a child span.
   *
   * @throws InvalidInputException when approximate explanations are asked of more instances than allowed
   */
  public Result predict(String model, Integer version, String requestId, List<Map<String, Object>> instances, String path, boolean explain) {
    return predict(model, version, requestId, instances, path, explain, RequestBudget.NONE);
  }

  /**
   * Scores the instances as {@link #predict(String, Integer, String, List, String, boolean)} does, once the
   * budget has accepted an answer to this many instances of the model and (with the log on) {@link LogBudget}
   * their log events, before the instances are checked.
   *
   * @throws InvalidInputException when the budget refuses the answer's or the events' size
   */
  public Result predict(String model, Integer version, String requestId, List<Map<String, Object>> instances, String path, boolean explain,
      RequestBudget budget) {
    return predict(model, version, requestId, PredictionIds.DEFAULT, instances, path, explain, budget);
  }

  /**
   * Scores the instances as {@link #predict(String, Integer, String, List, String, boolean, RequestBudget)} does,
   * each prediction with its id from {@code ids} (a client's, checked, or the default {@code <requestId>/<index>}).
   * The ids count in the budgets: they are in the answer and in every log event.
   */
  public Result predict(String model, Integer version, String requestId, PredictionIds ids, List<Map<String, Object>> instances, String path,
      boolean explain, RequestBudget budget) {
    if (!tracing.enabled()) {
      return score(model, version, requestId, ids, instances, path, explain, budget, null);
    }
    Span span = tracing.span("score").setAttribute("kloop.model", model).startSpan();
    try (Scope scope = span.makeCurrent()) {
      Result result = score(model, version, requestId, ids, instances, path, explain, budget, span.isRecording() ? span.getSpanContext() : null);
      span.setAttribute("kloop.model.version", result.version());
      span.setAttribute("kloop.request.id", result.requestId());
      span.setAttribute("kloop.instances", result.predictions().size());
      return result;
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.getMessage());
      throw e;
    } finally {
      span.end();
    }
  }

  private Result score(String model, Integer version, String requestId, PredictionIds ids, List<Map<String, Object>> instances, String path,
      boolean explain, RequestBudget budget, SpanContext trace) {
    long begun = System.nanoTime();
    if (instances != null && instances.size() > properties.maxInstances()) {
      throw new InvalidInputException(path + ": " + instances.size() + " instances; at most " + properties.maxInstances() + " per request");
    }
    ServedModel served = acquire(model, version);
    try {
      ModelSignature signature = served.approval().getSignature();
      boolean approximate = explain && !served.classifier().additive();
      if (approximate && instances != null && instances.size() > properties.maxApproximateExplanations()) {
        throw new InvalidInputException("explain: model " + model + " version " + served.version() + " is explained approximately (its "
            + "artifact does not declare additive class scores), at most " + properties.maxApproximateExplanations() + " instances per request, not "
            + instances.size());
      }
      String id = requestId == null || requestId.isBlank() ? randomUuid() : requestId;
      if (instances != null) {
        PredictionIds.Sizes idSizes = ids.sizes(id, instances.size());
        budget.checkAnswer(served.nameSizes(), instances.size(), explain, idSizes);
        if (properties.predictionLog()) {
          LogBudget.check(served.nameSizes(), id, model, instances.size(), idSizes, budget.requestBytes(), path);
        }
      }
      List<Map<String, Object>> valid = Instances.validate(signature, instances, path);
      long started = System.nanoTime();
      OnnxClassifier classifier = served.classifier();
      float[][] rows = classifier.rawTensors() ? null : classifier.encoding().encodeAll(valid);
      float[][] probabilities;
      try {
        probabilities = rows == null ? classifier.probabilities(valid) : classifier.probabilities(rows);
      } catch (IllegalArgumentException e) {
        // A value its tensor cannot hold; Instances refuses these first.
        throw new InvalidInputException(path + ": " + e.getMessage());
      } catch (OnnxClassifier.ModelOutputException e) {
        throw failure(model, served.version(), e);
      }
      long latencyMicros = (System.nanoTime() - started) / 1_000;
      List<String> classes = signature.getOutputClasses();
      Instant now = clock.instant();
      List<Prediction> predictions = new ArrayList<>(valid.size());
      int[] predicted = new int[valid.size()];
      for (int i = 0; i < valid.size(); i++) {
        Map<String, Double> byClass = new LinkedHashMap<>();
        int best = 0;
        for (int c = 0; c < classes.size(); c++) {
          if (Float.isNaN(probabilities[i][c])) {
            throw new InvalidInputException(path + "[" + i + "]: the model gives no probabilities for this instance: it cannot score "
                + "its missing (null) values, or its values are too extreme for it");
          }
          byClass.put(classes.get(c), (double) probabilities[i][c]);
          if (probabilities[i][c] > probabilities[i][best]) {
            best = c;
          }
        }
        predicted[i] = best;
        Prediction prediction = new Prediction(ids.of(id, i), classes.get(best), byClass, null);
        predictions.add(prediction);
        if (properties.predictionLog()) {
          // EventMetadata costs nothing measurable here, one event per prediction: its setters are found once per class.
          log.offer(EventMetadata.of(randomUuid(), now, InferenceServiceApplication.NAME).build(PredictionLogged.newBuilder()
              .setRequestId(id).setInstanceIndex(i).setModel(model).setVersion(served.version())
              .setInputs(valid.get(i)).setPredictedClass(prediction.predictedClass())
              .setProbabilities(byClass).setLatencyMicros(latencyMicros).setPredictionId(prediction.predictionId())), trace);
        }
      }
      if (approximate) {
        KernelShap shap = new KernelShap(properties.explanationEvaluations(), signature.getInputs().size() + 31L * served.version());
        KernelShap.Explanation[] explanations;
        try {
          explanations = shap.explain(classifier, valid, predicted, served.background(properties.explanationBackground()));
        } catch (OnnxClassifier.ModelOutputException e) {
          throw failure(model, served.version(), e);
        }
        predictions = approximated(predictions, explanations, signature);
      } else if (explain) {
        Contributions.Explanation[] explanations;
        try {
          explanations = Contributions.explain(classifier, rows, predicted);
        } catch (OnnxClassifier.ModelOutputException e) {
          throw failure(model, served.version(), e);
        }
        predictions = explained(predictions, explanations, signature);
      }
      served.record(System.nanoTime() - begun, predictions.size());
      return new Result(id, model, served.version(), signature, predictions, latencyMicros);
    } finally {
      served.release();
    }
  }

  private static ModelFailureException failure(String model, int version, OnnxClassifier.ModelOutputException e) {
    return new ModelFailureException("model " + model + " version " + version + " does not answer as its signature says: " + e.getMessage(), e);
  }

  private static List<Prediction> explained(List<Prediction> predictions, Contributions.Explanation[] explanations, ModelSignature signature) {
    String kind = signature.getOutputClasses().size() == 2 ? "log-odds" : "centred log-probability";
    List<Prediction> explained = new ArrayList<>(predictions.size());
    for (int i = 0; i < predictions.size(); i++) {
      Contributions.Explanation explanation = explanations[i];
      Map<String, Double> contributions = new LinkedHashMap<>();
      for (int f = 0; f < explanation.contributions().length; f++) {
        contributions.put(signature.getInputs().get(f).getName(), finite(explanation.contributions()[f]));
      }
      Prediction prediction = predictions.get(i);
      explained.add(new Prediction(prediction.predictionId(), prediction.predictedClass(), prediction.probabilities(),
          new Explanation(kind, finite(explanation.score()), finite(explanation.baseline()), contributions, null)));
    }
    return explained;
  }

  private static List<Prediction> approximated(List<Prediction> predictions, KernelShap.Explanation[] explanations, ModelSignature signature) {
    List<Prediction> explained = new ArrayList<>(predictions.size());
    for (int i = 0; i < predictions.size(); i++) {
      KernelShap.Explanation explanation = explanations[i];
      Map<String, Double> contributions = new LinkedHashMap<>();
      for (int f = 0; f < explanation.contributions().length; f++) {
        contributions.put(signature.getInputs().get(f).getName(), finite(explanation.contributions()[f]));
      }
      Prediction prediction = predictions.get(i);
      explained.add(new Prediction(prediction.predictionId(), prediction.predictedClass(), prediction.probabilities(),
          new Explanation("probability", finite(explanation.value()), finite(explanation.baseline()), contributions,
              new Approximation(explanation.exact() ? "shapley" : "kernel-shap", explanation.evaluations()))));
    }
    return explained;
  }

  /**
   * Each thread's generator of ids: an LXM generator of the JDK (384 bits of state, 128 bits of output per
   * id), seeded from {@link SecureRandom} once per thread. Request and event ids must be unique, not
   * unguessable; {@link UUID#randomUUID()} draws from the shared {@code SecureRandom} twice per prediction.
   */
  private static final ThreadLocal<RandomGenerator> IDS = ThreadLocal.withInitial(() -> {
    byte[] seed = new byte[48];
    SECURE.nextBytes(seed);
    return RandomGeneratorFactory.of("L128X256MixRandom").create(seed);
  });

  /** A random (version 4) UUID from this thread's {@link #IDS} generator. */
  static String randomUuid() {
    RandomGenerator random = IDS.get();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }

  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private ServedModel acquire(String model, Integer version) {
    ServedModel served = models.acquire(model).orElseThrow(() -> models.status(model)
        .<RuntimeException>map(status -> new ModelUnavailableException("model " + model + " has no version that can be served: version "
            + status.failedVersion() + " failed to load (" + status.failure() + ")"))
        .orElseGet(() -> new UnknownModelException("no model named " + model + " is served here; serving: " + models.servedModels())));
    if (version != null && version != served.version()) {
      int serving = served.version();
      served.release();
      throw new UnknownModelException("model " + model + " version " + version + " is not served; version " + serving + " is");
    }
    return served;
  }
}
