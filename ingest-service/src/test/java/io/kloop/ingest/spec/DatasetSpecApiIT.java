package io.kloop.ingest.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.DatasetSpecDeclared;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topics;
import io.kloop.ingest.IngestTestProperties;
import io.kloop.test.TestRecords;
import io.kloop.test.WithKafkaBroker;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Declaring, changing and reading dataset specs over HTTP, kept on the real broker's compacted topic. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"spring.config.name=ingest-service",
    IngestTestProperties.TEMPORARY_STATE, IngestTestProperties.TEMPORARY_ARTIFACTS})
@WithKafkaBroker
// Closed after the class: two live ingest pipelines would both process the shared records topic.
@DirtiesContext
@SuppressWarnings("unchecked")
class DatasetSpecApiIT {

  @LocalServerPort int port;
  WebTestClient http;
  String dataset;

  @DynamicPropertySource
  static void pipeline(DynamicPropertyRegistry registry) {
    IngestTestProperties.pipelineFromTheEnd(registry);
  }

  @BeforeEach
  void client() {
    http = IngestTestProperties.http("http://127.0.0.1:" + port);
    dataset = "tumours-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static final String V1 = """
      {"idField": "id",
       "features": [{"name": "radius", "type": "numeric", "min": 0, "max": 50},
                    {"name": "site", "type": "categorical", "categories": ["a", "b"], "required": false}],
       "label": {"name": "diagnosis", "classes": ["benign", "malignant"]}}""";

  @Test
  void shouldDeclareVersionOneThenEvolveCompatiblyByItselfAndIncompatiblyOnlyWhenAskedTo() {
    put(V1).expectStatus().isCreated().expectHeader().valueEquals("X-Kloop-Spec-Outcome", "created")
        .expectBody().jsonPath("$.version").isEqualTo(1).jsonPath("$.features[0].required").isEqualTo(true);
    put(V1).expectStatus().isOk().expectHeader().valueEquals("X-Kloop-Spec-Outcome", "unchanged")
        .expectBody().jsonPath("$.version").isEqualTo(1);

    String widened = V1.replace("\"max\": 50", "\"max\": 80").replace("[\"a\", \"b\"]", "[\"a\", \"b\", \"c\"]");
    put(widened).expectStatus().isOk().expectBody().jsonPath("$.version").isEqualTo(2).jsonPath("$.versions.length()").isEqualTo(2);

    String narrowed = V1.replace("[\"a\", \"b\"]", "[\"a\"]");
    put(narrowed).expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).contains("Declare it as \"version\": 3"))
        .jsonPath("$.incompatibilities").value(list -> assertThat((List<Object>) list)
            .containsExactlyInAnyOrder("feature 'radius' max falls to 50.0", "feature 'site' loses categories [b, c]"));
    put(narrowed.replace("{\"idField\"", "{\"version\": 3, \"idField\"")).expectStatus().isOk()
        .expectBody().jsonPath("$.version").isEqualTo(3);
    put(V1.replace("{\"idField\"", "{\"version\": 7, \"idField\"")).expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).contains("can only be version 4"));

    http.get().uri("/v1/datasets/{name}", dataset).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.version").isEqualTo(3).jsonPath("$.features[1].categories").isEqualTo(List.of("a"));
    http.get().uri("/v1/datasets/{name}?version=2", dataset).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.features[0].max").isEqualTo(80.0);
    http.get().uri("/v1/datasets").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$[?(@.dataset == '" + dataset + "')].version").isEqualTo(List.of(3));

    // Every version is a fact on the compacted topic, keyed by dataset.
    EventDeserializer<DatasetSpecDeclared> events = new EventDeserializer<>(DatasetSpecDeclared.class);
    List<Integer> stored = TestRecords.awaitAtLeast(Topics.DATASET_SPEC_DECLARED.name(), TestRecords.keyed(dataset), 3).stream()
        .map(record -> events.deserialize("t", record.value()).getVersion()).toList();
    assertThat(stored).containsExactly(1, 2, 3);
  }

  @Test
  void shouldExplainAnInvalidSpecAndAnUnknownDataset() {
    put("""
        {"idField": "id", "features": [{"name": "size", "type": "huge"}, {"name": "colour", "type": "categorical"}],
         "label": {"name": "y", "classes": ["yes"]}}""")
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("invalid dataset spec")
        .jsonPath("$.problems").value(list -> assertThat((List<Object>) list)
            .containsExactly("feature 'size' needs a type: numeric, categorical, boolean or text (got huge)"));
    put("{\"idField\": \"id\", \"features\": [{\"name\": \"colour\", \"type\": \"categorical\"}], \"label\": {\"name\": \"y\", \"classes\": [\"yes\"]}}")
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.problems").value(list -> assertThat((List<Object>) list)
            .containsExactlyInAnyOrder("categorical feature 'colour' needs its categories", "label needs at least two distinct classes"));
    put("{not json").expectStatus().isBadRequest().expectBody().jsonPath("$.error").value(m -> assertThat((String) m).startsWith("unreadable request"));

    http.get().uri("/v1/datasets/{name}", "never-declared").exchange().expectStatus().isNotFound()
        .expectBody().json("{\"error\": \"no dataset named never-declared\"}");
    http.get().uri("/v1/datasets/{name}", "Not A Name").exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo(
            "dataset name 'Not A Name' must be 1-63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit");
  }

  @Test
  void shouldRefuseUnknownKeysNamingEveryOneWithItsPlace() {
    put(V1.replace("\"min\": 0", "\"minimum\": 0").replace("{\"name\": \"diagnosis\"", "{\"requried\": true, \"name\": \"diagnosis\""))
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).startsWith("unreadable request: unknown keys ")
            .contains("'minimum' (known there: categories, description, max, maxLength, min, name, required, type)")
            .contains("'requried' (known there: classes, name, required)"));
    http.get().uri("/v1/datasets/{name}", dataset).exchange().expectStatus().isNotFound(); // nothing was declared
  }

  @Test
  void shouldRefuseNullsWhereASpecExpectsAFeatureACategoryOrAClassAndValuesOverTheLimits() {
    put("""
        {"idField": "id", "features": [null, {"name": "site", "type": "categorical", "categories": [null]}],
         "label": {"name": "y", "classes": [null, "a"]}}""")
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").isEqualTo("invalid dataset spec")
        .jsonPath("$.problems").value(list -> assertThat((List<Object>) list).containsExactly(
            "features[0] is null; a feature is an object: {\"name\": ..., \"type\": ...}",
            "feature 'site': categories[0] is null",
            "label: classes[0] is null"));
    put(V1.replace("\"radius\"", "\"" + "r".repeat(65) + "\"").replace("\"a\", \"b\"", "\"a\", \"b\\u0000c\""))
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.problems").value(list -> assertThat((List<Object>) list).containsExactlyInAnyOrder(
            "feature name '" + "r".repeat(40) + "…' is longer than 64 characters (65)",
            "feature 'site' categories entry 'b?c' contains a control or invisible character (U+0000) at position 1"));
    http.get().uri("/v1/datasets/{name}", dataset).exchange().expectStatus().isNotFound(); // nothing was declared
  }

  private WebTestClient.ResponseSpec put(String body) {
    return http.put().uri("/v1/datasets/{name}", dataset).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
  }
}
