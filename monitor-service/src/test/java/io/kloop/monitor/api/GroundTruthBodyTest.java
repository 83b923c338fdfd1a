package io.kloop.monitor.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.service.web.StrictJson;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The labels of a ground-truth POST as the controller reads them: observed times from 1970 to a day ahead of the
 * monitor's clock, and no prediction id twice.
 */
class GroundTruthBodyTest {

  private static final JsonMapper MAPPER = StrictJson.mapper();
  private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

  private static GroundTruthBody.Read json(String body) {
    return GroundTruthBody.json(MAPPER, body, NOW);
  }

  private static String item(String id, String observedTime) {
    return "{\"predictionId\": \"" + id + "\", \"label\": \"no\"" + (observedTime == null ? "" : ", \"observedTime\": \"" + observedTime + "\"") + "}";
  }

  @Test
  void shouldRefuseAnObservedTimeEpochMillisCannotHoldOrTooFarAheadNamingTheItem() {
    GroundTruthBody.Read read = json("[" + item("p-0", "+300000000-01-01T00:00:00Z") + ", " + item("p-1", "2026-03-05T05:06:07.001Z") + ", "
        + item("p-2", "1969-12-31T23:59:59.999Z") + "]");

    assertThat(read.labels()).isEmpty();
    assertThat(read.problems()).containsExactly(
        "item 0: observedTime +300000000-01-01T00:00:00Z is more than 1 day after the monitor's clock (2026-03-04T05:06:07Z)",
        "item 1: observedTime 2026-03-05T05:06:07.001Z is more than 1 day after the monitor's clock (2026-03-04T05:06:07Z)",
        "item 2: observedTime 1969-12-31T23:59:59.999Z is before 1970-01-01T00:00:00Z");
  }

  @Test
  void shouldTakeObservedTimesAtEitherBound() {
    GroundTruthBody.Read read = json("[" + item("p-0", "2026-03-05T07:06:07+02:00") + ", " + item("p-1", "1970-01-01T00:00:00Z") + "]");

    assertThat(read.problems()).isEmpty();
    assertThat(read.labels()).extracting(label -> label.observedTime())
        .containsExactly(Instant.parse("2026-03-05T05:06:07Z"), Instant.EPOCH);
  }

  @Test
  void shouldRefuseAPredictionIdGivenTwiceNamingBothItems() {
    GroundTruthBody.Read json = json("[" + item("p-0", null) + ", " + item("p-1", null) + ", " + item("p-0", null) + "]");
    assertThat(json.labels()).isEmpty();
    assertThat(json.problems()).containsExactly(
        "item 2: predictionId 'p-0' is given twice (also item 0); a prediction has one label, so the ids of a request must differ");

    GroundTruthBody.Read ndjson = GroundTruthBody.ndjson(MAPPER, item("p-0", null) + "\n\n" + item("p-0", null) + "\n", NOW);
    assertThat(ndjson.problems()).containsExactly(
        "line 3: predictionId 'p-0' is given twice (also line 1); a prediction has one label, so the ids of a request must differ");
  }
}
