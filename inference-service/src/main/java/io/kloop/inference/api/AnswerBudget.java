package io.kloop.inference.api;

import io.kloop.inference.serving.RequestBudget;
import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.NameSizes;
import io.kloop.inference.serving.PredictionIds;

/**
 * No answer is much larger than its request: a scoring answer is at most {@value #FLOOR} bytes or twice the
 * request's body, whichever is more. Before scoring, the answer's largest possible size is worked out from
 * the number of instances and the model's names ({@link NameSizes}): every number at its longest JSON form
 * (24 characters, 22 for a probability), every name escaped at its longest. A request whose answer could be larger is a 400 that
 * says how many instances it may hold. What one instance adds is fixed by the model, not by the client:
 * its classes' names and probabilities and, with {@code explain=true}, a contribution per feature, so the
 * limit bites on requests of many instances with few, short values (in practice: explanations of models
 * whose feature names are short, or infer requests of models with many classes). Besides, each instance's
 * answer carries its prediction's id: the client's own, which the request carries too, or the request id
 * and the instance's index, which the request carries once ({@link PredictionIds}); their exact JSON sizes
 * count (a default one with an index of ten digits). An infer answer counts only the outputs asked for.
 */
final class AnswerBudget {

  /** Every answer may be this large, whatever the request's size. */
  static final int FLOOR = 64 * 1024;

  /** The longest JSON form of a double ({@code -2.2250738585072014E-308}) or an int ({@code -2147483648}). */
  private static final int NUMBER = 24;
  private static final int INT = 11;
  /**
   * The longest JSON form of a probability: a float in [0, 1] written as a double, e.g.
   * {@code 1.1754943508222875E-38}.
   */
  private static final int PROBABILITY = 22;
  /** The longest id or model name in an answer: {@link Identifiers}' limits, six bytes per character at most. */
  private static final long IDENTIFIER = 6L * Math.max(Identifiers.MAX_REQUEST_ID, Identifiers.MAX_MODEL_NAME) + 2;
  /** An answer's own keys, punctuation, id, model name and version: generously. */
  private static final long FIXED = 2 * IDENTIFIER + 512;

  private AnswerBudget() {}

  /** The outputs an infer answer has: the probabilities, the labels, the prediction ids. */
  record Outputs(boolean probabilities, boolean labels, boolean ids) {

    static final Outputs ALL = new Outputs(true, true, true);
  }

  /** The budget of a predict request (named features) of this many bytes. */
  static RequestBudget predict(int requestBytes) {
    return new Budget(requestBytes, null);
  }

  /** The budget of an infer request (Open Inference Protocol) of this many bytes, whose answer has these outputs. */
  static RequestBudget infer(int requestBytes, Outputs outputs) {
    return new Budget(requestBytes, outputs);
  }

  /** A request's budget: an infer request's when it names the outputs, else a predict request's. */
  private record Budget(int requestBytes, Outputs infer) implements RequestBudget {

    @Override
    public void checkAnswer(NameSizes sizes, int instances, boolean explain, PredictionIds.Sizes ids) {
      if (infer != null) {
        check(requestBytes, instances, inferFixed(sizes), inferInstance(sizes, infer), infer.ids() ? ids : PredictionIds.Sizes.NONE, "inputs", false);
      } else {
        check(requestBytes, instances, FIXED, predictInstance(sizes, explain), ids, "instances", explain);
      }
    }
  }

  /** The largest a predict answer to this many instances, with prediction ids of these sizes, can be. */
  static long largestPredict(NameSizes sizes, int instances, boolean explain, PredictionIds.Sizes ids) {
    return FIXED + predictInstance(sizes, explain) * instances + ids.total();
  }

  /** The largest an infer answer with these outputs to this many instances, with prediction ids of these sizes, can be. */
  static long largestInfer(NameSizes sizes, int instances, PredictionIds.Sizes ids, Outputs outputs) {
    return inferFixed(sizes) + inferInstance(sizes, outputs) * instances + (outputs.ids() ? ids.total() : 0);
  }

  /** An infer answer's own part: its fixed part, three output tensors' names, datatypes and shapes. */
  private static long inferFixed(NameSizes sizes) {
    return FIXED + 3 * INT + sizes.probabilityTensor();
  }

  /**
   * At most what one instance adds to a predict answer besides its id's JSON string:
   * {@code {"predictionId":...,"class":...,"probabilities":{...},"version":...},} and, when explained,
   * {@code ,"explanation":{"class":...,"score":...,"value":...,"baseline":...,"contributions":{...},"approximate":...,"method":...,
   * "evaluations":...}}}.
   */
  static long predictInstance(NameSizes sizes, boolean explain) {
    long prediction = 64 + sizes.longestClassName() + sizes.classNames() + (PROBABILITY + 2L) * sizes.classes() + sizes.version();
    if (!explain) {
      return prediction;
    }
    return prediction + 230 + sizes.longestClassName() + sizes.featureNames() + (NUMBER + 2L) * sizes.features();
  }

  /**
   * At most what one instance adds to an infer answer with these outputs besides its id's JSON string: a
   * probability per class, its label, and its id's comma.
   */
  static long inferInstance(NameSizes sizes, Outputs outputs) {
    return (outputs.probabilities() ? (PROBABILITY + 2L) * sizes.classes() : 0) + (outputs.labels() ? sizes.longestClassName() + 1 : 0)
        + (outputs.ids() ? 1 : 0) + 8;
  }

  /** The most an answer to a request of this many bytes may have. */
  static long allowed(int requestBytes) {
    return Math.max(FLOOR, 2L * requestBytes);
  }

  private static void check(int requestBytes, int instances, long fixed, long perInstance, PredictionIds.Sizes ids, String path,
      boolean explain) {
    long allowed = allowed(requestBytes);
    long largest = fixed + perInstance * instances + ids.total();
    if (largest > allowed) {
      // Fewer of the same instances make a smaller request, so the advice is what fits in an answer any request may get,
      // with every id as long as the longest.
      perInstance += ids.longest();
      long most = Math.max(0, (FLOOR - fixed) / perInstance);
      throw new InvalidInputException(path + ": the answer to " + instances + " instance(s) of this model" + (explain ? ", explained," : "")
          + " could take " + largest + " bytes, more than a request of " + requestBytes + " bytes may get (" + FLOOR
          + " bytes, or twice the request's size): " + (most > 0 ? "send at most " + most + " of these instances per request"
          : "one instance's answer needs a request of at least " + (fixed + perInstance + 1) / 2 + " bytes"));
    }
  }
}
