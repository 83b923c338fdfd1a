package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.service.web.ApiErrors;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RunRecordsTest {

  private final RunRecords records = new RunRecords();

  @Test
  void shouldListAtMostTenTriggersAndCutLongReasonsSoThatAListStaysSmall() {
    List<String> triggers = IntStream.range(0, 150).mapToObj(i -> "request-" + i).toList();
    records.started("run-1", "m", triggers, Instant.parse("2026-01-01T00:00:00Z"));
    records.failed("run-1", Instant.parse("2026-01-01T00:01:00Z"), "train", "x".repeat(5_000));

    RunRecords.Run run = records.find("run-1").orElseThrow();

    assertThat(run.triggers()).containsExactlyElementsOf(triggers.subList(0, 10));
    assertThat(run.moreTriggers()).isEqualTo(140);
    assertThat(run.reason()).hasSizeLessThanOrEqualTo(ApiErrors.MAX_MESSAGE_CHARS).endsWith(" more characters)");
    assertThat(run.status()).isEqualTo(RunRecords.Status.FAILED);
    assertThat(run.durationMillis()).isEqualTo(60_000);
  }

  @Test
  void shouldKeepAFinishedRunAsItEndedWhenAnAbandonedFitStillReportsPhases() {
    records.started("run-2", "m", List.of("new-data"), Instant.parse("2026-01-01T00:00:00Z"));
    records.phaseStarted("run-2", "train");
    records.failed("run-2", Instant.parse("2026-01-01T00:00:05Z"), "train", "cancelled");

    records.phaseFinished("run-2", "train", 9_000);
    records.phaseStarted("run-2", "evaluate");

    RunRecords.Run run = records.find("run-2").orElseThrow();
    assertThat(run.phase()).isEqualTo("train");
    assertThat(run.phases()).containsExactly(new RunRecords.Phase("train", null));
    assertThat(run.finishedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:05Z"));
  }

  @Test
  void shouldListTheNewestRunsFirstUpToTheLimit() {
    for (int i = 0; i < 5; i++) {
      records.started("run-" + i, i % 2 == 0 ? "even" : "odd", List.of("new-data"), Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i));
    }

    assertThat(records.list(null, 3)).extracting(RunRecords.Run::runId).containsExactly("run-4", "run-3", "run-2");
    assertThat(records.list("even", 10)).extracting(RunRecords.Run::runId).containsExactly("run-4", "run-2", "run-0");
  }
}
