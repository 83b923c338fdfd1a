package io.kloop.test.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every HTTP edge of the platform owes a client, whatever it sends: an answer within
 * {@link #TIME_BOUND}; never a 5xx; a 4xx that is a JSON object with an {@code error} message; and never an
 * answer much larger than the request (at most {@link #MAX_ANSWER_BYTES} or twice the request's size,
 * whichever is more).
 *
 * <p>{@link #forAll} checks it over generated requests (property-based, QuickTheories): by default
 * {@value #DEFAULT_EXAMPLES} requests per endpoint from a seed fixed per endpoint, so CI runs the same
 * requests every time; {@code -Dkloop.hostile.examples=N} and {@code -Dkloop.hostile.seed=S} explore
 * further. A failure names the request (shrunk to a small one) and the seed.
 */
public final class EdgeContract {

  /** Generous, for a busy 2-core CI machine; a server that hangs on a request fails here rather than never. */
  public static final Duration TIME_BOUND = Duration.ofSeconds(30);

  /** The largest answer any request may get, whatever its size. */
  public static final int MAX_ANSWER_BYTES = 64 * 1024;

  public static final int DEFAULT_EXAMPLES = 120;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIME_BOUND).build();

  public EdgeContract(String baseUrl) {
    this.base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
  }

  /** A request to send: method, path (and query, already encoded), content type (or none), body, further headers. */
  public record Request(String method, String path, String contentType, byte[] body, java.util.Map<String, String> headers) {

    public Request(String method, String path, String contentType, byte[] body) {
      this(method, path, contentType, body, java.util.Map.of());
    }

    /** The same request with one more header (an operator's token, an idempotency key, an {@code Accept}). */
    public Request withHeader(String name, String value) {
      java.util.Map<String, String> more = new java.util.LinkedHashMap<>(headers);
      more.put(name, value);
      return new Request(method, path, contentType, body, java.util.Map.copyOf(more));
    }

    public static Request json(String method, String path, String body) {
      return new Request(method, path, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    public static Request of(String method, String path, String contentType, String body) {
      return new Request(method, path, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      String text = new String(body, StandardCharsets.UTF_8);
      String shown = text.length() > 300 ? text.substring(0, 300) + "… (" + body.length + " bytes)" : text;
      return method + " " + (path.length() > 300 ? path.substring(0, 300) + "…" : path) + " [" + contentType + "] "
          + (headers.isEmpty() ? "" : escape(headers.keySet().toString()) + " ") + escape(shown);
    }
  }

  /** What the server answered. */
  public record Answer(int status, String contentType, byte[] body) {

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Checks the contract over the generated requests (see the class comment for the seed and the count). */
  public void forAll(String endpoint, Gen<Request> requests) {
    forAll(endpoint, requests, answer -> {});
  }

  /** As {@link #forAll(String, Gen)}, with a further check of every answer. */
  public void forAll(String endpoint, Gen<Request> requests, Consumer<Answer> alsoCheck) {
    long seed = Long.getLong("kloop.hostile.seed", endpoint.hashCode());
    int examples = Integer.getInteger("kloop.hostile.examples", DEFAULT_EXAMPLES);
    QuickTheory.qt().withFixedSeed(seed).withExamples(examples).withShrinkCycles(40)
        .forAll(requests.describedAs(Request::toString))
        .checkAssert(request -> alsoCheck.accept(check(request)));
  }

  /** Sends one request and checks the contract; returns the answer for further checks. */
  public Answer check(Request request) {
    Answer answer = send(request);
    String seen = "answer to " + request + ": " + answer.status() + " " + clip(answer.text());
    assertThat(answer.status()).as("no 5xx: " + seen).isLessThan(500);
    long bound = Math.max(MAX_ANSWER_BYTES, 2L * request.body().length);
    assertThat((long) answer.body().length).as("answer size bounded by the request's: " + seen).isLessThanOrEqualTo(bound);
    if (answer.status() >= 400) {
      assertThat(answer.contentType()).as("a JSON error: " + seen).contains("json");
      JsonNode error;
      try {
        error = JSON.readTree(answer.body());
      } catch (RuntimeException e) {
        throw new AssertionError("the error answer is not JSON: " + seen, e);
      }
      assertThat(error.isObject() && error.path("error").isString() && !error.path("error").asString().isBlank())
          .as("a JSON object with an error message: " + seen).isTrue();
    }
    return answer;
  }

  public Answer send(Request request) {
    HttpRequest.BodyPublisher body = request.body().length == 0 && !"POST".equals(request.method()) && !"PUT".equals(request.method())
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(request.body());
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + request.path())).timeout(TIME_BOUND)
        .method(request.method(), body);
    if (request.contentType() != null) {
      builder.header("Content-Type", request.contentType());
    }
    request.headers().forEach(builder::header);
    try {
      HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    } catch (HttpTimeoutException e) {
      return fail("no answer within " + TIME_BOUND + " to " + request, e);
    } catch (IOException e) {
      return fail("the connection failed (" + e + ") for " + request, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted", e);
    }
  }

  private static String clip(String text) {
    return escape(text.length() > 500 ? text.substring(0, 500) + "…" : text);
  }

  private static String escape(String text) {
    StringBuilder safe = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        safe.append(String.format("\\u%04x", c));
      } else {
        safe.appendCodePoint(c);
      }
    });
    return safe.toString();
  }
}
