package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.within;

import io.kloop.events.ArtifactRef;
import io.kloop.events.BatchRef;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ModelTrained;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.model.ClassificationMetrics;
import io.kloop.service.web.ApiErrors;
import java.util.Map;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RunRecordsTest {

  private final RequestCauses causes = new RequestCauses();
  private final RunRecords records = new RunRecords(causes);

  @Test
  void shouldListAtMostTenTriggersAndCutLongReasonsSoThatAListStaysSmall() {
    List<String> triggers = IntStream.range(0, 150).mapToObj(i -> "request-" + i).toList();
    records.started("run-1", "m", triggers, Instant.parse("2026-01-01T00:00:00Z"));
    records.failed("run-1", Instant.parse("2026-01-01T00:01:00Z"), "train", "x".repeat(5_000), List.of());

    RunRecords.Run run = records.find("run-1").orElseThrow();

    assertThat(run.triggers()).containsExactlyElementsOf(triggers.subList(0, 10));
    assertThat(run.causes()).as("one per listed trigger; none of these requests was received here").hasSize(10).containsOnlyNulls();
    assertThat(run.moreTriggers()).isEqualTo(140);
    assertThat(run.reason()).hasSizeLessThanOrEqualTo(ApiErrors.MAX_MESSAGE_CHARS).endsWith(" more characters)");
    assertThat(run.status()).isEqualTo(RunRecords.Status.FAILED);
    assertThat(run.durationMillis()).isEqualTo(60_000);
  }

  @Test
  void shouldKeepAFinishedRunAsItEndedWhenAnAbandonedFitStillReportsPhases() {
    records.started("run-2", "m", List.of("new-data"), Instant.parse("2026-01-01T00:00:00Z"));
    records.phaseStarted("run-2", "train");
    records.failed("run-2", Instant.parse("2026-01-01T00:00:05Z"), "train", "cancelled", List.of());

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

  @Test
  void shouldSayWhatStartedARunAndHowManyOfItsRowsCameFromFeedback() {
    RetrainingRequested manual = RetrainingRequested.newBuilder().setEventId("req-1").setEventTime(Instant.parse("2026-01-01T00:00:00Z"))
        .setProducer("training-service").setModel("m").setReason(RetrainingReason.MANUAL).setRequestedBy("alice").setComment("new labels")
        .build();
    causes.put(manual);
    List<BatchRef> lineage = List.of(batch("b-1", 300, 0), batch("b-2", 200, 150));
    ModelTrained trained = ModelTrained.newBuilder().setEventId("e").setEventTime(Instant.parse("2026-01-01T00:01:00Z")).setProducer("training-service")
        .setModel("m").setRunId("run-9").setDataset("d").setLineage(lineage).setTrigger("req-1,new-data,req-elsewhere").setAlgorithm("liblinear")
        .setHyperparameters(Map.of()).setMetrics(ClassificationMetrics.evaluate("test", List.of("no", "yes"), new int[] {0, 1, 1, 0},
            new double[][] {{0.9, 0.1}, {0.2, 0.8}, {0.6, 0.4}, {0.7, 0.3}}))
        .setReferenceProfile(ReferenceProfile.newBuilder().setFeatures(List.of()).setSampleSeed(1)
            .setOutput(FeatureProfile.newBuilder().setName("output").setType(FeatureType.CATEGORICAL).setCount(0).build()).build())
        .setArtifact(ArtifactRef.newBuilder().setUri("file:///m.onnx").setSha256("abc").setSizeBytes(1).setMediaType("application/onnx").build())
        .setSignature(ModelSignature.newBuilder().setInputs(List.of()).setOutputClasses(List.of("no", "yes")).setInputTensor("input")
            .setProbabilityTensor("probabilities").build())
        .setCodeVersion("c").setStartedAt(Instant.parse("2026-01-01T00:00:30Z")).setDurationMillis(30_000).build();

    records.apply(trained);

    RunRecords.Run run = records.find("run-9").orElseThrow();
    assertThat(run.triggers()).containsExactly("req-1", "new-data", "req-elsewhere");
    assertThat(run.causes()).containsExactly("MANUAL requested by alice (new labels)", RequestCauses.NEW_DATA, null);
    assertThat(run.data()).isEqualTo(new RunRecords.Data(2, 500, 150));
    // 3 of 4 right; Brier by hand: (0.02 + 0.08 + 0.72 + 0.18) / 4 = 0.25.
    assertThat(run.testMetrics().accuracy()).isEqualTo(0.75);
    assertThat(run.testMetrics().brierScore()).isCloseTo(0.25, within(1e-12));
    assertThat(run.testMetrics().expectedCalibrationError()).isNotNull();
    assertThat(run.testAccuracy()).isEqualTo(0.75);
  }

  private static BatchRef batch(String id, long rows, long feedbackRows) {
    return BatchRef.newBuilder().setDataset("d").setBatchId(id).setSha256("s").setRowCount(rows).setStorageUri("file:///" + id)
        .setFeedbackRows(feedbackRows).build();
  }
}
