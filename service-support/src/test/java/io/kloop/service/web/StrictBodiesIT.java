package io.kloop.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.test.WithKafkaBroker;
import io.kloop.test.hostile.EdgeContract;
import io.kloop.test.hostile.HostileJson;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every service reads JSON bodies strictly and answers every mistake with a bounded JSON 400, never a 500. */
// Closed after the class: a cached context would keep its server and threads running through later classes.
@DirtiesContext
@SpringBootTest(classes = StrictBodiesIT.ProbeService.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.application.name=strict-probe")
@WithKafkaBroker
class StrictBodiesIT {

  private static final String VALID = "{\"name\": \"a\", \"size\": 3, \"items\": [{\"key\": \"x\", \"min\": 1.5}, {\"key\": \"y\"}]}";

  @Autowired Environment environment;
  private EdgeContract edge;
  private final JsonMapper json = JsonMapper.builder().build();

  @BeforeEach
  void connect() {
    edge = new EdgeContract("http://127.0.0.1:" + environment.getProperty("local.server.port"));
  }

  @Test
  void shouldReadAValidBody() {
    EdgeContract.Answer answer = edge.check(EdgeContract.Request.json("PUT", "/probe", VALID));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.text()).contains("\"size\":3");
  }

  @Test
  void shouldRefuseUnknownKeysNamingEveryOneWithItsPlace() {
    String misspelt = "{\"name\": \"a\", \"requried\": true, \"size\": 3, \"items\": [{\"key\": \"x\"}, {\"key\": \"y\", \"minimum\": 1}]}";

    String error = error(edge.check(EdgeContract.Request.json("PUT", "/probe", misspelt)), 400);

    assertThat(error).startsWith("unreadable request: unknown keys ")
        .contains("'requried' (known there: items, name, size)").contains("'minimum' (known there: key, min)");
  }

  @Test
  void shouldNameUnknownKeysWhateverTheirValues() {
    String body = "{\"instance\": [{}], \"name\": \"a\", \"size\": 3, \"output\": {\"x\": [1]},"
        + " \"items\": [{\"key\": \"x\", \"extra\": [[1], {\"y\": 2}]}, {\"key\": \"y\", \"more\": {\"z\": null}}]}";

    String error = error(edge.check(EdgeContract.Request.json("PUT", "/probe", body)), 400);

    assertThat(error).startsWith("unreadable request: unknown keys ").contains("'instance' (known there: items, name, size)")
        .contains("'output' (known there: items, name, size)").contains("'extra' (known there: key, min)")
        .contains("'more' (known there: key, min)");
  }

  @Test
  void shouldRefuseDuplicateKeysNullNumbersTrailingDocumentsAndDeepNesting() {
    assertThat(error(edge.check(EdgeContract.Request.json("PUT", "/probe", "{\"name\": \"a\", \"name\": \"b\", \"size\": 1}")), 400))
        .contains("Duplicate").contains("name");
    assertThat(error(edge.check(EdgeContract.Request.json("PUT", "/probe", "{\"name\": \"a\", \"size\": null}")), 400))
        .contains("at size");
    assertThat(error(edge.check(EdgeContract.Request.json("PUT", "/probe", VALID + " {}")), 400)).containsIgnoringCase("trailing");
    for (String coerced : new String[] {"\"size\": 1.9", "\"size\": \"2\"", "\"name\": 42", "\"name\": true"}) {
      assertThat(error(edge.check(EdgeContract.Request.json("PUT", "/probe", "{" + coerced + ", \"name\": \"a\", \"size\": 1}"
          .replace(coerced.startsWith("\"size") ? ", \"size\": 1" : ", \"name\": \"a\"", ""))), 400))
          .as(coerced).startsWith("unreadable request: at " + (coerced.startsWith("\"size") ? "size" : "name"));
    }
    String deep = "{\"name\": \"a\", \"size\": 1, \"extra\": " + "[".repeat(StrictJson.MAX_NESTING_DEPTH + 1)
        + "]".repeat(StrictJson.MAX_NESTING_DEPTH + 1) + "}";
    assertThat(error(edge.check(EdgeContract.Request.json("PUT", "/probe", deep)), 400)).contains("nesting depth");
  }

  @Test
  void shouldNameTheContentTypesABodyMayHave() {
    String error = error(edge.check(EdgeContract.Request.of("PUT", "/probe", "text/plain", VALID)), 415);

    assertThat(error).startsWith("content type 'text/plain' is not supported; send application/json").doesNotContain("io.kloop");
    assertThat(error(edge.check(EdgeContract.Request.of("PUT", "/probe", "not a media type", VALID)), 415))
        .startsWith("the Content-Type header is not a media type (").contains("not a media type\"")
        .contains("; send application/json");
  }

  @Test
  void shouldAnswerAFaultOfTheServiceWithAnErrorIdAndNothingOfTheException() {
    String error = error(edge.send(EdgeContract.Request.json("POST", "/fault/secret-detail", "{}")), 500);

    assertThat(error).startsWith("internal error; the service's log has the details under error id ").doesNotContain("secret");
  }

  @Test
  void shouldClipLongMessagesAndLongListsOfProblems() {
    String error = error(edge.check(EdgeContract.Request.json("POST", "/fault/" + "x".repeat(3_000) + "/list", "{}")), 400);
    assertThat(error).hasSizeLessThanOrEqualTo(ApiErrors.MAX_MESSAGE_CHARS).endsWith(" more characters)");

    JsonNode body = json.readTree(edge.check(EdgeContract.Request.json("POST", "/fault/many/list", "{}")).body());
    assertThat(body.path("problems").size()).isEqualTo(ApiErrors.MAX_LISTED);
    assertThat(body.path("moreProblems").asInt()).isEqualTo(5_000 - ApiErrors.MAX_LISTED);
  }

  @Test
  void shouldKeepTheContractForEveryMalformedBody() {
    edge.forAll("strict-probe PUT /probe", HostileJson.bodies(VALID).map((String body) -> EdgeContract.Request.json("PUT", "/probe", body)));
  }

  private String error(EdgeContract.Answer answer, int status) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(status);
    return json.readTree(answer.body()).path("error").asString();
  }

  @SpringBootApplication
  static class ProbeService {

    record Item(String key, Double min) {}

    record Probe(String name, int size, List<Item> items) {}

    @RestController
    static class Probes {

      @PutMapping("/probe")
      Probe put(@RequestBody Probe probe) {
        return probe;
      }

      @PostMapping("/fault/{detail}")
      String fault(@PathVariable String detail) {
        throw new IllegalStateException(detail);
      }

      @PostMapping("/fault/{detail}/list")
      org.springframework.http.ResponseEntity<java.util.Map<String, Object>> problems(@PathVariable String detail) {
        List<String> problems = detail.equals("many") ? java.util.stream.IntStream.range(0, 5_000).mapToObj(i -> "problem " + i).toList()
            : List.of(detail);
        return org.springframework.http.ResponseEntity.badRequest().body(ApiErrors.error(detail, "problems", problems));
      }
    }
  }
}
