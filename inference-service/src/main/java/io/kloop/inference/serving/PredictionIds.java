package io.kloop.inference.serving;

import io.kloop.service.web.ClientText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ids of a request's predictions, by which ground truth refers to them later ({@code PredictionLogged.predictionId}):
 * the client's own, one per instance (an order number, say), or by default {@code <requestId>/<instanceIndex>}.
 * A default id is unique per model as long as request ids are, which a made-up one always is.
 *
 * <p>A client's ids are checked before scoring: as many as instances, each a string of 1 to {@value #MAX_LENGTH}
 * characters, not blank, with no character the platform's identifiers may not hold ({@link ClientText}), and
 * none given twice in the request. Anything else is a 400 naming the first offending index.
 */
public final class PredictionIds {

  /** Longest id a client may give: as long as a request id, since each is logged with its prediction. */
  public static final int MAX_LENGTH = 128;

  /** Every prediction's id by default. */
  public static final PredictionIds DEFAULT = new PredictionIds(null);

  /** The longest default id's index part: a slash and an int. */
  private static final String LONGEST_INDEX = "/" + Integer.MAX_VALUE;

  private final List<String> given;

  private PredictionIds(List<String> given) {
    this.given = given;
  }

  /**
   * The ids a client gave, checked.
   *
   * @param ids as read from the request (strings are ids, anything else is refused)
   * @param instances how many instances the request has
   * @param path where the ids are in the request, for error messages (e.g. {@code ids})
   * @throws InvalidInputException for the first id that breaks a rule, naming its index
   */
  public static PredictionIds given(List<?> ids, int instances, String path) {
    if (ids.size() != instances) {
      throw new InvalidInputException(path + ": " + ids.size() + " id(s) for " + instances + " instance(s); give one id per instance, in "
          + "the instances' order");
    }
    List<String> checked = new ArrayList<>(ids.size());
    Map<String, Integer> seen = new HashMap<>(ids.size() * 2);
    for (int i = 0; i < ids.size(); i++) {
      String where = path + "[" + i + "]";
      String id = check(ids.get(i), where);
      Integer first = seen.putIfAbsent(id, i);
      if (first != null) {
        throw new InvalidInputException(where + ": " + Instances.quoted(id) + " is given twice (also " + path + "[" + first
            + "]); the ids of a request must differ");
      }
      checked.add(id);
    }
    return new PredictionIds(List.copyOf(checked));
  }

  /** One id as the client sent it, checked; the message says what is wrong, after {@code where}. */
  private static String check(Object value, String where) {
    if (!(value instanceof String id)) {
      throw new InvalidInputException(where + ": an id is a string, not " + describe(value));
    }
    if (id.isBlank()) {
      throw new InvalidInputException(where + ": an id must not be empty or blank");
    }
    if (id.length() > MAX_LENGTH) {
      throw new InvalidInputException(where + ": an id has at most " + MAX_LENGTH + " characters, got " + id.length());
    }
    int unsafe = ClientText.firstForbidden(id, false);
    if (unsafe >= 0) {
      throw new InvalidInputException(where + ": character " + (unsafe + 1) + " is " + String.format("U+%04X", (int) id.charAt(unsafe))
          + "; an id has no control or invisible characters, line or paragraph separators or unpaired surrogates");
    }
    return id;
  }

  /** Whether the client gave the ids (else they are the default ones). */
  public boolean clients() {
    return given != null;
  }

  /** The id of the prediction of instance {@code index} of the request with this id. */
  public String of(String requestId, int index) {
    return given == null ? byDefault(requestId, index) : given.get(index);
  }

  /** The default id: {@code <requestId>/<instanceIndex>}. */
  public static String byDefault(String requestId, int index) {
    return requestId + "/" + index;
  }

  /**
   * How many bytes the ids of this many instances take at most as JSON strings ({@link NameSizes#jsonBytes}), all
   * together and the longest, to bound an answer's and the prediction log's size before scoring. Default ids are
   * counted at their longest (an index of ten digits), so that the bound per instance is the same for every one.
   */
  public Sizes sizes(String requestId, int instances) {
    if (given == null) {
      long each = NameSizes.jsonBytes(requestId + LONGEST_INDEX);
      return new Sizes(each * instances, each);
    }
    long total = 0;
    long longest = 0;
    for (String id : given) {
      long bytes = NameSizes.jsonBytes(id);
      total += bytes;
      longest = Math.max(longest, bytes);
    }
    return new Sizes(total, longest);
  }

  /**
   * The prediction ids' JSON sizes in a request.
   *
   * @param total the bytes of all the ids together
   * @param longest the bytes of the longest one
   */
  public record Sizes(long total, long longest) {

    /** No ids: for bounds of everything but the ids. */
    public static final Sizes NONE = new Sizes(0, 0);
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Map<?, ?>) {
      return "an object";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    String text = String.valueOf(value);
    text = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    return value instanceof Number ? "the number " + text : text;
  }
}
