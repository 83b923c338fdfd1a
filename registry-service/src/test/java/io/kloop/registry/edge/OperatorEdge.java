package io.kloop.registry.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.kloop.test.hostile.EdgeContract;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link EdgeContract}'s contract for requests that carry headers, which its {@code Request} cannot: the
 * operator's bearer token (so hostile bodies reach the decision handlers rather than the access filter),
 * {@code Idempotency-Key}, {@code If-None-Match}. The same checks: an answer within
 * {@link EdgeContract#TIME_BOUND}, never a 5xx, a 4xx is a JSON object with a non-blank {@code error}, the
 * answer at most {@link EdgeContract#MAX_ANSWER_BYTES} or twice the request. The same seeds: fixed per endpoint,
 * {@value EdgeContract#DEFAULT_EXAMPLES} examples, {@code -Dkloop.hostile.examples} and {@code -Dkloop.hostile.seed}
 * to explore.
 */
final class OperatorEdge {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(EdgeContract.TIME_BOUND).build();

  OperatorEdge(String baseUrl) {
    this.base = URI.create(baseUrl);
  }

  /** A request and the headers it carries besides its content type. */
  record Call(EdgeContract.Request request, Map<String, String> headers) {

    static Call of(EdgeContract.Request request) {
      return new Call(request, Map.of());
    }

    Call with(String header, String value) {
      Map<String, String> more = new LinkedHashMap<>(headers);
      more.put(header, value);
      return new Call(request, more);
    }

    @Override
    public String toString() {
      Map<String, String> shown = new LinkedHashMap<>();
      headers.forEach((name, value) -> shown.put(name, value.length() > 100 ? value.substring(0, 100) + "… (" + value.length() + " chars)" : value));
      return request + " " + shown;
    }
  }

  void forAll(String endpoint, Gen<Call> calls) {
    long seed = Long.getLong("kloop.hostile.seed", endpoint.hashCode());
    int examples = Integer.getInteger("kloop.hostile.examples", EdgeContract.DEFAULT_EXAMPLES);
    QuickTheory.qt().withFixedSeed(seed).withExamples(examples).withShrinkCycles(40)
        .forAll(calls.describedAs(Call::toString))
        .checkAssert(this::check);
  }

  EdgeContract.Answer check(Call call) {
    EdgeContract.Request request = call.request();
    EdgeContract.Answer answer = send(call);
    String seen = "answer to " + call + ": " + answer.status() + " " + clip(answer.text());
    assertThat(answer.status()).as("no 5xx: " + seen).isLessThan(500);
    long bound = Math.max(EdgeContract.MAX_ANSWER_BYTES, 2L * request.body().length);
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

  EdgeContract.Answer send(Call call) {
    EdgeContract.Request request = call.request();
    boolean withBody = request.body().length > 0 || "POST".equals(request.method()) || "PUT".equals(request.method());
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + request.path())).timeout(EdgeContract.TIME_BOUND)
        .method(request.method(), withBody ? HttpRequest.BodyPublishers.ofByteArray(request.body()) : HttpRequest.BodyPublishers.noBody());
    if (request.contentType() != null) {
      builder.header("Content-Type", request.contentType());
    }
    call.headers().forEach(builder::header);
    try {
      HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new EdgeContract.Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    } catch (HttpTimeoutException e) {
      return fail("no answer within " + EdgeContract.TIME_BOUND + " to " + call, e);
    } catch (IOException e) {
      return fail("the connection failed (" + e + ") for " + call, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted", e);
    }
  }

  private static String clip(String text) {
    String clipped = text.length() > 500 ? text.substring(0, 500) + "…" : text;
    StringBuilder safe = new StringBuilder(clipped.length());
    clipped.codePoints().forEach(c -> {
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        safe.append(String.format("\\u%04x", c));
      } else {
        safe.appendCodePoint(c);
      }
    });
    return safe.toString();
  }

  static String utf8(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }
}
