package io.kloop.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.ingest.intake.IncomingRecords.Incoming;
import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.ingest.spec.Specs;
import io.kloop.ingest.validation.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The records answer: exact about which records to send again, and of a size that does not grow with the request. */
class RecordsAnswerTest {

  private final DatasetSpec spec = Specs.tumours("tumours");
  private final JsonMapper json = JsonMapper.builder().build();

  private static Incoming good(int index) {
    return new Incoming(index, Map.of("id", "r" + index, "radius", 1, "diagnosis", "benign"), null);
  }

  private static Incoming bad(int index) {
    return new Incoming(index, Map.of("id", "r" + index, "radius", 99, "diagnosis", "benign"), null);
  }

  @Test
  void shouldListEveryRefusedRecordAndTheAcceptedIdsOfASmallRequest() {
    CheckedRecords checked = CheckedRecords.check(spec, List.of(good(0), bad(1), good(2), new Incoming(3, Map.of(), "line is not JSON")));

    RecordsAnswer.Outcome outcome = RecordsAnswer.of("tumours", 1, checked, checked.storeUntil(), null);

    assertThat(checked.storeUntil()).isEqualTo(4);
    assertThat(outcome.accepted()).containsExactly("r0", "r2");
    assertThat(outcome.acceptedCount()).isEqualTo(2);
    assertThat(outcome.refused()).extracting(RecordsAnswer.Refused::index).containsExactly(1, 3);
    assertThat(outcome.refused().get(0).violations()).containsExactly(
        new Violation("radius", Violation.OUT_OF_RANGE, "99.0 is above the maximum 50.0"));
    assertThat(outcome.unprocessedFrom()).isNull();
    assertThat(outcome.moreRefused()).isNull();
  }

  @Test
  void shouldStoreOnlyUpToTheRefusedRecordAfterTheHundredthAndCountTheRestPerKind() {
    List<Incoming> incoming = new ArrayList<>();
    // 150 bad records, each after a good one, and then 10 records without an id.
    IntStream.range(0, 300).forEach(i -> incoming.add(i % 2 == 0 ? good(i) : bad(i)));
    IntStream.range(300, 310).forEach(i -> incoming.add(new Incoming(i, Map.of("radius", 1, "diagnosis", "benign"), null)));

    CheckedRecords checked = CheckedRecords.check(spec, incoming);
    RecordsAnswer.Outcome outcome = RecordsAnswer.of("tumours", 1, checked, checked.storeUntil(), "why");

    // The 101st bad record is record 201.
    assertThat(checked.storeUntil()).isEqualTo(201);
    assertThat(outcome.refusedCount()).isEqualTo(100);
    assertThat(outcome.refused()).extracting(RecordsAnswer.Refused::index).containsExactlyElementsOf(
        IntStream.range(0, 100).map(i -> 2 * i + 1).boxed().toList());
    assertThat(outcome.acceptedCount()).as("the good records before 201").isEqualTo(101);
    assertThat(outcome.accepted()).hasSize(100).startsWith("r0", "r2");
    assertThat(outcome.unprocessedFrom()).isEqualTo(201);
    assertThat(outcome.unprocessed()).isEqualTo(310 - 201);
    assertThat(outcome.moreRefused()).isEqualTo(Map.of("out-of-range", 50, "missing-id", 10));
    assertThat(outcome.received()).isEqualTo(310);
  }

  @Test
  void shouldKeepTheAnswerSmallWhateverTheRecordsHold() throws Exception {
    Map<String, Object> hostile = new HashMap<>();
    hostile.put("id", "\u0000".repeat(100_000));
    for (int i = 0; i < 200; i++) {
      hostile.put("unknown-" + "u".repeat(1_000) + i, "x");
    }
    hostile.put("site", "s".repeat(100_000));
    hostile.put("diagnosis", "d".repeat(100_000));
    List<Incoming> incoming = IntStream.range(0, 1_000).mapToObj(i -> new Incoming(i, hostile, null)).toList();

    CheckedRecords checked = CheckedRecords.check(spec, incoming);
    RecordsAnswer.Outcome outcome = RecordsAnswer.of("tumours", 1, checked, checked.storeUntil(), "why");
    assertThat(outcome.refused()).hasSize(100).allSatisfy(r -> {
      assertThat(r.violations()).hasSize(RecordsAnswer.MAX_VIOLATIONS);
      assertThat(r.moreViolations()).isEqualTo(200 + 4 - RecordsAnswer.MAX_VIOLATIONS);
    });
    assertThat(json.writeValueAsBytes(outcome).length).as("bytes").isLessThan(64 * 1024);
  }

  @Test
  void shouldRefuseIdsThatAreNotTextOrNumbersAndDuplicatesWithinTheRequest() {
    CheckedRecords checked = CheckedRecords.check(spec, List.of(
        new Incoming(0, Map.of("id", Map.of("a", 1), "radius", 1, "diagnosis", "benign"), null),
        new Incoming(1, Map.of("id", 7L, "radius", 1, "diagnosis", "benign"), null),
        new Incoming(2, Map.of("id", " 7 ", "radius", 2, "diagnosis", "benign"), null)));

    assertThat(checked.records()).extracting(CheckedRecords.Checked::isValid).containsExactly(false, true, false);
    assertThat(checked.records().get(0).violations()).extracting(Violation::reason)
        .containsExactly("record id must be text or a number, got an object");
    assertThat(checked.records().get(2).violations()).extracting(Violation::reason)
        .containsExactly("duplicate record id 7 (also record 1 of this request)");
  }
}
