package io.kloop.test.hostile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generators of malformed and extreme JSON for the property-based tests of the HTTP edges: each body is a
 * valid example of the endpoint's body with one thing wrong in it (a value replaced by {@code null}, the
 * wrong type, a huge or tiny number, a long or control-character string, deep nesting; a key removed, added
 * or given twice; the document cut short), or no JSON at all (empty, garbage, invalid UTF-8).
 *
 * <p>Built on QuickTheories' generators, so a failing body shrinks to a small one.
 */
public final class HostileJson {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private HostileJson() {}

  /** Strings a client might send where a name, an id or free text is expected. */
  public static Gen<String> strings() {
    Gen<String> fixed = Generate.pick(List.of(
        "", " ", "\t\n", "null", "NaN", "Infinity", "-Infinity", "true", "0", "-1", "1e309",
        "\u0000", "line one\nline two", "\r\n[ERROR] forged log line", "\u001b[31mred\u001b[0m", "\u2028\u2029", "\u202eevil",
        "../../../etc/passwd", "%00", "%2e%2e%2f", "<script>alert(1)</script>", "' OR '1'='1", "${jndi:ldap://x/a}",
        "P99999999999999999D", "PT-1S", "P-1D", "PT9223372036854775807S", "-PT1S", "P0D", "1 day",
        "2026-13-45T99:99:99Z", "9999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
        "\ud83d\ude00".repeat(50), "\ud800", "a".repeat(256), "a".repeat(10_000), "x".repeat(100_000)));
    Gen<String> random = in -> {
      int length = Generate.frequency(
          org.quicktheories.api.Pair.of(8, Generate.range(0, 16)),
          org.quicktheories.api.Pair.of(2, Generate.range(17, 2_000))).generate(in);
      StringBuilder text = new StringBuilder(length);
      Gen<Integer> codePoints = Generate.frequency(
          org.quicktheories.api.Pair.of(6, Generate.range(0x20, 0x7e)),
          org.quicktheories.api.Pair.of(2, Generate.range(0, 0x1f)),
          org.quicktheories.api.Pair.of(1, Generate.range(0x7f, 0x9f)),
          org.quicktheories.api.Pair.of(1, Generate.range(0xa0, 0x10ffff)));
      for (int i = 0; i < length; i++) {
        int codePoint = codePoints.generate(in);
        if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
          codePoint = '?';
        }
        text.appendCodePoint(codePoint);
      }
      return text.toString();
    };
    return fixed.mix(random, 50);
  }

  /** Numbers a client might send: edges of int, long and double, overflow, underflow, negatives, fractions. */
  public static Gen<JsonNode> numbers() {
    Gen<String> literal = Generate.pick(List.of(
        "0", "-0", "1", "-1", "0.5", "-0.5", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1e308", "-1e308",
        "1e309", "-1e309", "4.9e-324", "1e-400", "1.7976931348623157e308", "0.000000000000000000001",
        "1" + "0".repeat(400), "1e1000000", "99999999999999999999.5"));
    Gen<String> randomLong = Generate.longRange(Long.MIN_VALUE, Long.MAX_VALUE).map((Long bits) -> String.valueOf(bits));
    Gen<String> randomDouble = Generate.longRange(Long.MIN_VALUE, Long.MAX_VALUE).map((Long bits) -> {
      double value = Double.longBitsToDouble(bits);
      return Double.isFinite(value) ? String.valueOf(value) : "1e400";
    });
    return literal.mix(randomLong, 25).mix(randomDouble, 25).map((String text) -> parse(text));
  }

  /** Any value that may stand where the body expects another: null, booleans, numbers, strings, containers. */
  public static Gen<JsonNode> values() {
    Gen<JsonNode> scalars = Generate.pick(List.<JsonNode>of(NODES.nullNode(), NODES.booleanNode(true), NODES.booleanNode(false)));
    Gen<JsonNode> containers = Generate.pick(List.of("[]", "{}", "[null]", "{\"\": null}", "[[1, 2], [3]]", "[1, \"a\", null, {}]",
        "{\"a\": {\"b\": {\"c\": null}}}", "[" + "1,".repeat(10_000) + "1]")).map((String text) -> parse(text));
    Gen<JsonNode> text = strings().map((String value) -> (JsonNode) NODES.stringNode(value));
    return Generate.frequency(
        org.quicktheories.api.Pair.of(2, scalars),
        org.quicktheories.api.Pair.of(3, numbers()),
        org.quicktheories.api.Pair.of(3, text),
        org.quicktheories.api.Pair.of(2, containers));
  }

  /** Bodies derived from valid examples of the endpoint's body, each with one thing wrong; and non-JSON. */
  public static Gen<String> bodies(String... validExamples) {
    List<JsonNode> examples = new ArrayList<>();
    for (String example : validExamples) {
      examples.add(parse(example));
    }
    Gen<JsonNode> example = Generate.pick(examples).map((JsonNode node) -> node.deepCopy());
    Gen<String> replaced = in -> {
      JsonNode root = example.generate(in);
      List<Place> places = places(root);
      JsonNode value = values().generate(in);
      if (places.isEmpty()) {
        return write(value);
      }
      Place place = places.get(Generate.range(0, places.size() - 1).generate(in));
      place.set(value);
      return write(root);
    };
    Gen<String> removed = in -> {
      JsonNode root = example.generate(in);
      List<Place> places = places(root);
      if (places.isEmpty()) {
        return write(root);
      }
      places.get(Generate.range(0, places.size() - 1).generate(in)).remove();
      return write(root);
    };
    Gen<String> added = in -> {
      JsonNode root = example.generate(in);
      List<ObjectNode> objects = new ArrayList<>();
      collectObjects(root, objects);
      if (objects.isEmpty()) {
        return write(root);
      }
      ObjectNode target = objects.get(Generate.range(0, objects.size() - 1).generate(in));
      String key = Generate.pick(List.of("minimum", "requried", "version", "Name", "", "__proto__", "type ", "\u0000"))
          .mix(strings(), 30).generate(in);
      target.set(key, values().generate(in));
      return write(root);
    };
    Gen<String> duplicated = in -> {
      JsonNode root = example.generate(in);
      String text = write(root);
      if (!(root instanceof ObjectNode object) || object.isEmpty()) {
        return text;
      }
      List<String> keys = new ArrayList<>(object.propertyNames());
      String key = keys.get(Generate.range(0, keys.size() - 1).generate(in));
      return "{" + write(NODES.stringNode(key)) + ": " + write(values().generate(in)) + ", " + text.substring(1);
    };
    Gen<String> truncated = in -> {
      String text = write(example.generate(in));
      return text.substring(0, Generate.range(0, Math.max(0, text.length() - 1)).generate(in));
    };
    Gen<String> nested = in -> {
      int depth = Generate.pick(List.of(65, 1_000, 100_000)).generate(in);
      String open = Generate.pick(List.of("[", "{\"a\":")).generate(in);
      String close = open.equals("[") ? "]" : "}";
      JsonNode root = example.generate(in);
      List<Place> places = places(root);
      String deep = open.repeat(depth) + "1" + close.repeat(depth);
      if (places.isEmpty()) {
        return deep;
      }
      String marker = "\"kloop-deep-marker\"";
      places.get(Generate.range(0, places.size() - 1).generate(in)).set(NODES.stringNode("kloop-deep-marker"));
      return write(root).replace(marker, deep);
    };
    Gen<String> notJson = Generate.pick(List.of("", " ", "\n\n\n", "{", "}", "[", "]", "[]", "{}", "null", "0", "\"text\"",
        "{\"a\" 1}", "{'a': 1}", "{a: 1}", "[1,]", "{\"a\": 1,}", "\ufeff{}", "{\"a\": 1}{\"b\": 2}", "{\"a\": 1} trailing",
        "\u0000\u0000\u0000", "<xml/>", "a,b,c\n1,2,3", "{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\": 01}", "{\"a\": .5}",
        "{\"a\": \"\\ud800\"}", "{\"a\": \"\\u0000\"}", "{\"a\": \"unterminated}"));
    return Generate.frequency(
        org.quicktheories.api.Pair.of(30, replaced),
        org.quicktheories.api.Pair.of(10, removed),
        org.quicktheories.api.Pair.of(15, added),
        org.quicktheories.api.Pair.of(8, duplicated),
        org.quicktheories.api.Pair.of(8, truncated),
        org.quicktheories.api.Pair.of(5, nested),
        org.quicktheories.api.Pair.of(10, notJson),
        org.quicktheories.api.Pair.of(4, Generate.pick(List.of(validExamples))));
  }

  /**
   * Path segments and query values a client might send, percent-encoded as a URL carries them: at most 1,500
   * characters before encoding, up to about 13.5 KB after (beyond Netty's default request line of 4 KB; the
   * services take 64 KB).
   */
  public static Gen<String> urlParts() {
    return strings().map((String text) -> java.net.URLEncoder.encode(text.length() > 1_500 ? text.substring(0, 1_500) : text,
        StandardCharsets.UTF_8).replace("+", "%20"));
  }

  /**
   * GETs of the actuator endpoints every service has (health and its groups and components, info, metrics,
   * the Prometheus scrape filtered by name), with hostile component names, meter names, tags and query values.
   * The whole scrape is left out: its size grows with the service's meters, not with the request.
   */
  public static Gen<String> actuatorPaths() {
    return Generate.pick(List.of("/actuator", "/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness",
            "/actuator/health/kafka", "/actuator/health/a%2Fb", "/actuator/info", "/actuator/metrics", "/actuator/metrics/jvm.memory.used",
            "/actuator/nothing", "/actuator/prometheus?includedNames=jvm_threads_live_threads"))
        .mix(urlParts().map((String part) -> "/actuator/health/" + part), 20)
        .mix(urlParts().map((String part) -> "/actuator/metrics/" + part), 20)
        .mix(urlParts().map((String part) -> "/actuator/metrics/jvm.memory.used?tag=" + part), 15)
        .mix(urlParts().map((String part) -> "/actuator/prometheus?includedNames=" + part), 10);
  }

  /** Bytes that are not UTF-8 text: lone continuation bytes, overlong forms, surrogates, a NUL-filled body. */
  public static Gen<byte[]> invalidUtf8() {
    return Generate.pick(List.of(
        new byte[] {(byte) 0x80}, new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'}, new byte[] {(byte) 0xfe, (byte) 0xff, 0, '{', 0, '}'},
        new byte[1024]));
  }

  public static JsonNode parse(String json) {
    return JSON.readTree(json);
  }

  public static String write(JsonNode node) {
    return JSON.writeValueAsString(node);
  }

  public static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A place in a tree that holds a value: a key of an object or an element of an array. */
  private interface Place {
    void set(JsonNode value);

    void remove();
  }

  private static List<Place> places(JsonNode root) {
    List<Place> places = new ArrayList<>();
    collectPlaces(root, places);
    return places;
  }

  private static void collectPlaces(JsonNode node, List<Place> places) {
    if (node instanceof ObjectNode object) {
      for (String key : new ArrayList<>(object.propertyNames())) {
        places.add(new Place() {
          public void set(JsonNode value) {
            object.set(key, value);
          }

          public void remove() {
            object.remove(key);
          }
        });
        collectPlaces(object.get(key), places);
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        int index = i;
        places.add(new Place() {
          public void set(JsonNode value) {
            array.set(index, value);
          }

          public void remove() {
            array.remove(index);
          }
        });
        collectPlaces(array.get(i), places);
      }
    }
  }

  private static void collectObjects(JsonNode node, List<ObjectNode> objects) {
    if (node instanceof ObjectNode object) {
      objects.add(object);
      object.values().forEach(child -> collectObjects(child, objects));
    } else if (node instanceof ArrayNode array) {
      array.values().forEach(child -> collectObjects(child, objects));
    }
  }
}
