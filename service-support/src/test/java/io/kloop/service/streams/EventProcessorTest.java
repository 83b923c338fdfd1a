package io.kloop.service.streams;

import static io.kloop.service.kafka.StreamsBranches.to;
import static io.kloop.service.kafka.StreamsBranches.toDeadLetters;
import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.RetrainingReason;
import io.kloop.events.RetrainingRequested;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.KafkaPlatformAutoConfiguration;
import io.kloop.service.tracing.KloopTracing;
import io.kloop.test.TopologyDrivers;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The skeleton's opening, one rule per test, through a tiny processor on a {@link TopologyTestDriver}. */
class EventProcessorTest {

  private static final String INPUT = "test.requests";
  private static final String SERVICE = "test-service";
  private static final Instant START = Instant.parse("2026-03-04T05:06:07Z");

  /** Answers each request for a model with a request of its own, on behalf of the service; refuses the model "forbidden". */
  private static final class Echo extends EventProcessor<RetrainingRequested> {
    private final EventDeserializer<RetrainingRequested> decoder = new EventDeserializer<>(RetrainingRequested.class);
    final List<String> deadLettered = new ArrayList<>();

    Echo(KloopTracing tracing, ConsumerSpan span) {
      super(new Shape(SERVICE, new Keying("model", "model name", "a model's requests are handled in order"), span, null, tracing));
    }

    @Override
    protected RetrainingRequested read(String topic, byte[] value) throws EventDecodingException {
      return decoder.deserialize(topic, value);
    }

    @Override
    protected Optional<String> problem(RetrainingRequested event) {
      return event.getModel().equals("forbidden") ? Optional.of("model forbidden is forbidden") : Optional.empty();
    }

    @Override
    protected String key(RetrainingRequested event) {
      return event.getModel();
    }

    @Override
    protected void handle(RetrainingRequested event, Record<String, byte[]> raw) {
      if (event.getRequestedBy().equals("handler-refuses")) {
        deadLetter(raw, "refused", "the handler refuses it");
        return;
      }
      emit(event.getModel(), metadata("answer-" + event.getEventId()), RetrainingRequested.newBuilder(event).setRequestedBy(SERVICE));
    }

    @Override
    protected void deadLettered(String kind, String reason) {
      super.deadLettered(kind, reason);
      deadLettered.add(kind);
    }
  }

  @TempDir(factory = TopologyDrivers.RamDisk.class) Path state;
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> in;
  private TestOutputTopic<String, RetrainingRequested> out;
  private TestOutputTopic<String, byte[]> deadLetters;
  private Echo processor;

  private void start(KloopTracing tracing, EventProcessor.ConsumerSpan span) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(INPUT, Consumed.with(org.apache.kafka.common.serialization.Serdes.String(), org.apache.kafka.common.serialization.Serdes.ByteArray()))
        .process(() -> processor = new Echo(tracing, span), Named.as("echo"))
        .split(Named.as("test-"))
        .branch((key, value) -> value instanceof RetrainingRequested, to(Topics.RETRAINING_REQUESTED))
        .defaultBranch(toDeadLetters(SERVICE));
    driver = new TopologyTestDriver(builder.build(), TopologyDrivers.config("event-processor-test", state), START);
    in = driver.createInputTopic(INPUT, new StringSerializer(), new ByteArraySerializer());
    out = driver.createOutputTopic(Topics.RETRAINING_REQUESTED.name(), new StringDeserializer(), new EventDeserializer<>(RetrainingRequested.class));
    deadLetters = driver.createOutputTopic(Topics.deadLetter(SERVICE).name(), new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  private static RetrainingRequested request(String id, String model, String requestedBy) {
    return RetrainingRequested.newBuilder().setEventId(id).setEventTime(Instant.EPOCH).setProducer("someone").setModel(model)
        .setReason(RetrainingReason.MANUAL).setRequestedBy(requestedBy).build();
  }

  private static byte[] bytes(RetrainingRequested event) {
    return new EventSerializer<RetrainingRequested>().serialize(INPUT, event);
  }

  private static String header(Headers headers, String key) {
    return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  @Test
  void handsADecodedEventOnAndStampsWhatItEmitsWithTheServiceAndTheProcessorsClock() {
    start(KloopTracing.OFF, EventProcessor.ConsumerSpan.NONE);
    driver.advanceWallClockTime(Duration.ofMinutes(5));
    in.pipeInput("churn", bytes(request("r1", "churn", "operator")));

    TestRecord<String, RetrainingRequested> answer = out.readRecord();
    assertThat(answer.key()).isEqualTo("churn");
    assertThat(answer.value().getEventId()).isEqualTo("answer-r1");
    assertThat(answer.value().getProducer()).isEqualTo(SERVICE);
    assertThat(answer.value().getRequestedBy()).isEqualTo(SERVICE);
    assertThat(answer.value().getEventTime()).isEqualTo(START.plus(Duration.ofMinutes(5)));
    assertThat(answer.timestamp()).isEqualTo(START.plus(Duration.ofMinutes(5)).toEpochMilli());
    assertThat(answer.headers().lastHeader("traceparent")).as("tracing is off").isNull();
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void deadLettersWhatCannotBeHandledWithTheReasonAndWhereItCameFrom() {
    start(KloopTracing.OFF, EventProcessor.ConsumerSpan.NONE);
    in.pipeInput("churn", "garbage".getBytes(StandardCharsets.UTF_8));
    in.pipeInput("churn", (byte[]) null);
    in.pipeInput("forbidden", bytes(request("r2", "forbidden", "operator")));
    in.pipeInput("other\nkey", bytes(request("r3", "churn", "operator")));
    in.pipeInput("churn", bytes(request("r4", "churn", "handler-refuses")));

    List<TestRecord<String, byte[]>> letters = deadLetters.readRecordsToList();
    assertThat(letters).extracting(TestRecord::key).containsExactly("churn", "churn", "forbidden", "other\nkey", "churn");
    assertThat(letters).extracting(r -> header(r.headers(), KafkaPlatformAutoConfiguration.REASON_HEADER)).satisfiesExactly(
        reason -> assertThat(reason).contains("not an Avro single-object encoded event"),
        reason -> assertThat(reason).isEqualTo("empty record (a tombstone has no meaning on " + INPUT + ")"),
        reason -> assertThat(reason).isEqualTo("model forbidden is forbidden"),
        reason -> assertThat(reason).isEqualTo("record key 'other?key' must be the model name 'churn', so that a model's requests are handled in order"),
        reason -> assertThat(reason).isEqualTo("the handler refuses it"));
    assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).as("the original bytes").isEqualTo("garbage");
    assertThat(letters.get(1).value()).as("a tombstone's dead letter has an empty value").isEmpty();
    assertThat(header(letters.get(3).headers(), "kafka_dlt-original-topic")).isEqualTo(INPUT);
    assertThat(processor.deadLettered).containsExactly("undecodable", "tombstone", "invalid", "wrong-key", "refused");
    assertThat(out.isEmpty()).isTrue();
  }

  @Test
  void boundsTheReasonOfADeadLetter() {
    start(KloopTracing.OFF, EventProcessor.ConsumerSpan.NONE);
    String longKey = "k".repeat(5_000);
    in.pipeInput(longKey, bytes(request("r5", "churn", "operator")));

    String reason = header(deadLetters.readRecord().headers(), KafkaPlatformAutoConfiguration.REASON_HEADER);
    assertThat(reason).hasSizeLessThan(EventProcessor.MAX_REASON_CHARS).contains("k".repeat(EventProcessor.MAX_KEY_ECHO) + "…'");
  }

  private KloopTracing tracing() {
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    return KloopTracing.of(sdk);
  }

  private Headers tracedBy(KloopTracing tracing, Span[] sent) {
    sent[0] = tracing.linkedTo("send", SpanKind.PRODUCER, List.of());
    RecordHeaders headers = new RecordHeaders();
    tracing.inject(sent[0], headers);
    sent[0].end();
    return headers;
  }

  @Test
  void continuesTheRecordsTraceAndCarriesItOn() {
    KloopTracing tracing = tracing();
    start(tracing, EventProcessor.ConsumerSpan.CONTINUE);
    Span[] sent = new Span[1];
    in.pipeInput(new TestRecord<>("churn", bytes(request("r6", "churn", "operator")), tracedBy(tracing, sent)));
    in.pipeInput("churn", bytes(request("r7", "churn", "operator")));

    SpanData consumed = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process " + INPUT)).findFirst().orElseThrow();
    assertThat(consumed.getParentSpanId()).isEqualTo(sent[0].getSpanContext().getSpanId());
    assertThat(consumed.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.CONSUMER);
    assertThat(consumed.getAttributes().get(AttributeKey.stringKey("kloop.model"))).isEqualTo("churn");
    assertThat(spans.getFinishedSpanItems()).as("an untraced record gets no span").hasSize(2);
    List<TestRecord<String, RetrainingRequested>> answers = out.readRecordsToList();
    assertThat(header(answers.get(0).headers(), "traceparent")).contains(consumed.getTraceId()).contains(consumed.getSpanId());
    assertThat(answers.get(1).headers().lastHeader("traceparent")).isNull();
  }

  @Test
  void leavesOutTheSpanOfATraceThatIsNotSampled() {
    KloopTracing tracing = tracing();
    start(tracing, EventProcessor.ConsumerSpan.CONTINUE);
    RecordHeaders unsampled = new RecordHeaders();
    unsampled.add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00".getBytes(StandardCharsets.UTF_8));
    in.pipeInput(new TestRecord<>("churn", bytes(request("r9", "churn", "operator")), unsampled));

    assertThat(spans.getFinishedSpanItems()).isEmpty();
    assertThat(out.readRecord().headers().lastHeader("traceparent")).as("no span of the record's trace is current").isNull();
  }

  @Test
  void startsATraceOfItsOwnLinkedToTheRecords() {
    KloopTracing tracing = tracing();
    start(tracing, EventProcessor.ConsumerSpan.LINK);
    Span[] sent = new Span[1];
    in.pipeInput(new TestRecord<>("churn", bytes(request("r8", "churn", "operator")), tracedBy(tracing, sent)));

    SpanData consumed = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process " + INPUT)).findFirst().orElseThrow();
    assertThat(consumed.getTraceId()).isNotEqualTo(sent[0].getSpanContext().getTraceId());
    assertThat(consumed.getLinks()).extracting(link -> link.getSpanContext().getSpanId()).containsExactly(sent[0].getSpanContext().getSpanId());
    assertThat(header(out.readRecord().headers(), "traceparent")).contains(consumed.getTraceId());
  }
}
