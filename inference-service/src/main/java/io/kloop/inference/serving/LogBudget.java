package io.kloop.inference.serving;

/**
 * No request makes the prediction log write much more than the request itself: the events of one request
 * (one per instance) take at most {@value #FLOOR} bytes or {@value #RATIO} times the request's body, whichever is
 * more. An event is larger than what a client sends per instance (an event id, a time, the request id, the
 * model's name, the inputs with their names, a probability per class, the prediction's id): in a compact Open Inference Protocol
 * request an instance can be a few bytes per feature. Before scoring, the events' largest possible size is
 * worked out from the model's {@link NameSizes}, the request id and the prediction ids: a request whose events could be larger
 * is a 400 that says how many instances fit. Only when the log is on.
 *
 * <p>Texts are counted by what the request holds, not by their maxLength: a text's UTF-8 bytes in an event are never
 * more than the bytes it took in the request's JSON (raw UTF-8, or longer as escapes), and no two texts share bytes of
 * the request, so all the texts of a request's events together take at most the request's size.
 */
final class LogBudget {

  /** The events of any request may take this much, whatever its size. */
  static final int FLOOR = 256 * 1024;
  /** Beyond the floor, the events of a request may take this many times its body. */
  static final int RATIO = 16;

  /**
   * An event's own part, generously: the single-object header (10 bytes), the event id (37), the time (10), the
   * producer (18), the instance index and the version (5 each), the latency (10), and the maps' framing.
   */
  private static final int FIXED = 128;

  private LogBudget() {}

  /**
   * At most how many bytes one event (and its record key, the model's name) takes, besides its prediction id: Avro
   * writes a string as a length (one or two bytes for these) and its UTF-8 bytes, at most three per character,
   * which {@link NameSizes}' JSON sizes (quotes and escapes counted) never undercount; a double in 8 bytes, a
   * boolean in 1, an input's branch in 1; a text's length in 3, its UTF-8 bytes not at all (they are bounded by the
   * request, see the class comment and {@link #check}).
   */
  static long eventBytes(NameSizes sizes, String requestId, String model) {
    long identifiers = 2 + 3L * requestId.length() + 2 * (2 + 3L * model.length());
    long inputs = sizes.featureNames() + 9L * sizes.features() + sizes.categoryValues() + 3L * sizes.textFeatures();
    long prediction = sizes.longestClassName() + sizes.classNames() + 8L * sizes.classes();
    return FIXED + identifiers + inputs + prediction;
  }

  /**
   * At most how many bytes a prediction id of this JSON size takes in its event: its union branch (1 byte), its
   * length and its UTF-8 bytes, which its JSON size never undercounts (an id has at most 139 characters, so its
   * length takes 2 bytes, no more than its JSON quotes).
   */
  static long predictionIdBytes(long jsonBytes) {
    return 1 + jsonBytes;
  }

  /** @throws InvalidInputException when the events of this many instances could take more than the request may make the log write */
  static void check(NameSizes sizes, String requestId, String model, int instances, PredictionIds.Sizes ids, int requestBytes, String path) {
    long perEvent = eventBytes(sizes, requestId, model);
    long allowed = Math.max(FLOOR, (long) RATIO * requestBytes);
    long texts = sizes.textFeatures() > 0 ? requestBytes : 0;
    long largest = perEvent * instances + predictionIdBytes(0) * instances + ids.total() + texts;
    if (largest > allowed) {
      throw new InvalidInputException(path + ": logging " + instances + " predictions of this model could take " + largest
          + " bytes, more than a request of " + requestBytes + " bytes may make the service write to the prediction log (" + FLOOR
          + " bytes, or " + RATIO + " times the request's size): send at most "
          + Math.max(1, FLOOR / (perEvent + predictionIdBytes(ids.longest()))) + " instances per request");
    }
  }
}
