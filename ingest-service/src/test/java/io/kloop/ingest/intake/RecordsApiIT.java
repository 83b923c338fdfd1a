package io.kloop.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.DataRecord;
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
import org.springframework.test.web.reactive.server.WebTestClient;

/** Records over HTTP in every format: validated, answered per record, good ones stored on the real broker. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.name=ingest-service", "kloop.ingest.max-request-bytes=4096", IngestTestProperties.ISOLATED_STREAMS,
        IngestTestProperties.TEMPORARY_STATE, IngestTestProperties.TEMPORARY_ARTIFACTS})
@WithKafkaBroker
// Closed after the class: two live ingest pipelines would both process the shared records topic.
@DirtiesContext
@SuppressWarnings("unchecked")
class RecordsApiIT {

  @LocalServerPort int port;
  WebTestClient http;
  String dataset;

  @BeforeEach
  void declareDataset() {
    http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
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
        .jsonPath("$.received").isEqualTo(6)
        .jsonPath("$.accepted").isEqualTo(List.of("j1", "j3"))
        .jsonPath("$.refused[0].index").isEqualTo(1)
        .jsonPath("$.refused[0].violations[0].field").isEqualTo("radius")
        .jsonPath("$.refused[0].violations[0].reason").isEqualTo("expected a finite number, got NaN")
        .jsonPath("$.refused[1].index").isEqualTo(3)
        .jsonPath("$.refused[1].violations[0].reason").isEqualTo("duplicate record id j3 (also record 2 of this request)")
        .jsonPath("$.refused[2].recordId").isEqualTo("j4")
        .jsonPath("$.refused[2].violations[*].field").value(fields -> assertThat((List<Object>) fields)
            .containsExactlyInAnyOrder("colour", "radius", "site", "diagnosis"))
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
    assertThat(stored.get(1).getFeatures()).containsEntry("site", null);
  }

  @Test
  void shouldAnswerClientMistakesWithTheRightStatusAndAMessage() {
    http.post().uri("/v1/datasets/{name}/records", "no-such-dataset").contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
        .exchange().expectStatus().isNotFound()
        .expectBody().json("{\"error\": \"no dataset named no-such-dataset; declare it with PUT /v1/datasets/no-such-dataset\"}");
    post(MediaType.APPLICATION_JSON, "[" + "{\"id\": \"x\", \"radius\": 1, \"diagnosis\": \"benign\"},".repeat(200) + "{}]")
        .expectStatus().isEqualTo(413)
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).startsWith("request body too large"));
    post(MediaType.TEXT_PLAIN, "id=1").expectStatus().isEqualTo(415)
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).contains("application/json, application/x-ndjson or text/csv"));
    post(MediaType.APPLICATION_JSON, "{\"id\": ").expectStatus().isBadRequest()
        .expectBody().jsonPath("$.error").value(m -> assertThat((String) m).startsWith("body is not JSON"));
    post(MediaType.APPLICATION_JSON, "[]").expectStatus().isBadRequest()
        .expectBody().json("{\"error\": \"the body holds no records\"}");
    assertThat(TestRecords.readToEnd(Topics.DATA_RECORD.name(), TestRecords.keyed(dataset))).isEmpty();
  }

  private WebTestClient.ResponseSpec post(MediaType type, String body) {
    return http.post().uri("/v1/datasets/{name}/records", dataset).contentType(type).bodyValue(body).exchange();
  }

  private List<DataRecord> storedRecords(int count) {
    EventDeserializer<DataRecord> events = new EventDeserializer<>(DataRecord.class);
    List<DataRecord> records = TestRecords.awaitAtLeast(Topics.DATA_RECORD.name(), TestRecords.keyed(dataset), count).stream()
        .map(record -> events.deserialize("t", record.value())).toList();
    assertThat(records).allSatisfy(r -> assertThat(r.getDataset()).isEqualTo(dataset));
    return records;
  }
}
