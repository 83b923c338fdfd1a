package io.kloop.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.ingest.intake.IncomingRecords.Incoming;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class IncomingRecordsTest {

  private final JsonMapper mapper = JsonMapper.builder().build();

  @Test
  void shouldReadNdjsonLinesAsTheJsonReaderReadsEachObject() {
    List<String> lines = List.of(
        "{\"id\": \"a\", \"x\": 1, \"y\": -2.5e3, \"z\": null, \"b\": true, \"c\": false, \"s\": \"t\\u00e9xt\"}",
        "{\"id\": \"big\", \"x\": 123456789012345678901234567890, \"y\": 9223372036854775807}",
        "{\"id\": \"nested\", \"x\": {\"a\": 1}, \"y\": [1, 2]}",
        "{\"id\": \"dup\", \"x\": 1, \"x\": 2}",
        "{}",
        "[1, 2]",
        "42",
        "{\"id\": \"two\"} {\"id\": \"values\"}",
        "{\"id\": \"broken\", ",
        "  {\"id\": \"spaces\", \"x\": 0.1}  ");
    String body = String.join("\n", lines.subList(0, 5)) + "\r\n\r\n   \n" + String.join("\r\n", lines.subList(5, lines.size())) + "\n";

    List<Incoming> read = IncomingRecords.ndjson(mapper, body);

    List<Incoming> expected = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      // The tree reader, as every line was read before.
      Incoming reference = null;
      if (lines.get(i).trim().startsWith("{")) {
        try {
          reference = new Incoming(i, IncomingRecords.json(mapper, lines.get(i)).get(0).fields(), null);
        } catch (UnreadableBodyException e) {
          // not JSON
        }
      }
      expected.add(reference);
    }
    assertThat(read).hasSize(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      assertThat(read.get(i).index()).isEqualTo(i);
      if (expected.get(i) != null) {
        assertThat(read.get(i)).as(lines.get(i)).isEqualTo(expected.get(i));
        assertThat(List.copyOf(read.get(i).fields().keySet())).isEqualTo(List.copyOf(expected.get(i).fields().keySet()));
      }
    }
    assertThat(read.get(0).fields()).containsEntry("x", 1L).containsEntry("y", -2500.0).containsEntry("z", null)
        .containsEntry("b", true).containsEntry("s", "téxt");
    assertThat(read.get(1).fields()).containsEntry("x", 1.2345678901234568e29).containsEntry("y", Long.MAX_VALUE);
    assertThat(read.get(3).fields()).isEqualTo(Map.of("id", "dup", "x", 2L));
    assertThat(read.get(5).unreadable()).isEqualTo("line is not a JSON object");
    assertThat(read.get(6).unreadable()).isEqualTo("line is not a JSON object");
    assertThat(read.get(7).unreadable()).startsWith("line is not JSON");
    assertThat(read.get(8).unreadable()).startsWith("line is not JSON");
    assertThat(read.get(9).fields()).isEqualTo(Map.of("id", "spaces", "x", 0.1));
  }

  @Test
  void shouldKeepTheRowsBeforeBrokenCsvQuotingAndMakeTheRestOneUnreadableRecord() {
    List<Incoming> read = IncomingRecords.csv("id,x\na,1\nb,\"2\nc,3\n");

    assertThat(read).hasSize(2);
    assertThat(read.get(0).fields()).isEqualTo(Map.of("id", "a", "x", "1"));
    assertThat(read.get(1).index()).isEqualTo(1);
    assertThat(read.get(1).unreadable()).startsWith("the CSV cannot be read from here on: ");
  }

  @Test
  void shouldReadTextWithCommasQuotesAndLineBreaksFromQuotedCsvFields() {
    String body = "id,review,stars\n"
        + "a,\"Good, not great: \"\"meh\"\" says it all\",3\n"
        + "b,\"two\r\nlines\",4\n"
        + "c,plain words,5\n";

    List<Incoming> read = IncomingRecords.csv(body);

    assertThat(read).extracting(Incoming::unreadable).containsOnlyNulls();
    assertThat(read).extracting(incoming -> incoming.fields().get("review"))
        .containsExactly("Good, not great: \"meh\" says it all", "two\r\nlines", "plain words");
  }

  @Test
  void shouldRefuseACsvBodyWhoseHeaderCannotBeRead() {
    assertThatThrownBy(() -> IncomingRecords.csv("")).isInstanceOf(UnreadableBodyException.class);
    assertThatThrownBy(() -> IncomingRecords.csv("id,id\n1,2\n")).isInstanceOf(UnreadableBodyException.class).hasMessageContaining("id");
    assertThatThrownBy(() -> IncomingRecords.csv("id,,x\n1,2,3\n")).isInstanceOf(UnreadableBodyException.class);
  }
}
