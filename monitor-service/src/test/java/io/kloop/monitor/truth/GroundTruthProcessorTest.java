package io.kloop.monitor.truth;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kloop.events.DataRecord;
import io.kloop.events.GroundTruthReported;
import io.kloop.events.PredictionLogged;
import io.kloop.monitor.MonitorProperties;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What the join hands the performance windows, read from the processor's forwarded records (Kafka Streams'
 * MockProcessorContext with in-memory stores): a {@link ServedPrediction} for every new prediction, before any join
 * it makes, and a {@link LabelledPrediction} for every join.
 */
class GroundTruthProcessorTest {

  private static final String MODEL = "churn";
  private static final Instant START = Instant.parse("2026-03-04T05:06:07Z");

  private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
  private final FeedbackSpecs specs = new FeedbackSpecs();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private long offset;

  private GroundTruthProcessor started(int maxInputBytes) {
    new JoinStores(context);
    specs.add(TruthEvents.spec(MODEL, "churn-data", true));
    GroundTruthProcessor processor = new GroundTruthProcessor(
        new MonitorProperties.GroundTruth(Duration.ofDays(7), Duration.ofHours(1), Duration.ofDays(1), maxInputBytes),
        (model, version) -> Optional.of(List.of("no", "yes")), specs, meters, KloopTracing.OFF);
    context.setCurrentSystemTimeMs(START.toEpochMilli());
    processor.init(context);
    return processor;
  }

  private void process(GroundTruthProcessor processor, String topic, Object event) {
    context.setRecordMetadata(topic, 0, offset++);
    byte[] bytes = event instanceof PredictionLogged p ? new EventSerializer<PredictionLogged>().serialize(topic, p)
        : new EventSerializer<GroundTruthReported>().serialize(topic, (GroundTruthReported) event);
    processor.process(new Record<>(MODEL, bytes, START.toEpochMilli()));
  }

  private List<Object> forwarded() {
    return context.forwarded().stream().<Object>map(forwarded -> forwarded.record().value()).toList();
  }

  @Test
  void shouldForwardEveryServedPredictionAndEveryJoin() {
    GroundTruthProcessor processor = started(16_384);
    Instant observed = START.plusSeconds(30);

    process(processor, Topics.PREDICTION_LOGGED.name(), TruthEvents.prediction(MODEL, 1, "p1", Map.of("x1", 2.0), "no", START));
    process(processor, Topics.GROUND_TRUTH_REPORTED.name(), TruthEvents.label(MODEL, "p1", "yes", observed));

    List<Object> out = forwarded();
    ServedPrediction served = new ServedPrediction(MODEL, 1, "p1", "no", Map.of("no", 0.8, "yes", 0.2), START.toEpochMilli());
    assertThat(out).hasSize(3);
    assertThat(out.get(0)).isEqualTo(served);
    assertThat(out.get(1)).isEqualTo(new LabelledPrediction(served, "yes", observed.toEpochMilli()));
    assertThat(out.get(2)).isInstanceOfSatisfying(DataRecord.class, record -> assertThat(record.getLabel()).isEqualTo("yes"));
    assertThat(context.forwarded().get(1).record().key()).isEqualTo(MODEL);
  }

  @Test
  void shouldForwardAPredictionWhoseLabelCameFirstBeforeItsJoin() {
    GroundTruthProcessor processor = started(16_384);

    process(processor, Topics.GROUND_TRUTH_REPORTED.name(), TruthEvents.label(MODEL, "p1", "no", START));
    process(processor, Topics.PREDICTION_LOGGED.name(), TruthEvents.prediction(MODEL, 1, "p1", Map.of("x1", 2.0), "no", START));
    process(processor, Topics.PREDICTION_LOGGED.name(), TruthEvents.prediction(MODEL, 1, "p1", Map.of("x1", 2.0), "no", START));

    assertThat(forwarded()).as("the repeated prediction is not forwarded again").extracting(Object::getClass)
        .containsExactly(ServedPrediction.class, LabelledPrediction.class, DataRecord.class);
    assertThat(meters.counter("kloop.monitor.ground-truth.predictions", "outcome", "repeated").count()).isEqualTo(1);
  }

  @Test
  void shouldJoinAPredictionWithInputsTooLargeToKeepWithoutAFeedbackRecord() {
    // The inputs of x1 alone take 1 (count) + 3 (name) + 1 (type) + 8 (value) = 13 bytes.
    GroundTruthProcessor processor = started(12);

    process(processor, Topics.PREDICTION_LOGGED.name(), TruthEvents.prediction(MODEL, 1, "p1", Map.of("x1", 2.0), "no", START));
    process(processor, Topics.GROUND_TRUTH_REPORTED.name(), TruthEvents.label(MODEL, "p1", "no", START));

    assertThat(forwarded()).extracting(Object::getClass).containsExactly(ServedPrediction.class, LabelledPrediction.class);
    assertThat(meters.counter("kloop.monitor.ground-truth.inputs.dropped").count()).isEqualTo(1);
    assertThat(meters.counter("kloop.monitor.ground-truth.feedback", "outcome", "inputs-not-kept").count()).isEqualTo(1);
  }

  @Test
  void shouldKeepInputsOfExactlyTheLimit() {
    GroundTruthProcessor processor = started(13);

    process(processor, Topics.PREDICTION_LOGGED.name(), TruthEvents.prediction(MODEL, 1, "p1", Map.of("x1", 2.0), "no", START));
    process(processor, Topics.GROUND_TRUTH_REPORTED.name(), TruthEvents.label(MODEL, "p1", "no", START));

    assertThat(forwarded()).extracting(Object::getClass).containsExactly(ServedPrediction.class, LabelledPrediction.class, DataRecord.class);
  }

  @Test
  void shouldWarnOncePerModelWhoseJoinsMakeNoFeedbackForWantOfItsSpec() {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(GroundTruthProcessor.class);
    logged.start();
    logger.addAppender(logged);
    try {
      GroundTruthProcessor processor = started(16_384);
      for (String id : List.of("p1", "p2")) {
        context.setRecordMetadata(Topics.PREDICTION_LOGGED.name(), 0, offset++);
        processor.process(new Record<>("unspecified", new EventSerializer<PredictionLogged>().serialize("any",
            TruthEvents.prediction("unspecified", 1, id, Map.of("x1", 2.0), "no", START)), START.toEpochMilli()));
        context.setRecordMetadata(Topics.GROUND_TRUTH_REPORTED.name(), 0, offset++);
        processor.process(new Record<>("unspecified", new EventSerializer<GroundTruthReported>().serialize("any",
            TruthEvents.label("unspecified", id, "no", START)), START.toEpochMilli()));
      }
    } finally {
      logger.detachAppender(logged);
    }

    assertThat(meters.counter("kloop.monitor.ground-truth.feedback", "outcome", "no-spec").count()).isEqualTo(2);
    assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.WARN).singleElement()
        .satisfies(event -> assertThat(event.getFormattedMessage()).startsWith("Model unspecified has no spec the monitor has read"));
  }
}
