package io.kloop.training.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.TrainingFailed;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrainingStateTest {

  private final TrainingState state = new TrainingState();

  @Test
  void shouldTakeARequestOnceAndNotAgainWhenItIsDeliveredTwice() {
    assertThat(state.takeRequest("m", "r-1")).isTrue();
    assertThat(state.takeRequest("m", "r-1")).as("a redelivery").isFalse();
    assertThat(state.takeRequest("other", "r-1")).as("another model's").isTrue();
  }

  @Test
  void shouldKnowTheRequestsThatAnyInstancesRunsAnnounced() {
    state.apply(failed("m", "r-1,r-2"));
    state.apply(failed("n", "new-data"));

    assertThat(state.takeRequest("m", "r-1")).isFalse();
    assertThat(state.takeRequest("m", "r-2")).isFalse();
    assertThat(state.takeRequest("m", "r-3")).isTrue();
    assertThat(state.takeRequest("n", "new-data")).as("new data is no request").isTrue();
  }

  @Test
  void shouldForgetTheOldestRequestsBeyondAThousandPerModel() {
    IntStream.range(0, 1_001).forEach(i -> assertThat(state.takeRequest("m", "r-" + i)).isTrue());

    assertThat(state.takeRequest("m", "r-1000")).isFalse();
    assertThat(state.takeRequest("m", "r-0")).as("forgotten").isTrue();
  }

  private static TrainingFailed failed(String model, String trigger) {
    return TrainingFailed.newBuilder().setEventId("e-" + trigger).setEventTime(Instant.parse("2026-01-01T00:00:00Z")).setProducer("training-service")
        .setModel(model).setRunId(model + "-run").setTrigger(trigger).setPhase("schedule").setReason("no spec").setLineage(List.of())
        .setCodeVersion("c").setStartedAt(Instant.parse("2026-01-01T00:00:00Z")).setDurationMillis(0).build();
  }
}
