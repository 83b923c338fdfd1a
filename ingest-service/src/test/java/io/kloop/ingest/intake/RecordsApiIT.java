package io.kloop.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.DataRecord;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topics;
import io.kloop.ingest.IngestTestProperties;
import io.kloop.test.TestRecords;
import io.kloop.test.WithKafkaBroker;
import io.kloop.test.hostile.EdgeContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** Records over HTTP in every format: validated, answered per record, good ones stored on the real broker. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.name=ingest-service", "kloop.ingest.max-request-bytes=" + RecordsApiIT.MAX_REQUEST_BYTES,
        IngestTestProperties.TEMPORARY_STATE, IngestTestProperties.TEMPORARY_ARTIFACTS})
@WithKafkaBroker
// Closed after the class: two live ingest pipelines would both process the shared records topic.
@DirtiesContext
@SuppressWarnings("unchecked")
class RecordsApiIT {

  static final int MAX_REQUEST_BYTES = 65_536;

  @LocalServerPort int port;
  WebTestClient http;
  String dataset;

  @DynamicPropertySource
  static void pipeline(DynamicPropertyRegistry registry) {
    IngestTestProperties.pipelineFromTheEnd(registry);
  }

  @BeforeEach
  void declareDataset() {
    http = IngestTestProperties.http("http://127.0.0.1:" + port);
    dataset = "records-" + UUID.randomUUID().toString().substring(0, 8);
    http.put().uri("/v1/datasets/{name}", dataset).contentType(MediaType.APPLICATION_JSON).bodyValue("""
        {"idField": "id",
         "features": [{"name": "radius", "type": "numeric", "min": 0, "max": 50},
                      {"name": "site", "type": "categorical", "categories": ["a", "b"], "required": false},
                      {"name": "smoker", "type": "boolean", "required": false}],
         "label": {"name": "diagnosis", "classes": ["benign", "malignant"]}}""")
        .exchange().expectStatus().isCreated();
  }

  @Test
  void shouldAcceptGoodRecordsAndNameEveryBadOneWithItsFieldAndReason() {
    post(MediaType.APPLICATION_JSON, """
        [{"id": "j1", "radius": 12.5, "site": "a", "smoker": false, "diagnosis": "benign"},
         {"id": "j2", "radius": "NaN", "diagnosis": "benign"},
         {"id": "j3", "radius": 7, "diagnosis": "malignant"},
         {"id": "j3", "radius": 8, "diagnosis": "malignant"},
         {"id": "j4", "radius": 99, "site": "z", "colour": "red", "diagnosis": "maybe"},
         42]""")
        .expectStatus().isBadRequest()
        .expectBody()
        .jsonPath("$.error").isEqualTo("4 of 6 records refused: see refused")
        .jsonPath("$.received").isEqualTo(6)
        .jsonPath("$.accepted").isEqualTo(List.of("j1", "j3"))
        .jsonPath("$.acceptedCount").isEqualTo(2)
        .jsonPath("$.refusedCount").isEqualTo(4)
        .jsonPath("$.unprocessedFrom").doesNotExist()
        .jsonPath("$.refused[0].index").isEqualTo(1)
        .jsonPath("$.refused[0].violations[0].field").isEqualTo("radius")
        .jsonPath("$.refused[0].violations[0].kind").isEqualTo("not-finite")
        .jsonPath("$.refused[0].violations[0].reason").isEqualTo("expected a finite number, got NaN")
        .jsonPath("$.refused[1].index").isEqualTo(3)
        .jsonPath("$.refused[1].violations[0].reason").isEqualTo("duplicate record id j3 (also record 2 of this request)")
        .jsonPath("$.refused[2].recordId").isEqualTo("j4")
        .jsonPath("$.refused[2].violations[*].field").value(fields -> assertThat((List<Object>) fields)
            .hasSize(3).isSubsetOf("colour", "radius", "site", "diagnosis"))
        .jsonPath("$.refused[2].moreViolations").isEqualTo(1)
        .jsonPath("$.refused[3].violations[0].reason").isEqualTo("expected a JSON object, got number");

    List<DataRecord> stored = storedRecords(2);
    assertThat(stored).extracting(DataRecord::getRecordId).containsExactly("j1", "j3");
    assertThat(stored.get(0).getFeatures()).containsEntry("radius", 12.5).containsEntry("site", "a").containsEntry("smoker", false);
    assertThat(stored.get(0).getLabel()).isEqualTo("benign");
    assertThat(stored.get(0).getProducer()).isEqualTo("ingest-service/http");
  }

  @Test
  void shouldReadCsvAndNdjson() {
    post(MediaType.parseMediaType("text/csv"), """
        id,radius,site,smoker,diagnosis
        c1,1.5,b,true,malignant
        c2,2.5,,,benign
        """)
        .expectStatus().isAccepted()
        .expectBody().jsonPath("$.accepted").isEqualTo(List.of("c1", "c2")).jsonPath("$.specVersion").isEqualTo(1);

    post(MediaType.parseMediaType("application/x-ndjson"), """
        {"id": "n1", "radius": 3, "diagnosis": "benign"}
        {"id": "n2", "radius": 4,
        {"id": "n3", "radius": 5, "diagnosis": "benign"}
        """)
        .expectStatus().isBadRequest()
        .expectBody()
        .jsonPath("$.accepted").isEqualTo(List.of("n1", "n3"))
        .jsonPath("$.refused[0].index").isEqualTo(1)
        .jsonPath("$.refused[0].violations[0].reason").value(r -> assertThat((String) r).startsWith("line is not JSON"));

    List<DataRecord> stored = storedRecords(4);
    assertThat(stored).extracting(DataRecord::getRecordId).containsExactly("c1", "c2", "n1", "n3");
    assertThat(stored.get(0).getFeatures()).containsEntry("radius", 1.5).containsEntry("smoker", true);
    assertThat(stored.get(1).getFeatures()).as("missing values are not written").doesNotContainKey("site");
  }

  /** The shipped reviews (data/reviews.*): a text feature declared, its texts taken as sent, overlong or non-text ones refused. */
  @Test
  void shouldTakeTheShippedReviewsAndRefuseTextsOverTheirLimit() throws IOException {
    dataset = "reviews-" + UUID.randomUUID().toString().substring(0, 8);
    http.put().uri("/v1/datasets/{name}", dataset).contentType(MediaType.APPLICATION_JSON).bodyValue(Files.readString(shipped("reviews.spec.json")))
        .exchange().expectStatus().isCreated();
    http.get().uri("/v1/datasets/{name}", dataset).exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.features[0].type").isEqualTo("text").jsonPath("$.features[0].maxLength").isEqualTo(500);
    List<String> lines = Files.readAllLines(shipped("reviews.csv"));
    String csv = String.join("\n", lines.subList(0, 101)) + "\nquoted,\"Good, \"\"really\"\" good\nand more\",positive\n";

    post(MediaType.parseMediaType("text/csv"), csv).expectStatus().isAccepted().expectBody().jsonPath("$.acceptedCount").isEqualTo(101);
    post(MediaType.APPLICATION_JSON, "[{\"id\": \"number\", \"review\": 42, \"sentiment\": \"positive\"},"
        + " {\"id\": \"long\", \"review\": \"" + "a".repeat(501) + "\", \"sentiment\": \"positive\"}]")
        .expectStatus().isBadRequest().expectBody()
        .jsonPath("$.refused[0].violations[0].kind").isEqualTo("wrong-type")
        .jsonPath("$.refused[1].violations[0].kind").isEqualTo("out-of-range")
        .jsonPath("$.refused[1].violations[0].reason").isEqualTo("text of 501 characters is longer than the feature's maxLength 500");

    List<DataRecord> stored = storedRecords(101);
    String firstReview = lines.get(1).substring(lines.get(1).indexOf(',') + 1, lines.get(1).lastIndexOf(','));
    assertThat(stored.get(0).getFeatures().get("review").toString()).isEqualTo(firstReview);
    assertThat(stored.get(100).getFeatures().get("review").toString()).isEqualTo("Good, \"really\" good\nand more");

    http.put().uri("/v1/datasets/{name}", dataset + "-bad").contentType(MediaType.APPLICATION_JSON).bodyValue("""
        {"idField": "id", "features": [{"name": "radius", "type": "numeric", "maxLength": 5}, {"name": "notes", "type": "text", "maxLength": 0}],
         "label": {"name": "y", "classes": ["no", "yes"]}}""")
        .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.problems").value(list -> assertThat((List<Object>) list)
            .containsExactlyInAnyOrder("feature 'radius' is numeric and cannot have a maxLength",
                "text feature 'notes' needs a maxLength from 1 to 100000 characters (or none for 2000), not 0"));
  }

  private static Path shipped(String file) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("data").resolve(file))) {
        return dir.resolve("data").resolve(file);
      }
    }
    throw new IllegalStateException("data/" + file + " not found");
  }

  /**
   * Only the monitor makes feedback records (on the Kafka path): over HTTP a {@code feedback} key is a feature
   * like any other, refused when the spec does not declare it, so a client cannot pass its records off as
   * served predictions with their ground truth.
   */
  @Test
  void shouldNotLetAClientClaimAFeedbackOrigin() {
    post(MediaType.APPLICATION_JSON, """
        {"id": "f1", "radius": 3, "diagnosis": "benign", "feedback": {"model": "scanner", "version": 1, "predictionId": "p1"}}""")
        .expectStatus().isBadRequest()
        .expectBody()
        .jsonPath("$.acceptedCount").isEqualTo(0)
        .jsonPath("$.refused[0].violations[0].field").isEqualTo("feedback")
        .jsonPath("$.refused[0].violations[0].kind").isEqualTo("unknown-feature");
    assertThat(TestRecords.readToEnd(Topics.DATA_RECORD.name(), TestRecords.keyed(dataset))).isEmpty();
  }

  @Test
  void shouldAnswerClientMistakesWithTheRightStatusAndAMessage() {
    http.post().uri("/v1/datasets/{name}/records", "no-such-dataset").contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
        .exchange().expectStatus().isNotFound()
        .expectBody().json("{\"error\": \"no dataset named no-such-dataset; declare it with PUT /v1/datasets/no-such-dataset\"}");
    // Sent with java.net.http (EdgeContract): RequestSizeLimitIT shows on a raw connection that the server
    // answers promptly and completely and keeps the connection usable.
    String large = "[" + "{\"id\": \"x\", \"radius\": 1, \"diagnosis\": \"benign\"},".repeat(2_000) + "{}]";
    EdgeContract.Answer tooLarge = new EdgeContract("http://127.0.0.1:" + port).check(EdgeContract.Request.json("POST",
        "/v1/datasets/" + dataset + "/records", large));
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.text()).startsWith("{\"error\":\"request body too large");
    http.post().uri("/v1/datasets/{name}/records", "Not A Name").contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).startsWith("dataset name 'Not A Name' must be"));
    post(MediaType.TEXT_PLAIN, "id=1").expectStatus().isEqualTo(415)
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).contains("application/json, application/x-ndjson or text/csv"));
    post(MediaType.APPLICATION_JSON, "{\"id\": ").expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).startsWith("body is not JSON"));
    post(MediaType.APPLICATION_JSON, "[]").expectStatus().isBadRequest()
        .expectBody().json("{\"error\": \"the body holds no records\"}");
    assertThat(TestRecords.readToEnd(Topics.DATA_RECORD.name(), TestRecords.keyed(dataset))).isEmpty();
  }

  /** The case: 60 kB of empty NDJSON records once got a 43 MB answer. */
  @Test
  void shouldAnswerManyRefusedRecordsBrieflyAndStoreNothingFromTheHundredAndFirstOn() {
    String empty = "{}\n".repeat(20_000);
    byte[] answer = post(MediaType.parseMediaType("application/x-ndjson"), empty).expectStatus().isBadRequest()
        .expectBody().jsonPath("$.received").isEqualTo(20_000)
        .jsonPath("$.refusedCount").isEqualTo(100)
        .jsonPath("$.refused.length()").isEqualTo(100)
        .jsonPath("$.unprocessedFrom").isEqualTo(100)
        .jsonPath("$.unprocessed").isEqualTo(19_900)
        .jsonPath("$.moreRefused").isEqualTo(java.util.Map.of("missing-id", 19_900, "missing-feature", 19_900, "missing-label", 19_900))
        .returnResult().getResponseBody();
    assertThat(answer.length).as("answer bytes for a %s-byte request", empty.length()).isLessThan(32 * 1024);

    // Blank lines are no records at all.
    post(MediaType.parseMediaType("application/x-ndjson"), "\n \r\n\t\n".repeat(10_000)).expectStatus().isBadRequest()
        .expectBody().json("{\"error\": \"the body holds no records\"}");

    // Good records after the 101st refused one are not stored: the answer says to send them again.
    StringBuilder mixed = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      mixed.append(i % 2 == 0 ? "{\"id\": \"m" + i + "\", \"radius\": 1, \"diagnosis\": \"benign\"}\n" : "{\"id\": \"m" + i + "\"}\n");
    }
    post(MediaType.parseMediaType("application/x-ndjson"), mixed.toString()).expectStatus().isBadRequest()
        .expectBody().jsonPath("$.acceptedCount").isEqualTo(101)
        .jsonPath("$.accepted.length()").isEqualTo(100)
        .jsonPath("$.unprocessedFrom").isEqualTo(201)
        .jsonPath("$.unprocessed").isEqualTo(99)
        .jsonPath("$.moreRefused").isEqualTo(java.util.Map.of("missing-feature", 50, "missing-label", 50));
    List<String> expected = java.util.stream.IntStream.rangeClosed(0, 200).filter(i -> i % 2 == 0).mapToObj(i -> "m" + i).toList();
    assertThat(storedRecords(expected.size())).extracting(DataRecord::getRecordId).containsExactlyElementsOf(expected);
  }

  /** A record costs on the records topic what its envelope and its own values cost, not a name per declared feature. */
  @Test
  void shouldWriteToKafkaOnlyTheValuesARecordHas() {
    String body = "id,radius,diagnosis\na,1,benign\n";
    post(MediaType.parseMediaType("text/csv"), body).expectStatus().isAccepted();

    var stored = TestRecords.readToEnd(Topics.DATA_RECORD.name(), TestRecords.keyed(dataset));
    assertThat(stored).hasSize(1);
    DataRecord record = new EventDeserializer<>(DataRecord.class).deserialize("t", stored.get(0).value());
    assertThat(record.getFeatures()).as("the missing optional features are not written").containsOnlyKeys("radius");
    // The envelope (event id, time, producer, dataset, Avro header) and the record's own values, then the
    // feedback origin's union branch (null: one byte).
    int envelope = 10 + 37 + 6 + 20 + 1 + dataset.length();
    assertThat(stored.get(0).serializedValueSize()).as("value bytes").isLessThanOrEqualTo(envelope + 2 + 1 + 7 + 1 + 8 + 1 + 1 + 7 + 1);
  }

  private WebTestClient.ResponseSpec post(MediaType type, String body) {
    return http.post().uri("/v1/datasets/{name}/records", dataset).contentType(type).bodyValue(body).exchange();
  }

  private List<DataRecord> storedRecords(int count) {
    EventDeserializer<DataRecord> events = new EventDeserializer<>(DataRecord.class);
    // Each record is acknowledged by Kafka before the answer: all are there already, and no more may be.
    List<DataRecord> records = TestRecords.readToEnd(Topics.DATA_RECORD.name(), TestRecords.keyed(dataset)).stream()
        .map(record -> events.deserialize("t", record.value())).toList();
    assertThat(records).hasSize(count);
    assertThat(records).allSatisfy(r -> assertThat(r.getDataset()).isEqualTo(dataset));
    return records;
  }
}
