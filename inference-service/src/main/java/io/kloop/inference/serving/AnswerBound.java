package io.kloop.inference.serving;

/**
 * A limit on the size of a request's answer, checked before scoring, from the number of instances and the
 * model's {@link NameSizes}: what the API makes of each instance is the API's business.
 */
@FunctionalInterface
public interface AnswerBound {

  /** No limit. */
  AnswerBound NONE = (sizes, instances, explain) -> {};

  /**
   * @throws InvalidInputException when the answer to this many instances of the model could be larger than
   *     the request may get
   */
  void check(NameSizes sizes, int instances, boolean explain);
}
