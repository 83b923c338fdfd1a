package io.kloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topics;
import io.kloop.test.TestRecords;
import io.kloop.test.WithKafkaBroker;
import io.kloop.test.hostile.EdgeContract;
import io.kloop.test.hostile.EdgeContract.Request;
import io.kloop.test.hostile.HostileJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every HTTP endpoint of ingest, fed malformed and extreme requests (property-based, {@link EdgeContract}):
 * spec bodies, records in each format (JSON, NDJSON, CSV), hostile dataset names and query values. Never a
 * 5xx, always a JSON error for a 4xx, an answer within 30 s and never much larger than the request; and the
 * pipeline processes whatever was accepted without a failed stream thread.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.name=ingest-service", "kloop.ingest.batch-max-age=1s", "kloop.ingest.max-request-bytes=300000",
        IngestTestProperties.TEMPORARY_STATE, IngestTestProperties.TEMPORARY_ARTIFACTS})
@WithKafkaBroker
@DirtiesContext
class HostileRequestsIT {

  private static final String SPEC = """
      {"idField": "id",
       "features": [{"name": "radius", "type": "numeric", "min": 0, "max": 50, "description": "mm"},
                    {"name": "site", "type": "categorical", "categories": ["a", "b"], "required": false},
                    {"name": "smoker", "type": "boolean", "required": false}],
       "label": {"name": "diagnosis", "classes": ["benign", "malignant"]}}""";
  private static final String RECORD = "{\"id\": \"r1\", \"radius\": 12.5, \"site\": \"a\", \"smoker\": false, \"diagnosis\": \"benign\"}";
  private static final String RECORDS = "[" + RECORD + ", {\"id\": \"r2\", \"radius\": 1, \"diagnosis\": \"malignant\"}]";

  @LocalServerPort int port;
  private EdgeContract edge;
  private String dataset;

  @DynamicPropertySource
  static void pipeline(DynamicPropertyRegistry registry) {
    IngestTestProperties.pipelineFromTheEnd(registry);
  }

  @BeforeEach
  void declare() {
    edge = new EdgeContract("http://127.0.0.1:" + port);
    dataset = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(edge.check(Request.json("PUT", "/v1/datasets/" + dataset, SPEC)).status()).isEqualTo(201);
  }

  @Test
  void shouldKeepTheContractForEveryMalformedSpec() {
    edge.forAll("ingest PUT /v1/datasets/{name}", HostileJson.bodies(SPEC, SPEC.replace("{\"idField\"", "{\"version\": 2, \"idField\""))
        .map((String body) -> Request.json("PUT", "/v1/datasets/" + dataset + "-spec", body)));
  }

  @Test
  void shouldKeepTheContractForHostileNamesAndQueryValues() {
    Gen<Request> requests = Generate.oneOf(
        HostileJson.urlParts().map((String name) -> Request.json("PUT", "/v1/datasets/" + name, SPEC)),
        HostileJson.urlParts().map((String name) -> new Request("GET", "/v1/datasets/" + name, null, new byte[0])),
        HostileJson.urlParts().map((String version) -> new Request("GET", "/v1/datasets/" + dataset + "?version=" + version, null, new byte[0])),
        HostileJson.urlParts().map((String name) -> Request.json("POST", "/v1/datasets/" + name + "/records", RECORD)),
        HostileJson.strings().map((String type) -> new Request("POST", "/v1/datasets/" + dataset + "/records",
            type.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? type : "text/" + Integer.toHexString(type.hashCode()), HostileJson.utf8(RECORD))));
    edge.forAll("ingest names and query values", requests);
    assertThat(edge.check(new Request("GET", "/v1/datasets", null, new byte[0])).status()).isEqualTo(200);
  }

  @Test
  void shouldKeepTheContractOnTheActuator() {
    edge.forAll("ingest actuator", HostileJson.actuatorPaths().map((String path) -> new Request("GET", path, null, new byte[0])));
  }

  @Test
  void shouldKeepTheContractForMalformedJsonRecords() {
    edge.forAll("ingest POST records JSON", HostileJson.bodies(RECORD, RECORDS)
        .map((String body) -> Request.json("POST", "/v1/datasets/" + dataset + "/records", body)));
    assertThePipelineProcessedEverything();
  }

  @Test
  void shouldKeepTheContractForMalformedNdjsonRecords() {
    Gen<String> line = HostileJson.bodies(RECORD).map((String body) -> body.replace("\n", " "));
    Gen<String> body = in -> {
      int lines = Generate.range(0, 30).generate(in);
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < lines; i++) {
        text.append(Generate.frequency(Pair.of(8, line), Pair.of(1, Generate.pick(List.of("", " ", "\r", "{}")))).generate(in))
            .append(Generate.pick(List.of("\n", "\r\n", "\n\n")).generate(in));
      }
      return text.toString();
    };
    edge.forAll("ingest POST records NDJSON", body.map((String text) ->
        Request.of("POST", "/v1/datasets/" + dataset + "/records", "application/x-ndjson", text)));
    assertThePipelineProcessedEverything();
  }

  @Test
  void shouldKeepTheContractForMalformedCsvRecords() {
    edge.forAll("ingest POST records CSV", HostileCsv.bodies().map((String text) ->
        Request.of("POST", "/v1/datasets/" + dataset + "/records", "text/csv", text)));
    edge.forAll("ingest POST records invalid UTF-8", HostileJson.invalidUtf8().map((byte[] bytes) ->
        new Request("POST", "/v1/datasets/" + dataset + "/records", "text/csv", bytes)));
    assertThePipelineProcessedEverything();
  }

  /**
   * Whatever was accepted went through the pipeline without failing a stream thread: a last good record is
   * sealed in a batch (a dataset's records are processed in order, so all before it were processed), and no
   * thread failed.
   */
  private void assertThePipelineProcessedEverything() {
    String id = "sentinel-" + UUID.randomUUID();
    assertThat(edge.check(Request.of("POST", "/v1/datasets/" + dataset + "/records", "application/x-ndjson",
        "{\"id\": \"" + id + "\", \"radius\": 1, \"diagnosis\": \"benign\"}")).status()).isEqualTo(202);
    // Acknowledged before the answer: the sentinel is the dataset's last record on the topic.
    var stored = TestRecords.readToEnd(Topics.DATA_RECORD.name(), TestRecords.keyed(dataset));
    long sentinel = stored.get(stored.size() - 1).offset();
    EventDeserializer<DatasetBatchCommitted> events = new EventDeserializer<>(DatasetBatchCommitted.class);
    await().atMost(Duration.ofSeconds(90)).until(() -> TestRecords.readToEnd(Topics.DATASET_BATCH_COMMITTED.name(), TestRecords.keyed(dataset))
        .stream().map(r -> events.deserialize("t", r.value()).getBatchId().toString())
        // <dataset>-v<spec>-p<partition>-<first>-<last>
        .anyMatch(batchId -> Long.parseLong(batchId.substring(batchId.lastIndexOf('-') + 1)) >= sentinel));
    JsonNode health = JsonMapper.builder().build().readTree(edge.send(new Request("GET", "/actuator/health", null, new byte[0])).body());
    assertThat(health.path("components").path("kafkaStreams").path("details").path("failedThreads").asInt(-1))
        .as("no stream thread failed: %s", health).isZero();
  }

  /** Hostile CSV: headers and rows of hostile values, broken quoting, missing and extra columns. */
  static final class HostileCsv {

    static Gen<String> bodies() {
      Gen<String> header = Generate.pick(List.of("id,radius,diagnosis", "id,radius,site,smoker,diagnosis", "id,id", "", "\"id",
          "id,,diagnosis", "radius,diagnosis", "id,radius,diagnosis,colour", "\ufeffid,radius,diagnosis", "id;radius;diagnosis"))
          .mix(HostileJson.strings(), 10);
      Gen<String> value = Generate.frequency(
          Pair.of(5, Generate.pick(List.of("r1", "r2", "1", "12.5", "-1", "99", "NaN", "Infinity", "a", "b", "z", "true", "benign",
              "malignant", "", " "))),
          Pair.of(3, HostileJson.strings()),
          Pair.of(2, Generate.pick(List.of("\"", "\"open", "a\"b", "\"\"", "\"a\"\"b\"", "\"a\"x", ",", "\r", "\n", "\"\n\""))));
      return in -> {
        StringBuilder text = new StringBuilder(header.generate(in)).append('\n');
        int rows = Generate.range(0, 20).generate(in);
        for (int i = 0; i < rows; i++) {
          int columns = Generate.range(0, 7).generate(in);
          List<String> values = new ArrayList<>();
          for (int c = 0; c < columns; c++) {
            values.add(value.generate(in));
          }
          text.append(String.join(",", values)).append(Generate.pick(List.of("\n", "\r\n", "\n\n")).generate(in));
        }
        return text.toString();
      };
    }
  }

}
