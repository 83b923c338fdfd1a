package io.kloop.inference.serving;

/**
 * What one request may make the service write: checked before scoring, from the number of instances and the
 * model's {@link NameSizes}. The answer is the API's business (its format is), so the API checks it; the
 * prediction log's events are checked by {@link LogBudget}, against the request's size given here.
 */
public interface RequestBudget {

  /** No limit: for callers that are no client's request (benchmarks, tests). */
  RequestBudget NONE = new RequestBudget() {
    @Override
    public int requestBytes() {
      return Integer.MAX_VALUE / LogBudget.RATIO;
    }

    @Override
    public void checkAnswer(NameSizes sizes, int instances, boolean explain, PredictionIds.Sizes ids) {}
  };

  /** The size of the request's body, in bytes. */
  int requestBytes();

  /**
   * @param ids the sizes of the instances' prediction ids, which the answer carries
   * @throws InvalidInputException when the answer to this many instances of the model could be larger than
   *     the request may get
   */
  void checkAnswer(NameSizes sizes, int instances, boolean explain, PredictionIds.Sizes ids);
}
