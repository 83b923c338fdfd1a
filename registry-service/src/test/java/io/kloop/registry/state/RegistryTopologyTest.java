package io.kloop.registry.state;

import static io.kloop.registry.TrainedModels.metrics;
import static io.kloop.registry.TrainedModels.trained;
import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.EvaluationMetrics;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelDecisionAction;
import io.kloop.events.ModelDecisionRequested;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelRolledBack;
import io.kloop.events.ModelTrained;
import io.kloop.registry.RegistryLimits;
import io.kloop.registry.RegistryProperties;
import io.kloop.registry.RegistryServiceApplication;
import io.kloop.registry.policy.PromotionPolicies;
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
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
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
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's topology on a {@link TopologyTestDriver}: trained models and operator requests in;
 * approvals, rejections and rollbacks out; what it cannot use dead-lettered with the reason. No broker: the
 * broker-backed tests ({@code RegistryServiceIT}) cover the same through Kafka and the HTTP API.
 */
class RegistryTopologyTest {

  private static final Instant START = Instant.parse("2026-05-06T07:08:09Z");
  private static final String MODEL = "tumours";
  /** A model the policy holds every version of, for an operator. */
  private static final String MANUAL = "careful";
  private static final EvaluationMetrics GOOD = metrics(0.95, 0.97);

  @TempDir(factory = TopologyDrivers.RamDisk.class)
  Path stateDir;

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> trainedIn;
  private TestInputTopic<String, byte[]> requestsIn;
  private TestOutputTopic<String, ModelApproved> approved;
  private TestOutputTopic<String, ModelRejected> rejected;
  private TestOutputTopic<String, ModelRolledBack> rolledBack;
  private TestOutputTopic<String, byte[]> deadLetters;

  private void start(KloopTracing tracing) {
    PromotionPolicies policies = new PromotionPolicies(new RegistryProperties.Promotion("auto", Map.of("accuracy", 0.8), Map.of(),
        List.of("accuracy", "rocAuc"), 0.01, Map.of(MANUAL, new RegistryProperties.ModelPromotion("manual", null, null, null, null))));
    StreamsBuilder builder = new StreamsBuilder();
    new RegistryTopology().registryDecisions(builder, policies, tracing);
    driver = new TopologyTestDriver(builder.build(), TopologyDrivers.config(RegistryServiceApplication.NAME, stateDir), START);
    trainedIn = driver.createInputTopic(Topics.MODEL_TRAINED.name(), new StringSerializer(), new ByteArraySerializer());
    requestsIn = driver.createInputTopic(Topics.MODEL_DECISION_REQUESTED.name(), new StringSerializer(), new ByteArraySerializer());
    approved = driver.createOutputTopic(Topics.MODEL_APPROVED.name(), new StringDeserializer(), new EventDeserializer<>(ModelApproved.class));
    rejected = driver.createOutputTopic(Topics.MODEL_REJECTED.name(), new StringDeserializer(), new EventDeserializer<>(ModelRejected.class));
    rolledBack = driver.createOutputTopic(Topics.MODEL_ROLLED_BACK.name(), new StringDeserializer(),
        new EventDeserializer<>(ModelRolledBack.class));
    deadLetters = driver.createOutputTopic(Topics.deadLetter(RegistryServiceApplication.NAME).name(), new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  private static byte[] bytes(SpecificRecord event) {
    return new EventSerializer<>().serialize("any", event);
  }

  private static ModelTrained run(String model, String runId, double accuracy, Integer scoredAgainst) {
    return trained(model, runId, metrics(accuracy, 0.97), scoredAgainst, scoredAgainst == null ? null : GOOD, null);
  }

  private static ModelDecisionRequested request(String model, String id, ModelDecisionAction action, Integer version, String reason) {
    return ModelDecisionRequested.newBuilder().setEventId(id).setEventTime(START).setProducer(RegistryServiceApplication.NAME)
        .setModel(model).setAction(action).setVersion(version).setActor("alice").setReason(reason).build();
  }

  private void train(ModelTrained run) {
    trainedIn.pipeInput(run.getModel(), bytes(run));
  }

  private void ask(ModelDecisionRequested request) {
    requestsIn.pipeInput(request.getModel(), bytes(request));
  }

  private List<String> audit(String model) {
    KeyValueStore<String, Decision> audit = driver.getKeyValueStore(RegistryStores.AUDIT);
    List<String> trail = new ArrayList<>();
    for (long sequence = 1; audit.get(RegistryStores.key(model, sequence)) != null; sequence++) {
      Decision decision = audit.get(RegistryStores.key(model, sequence));
      trail.add(decision.action() + " " + decision.version() + " " + decision.actor());
    }
    return trail;
  }

  private VersionEntry version(String model, int version) {
    KeyValueStore<String, VersionEntry> versions = driver.getKeyValueStore(RegistryStores.VERSIONS);
    return versions.get(RegistryStores.key(model, version));
  }

  private static String header(Headers headers, String key) {
    return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  @Test
  void approvesAndRejectsTrainedModelsByThePolicyAndAnnouncesThemByTheProcessorsClock() {
    start(KloopTracing.OFF);

    driver.advanceWallClockTime(Duration.ofMinutes(1));
    train(run(MODEL, "run-1", 0.95, null));
    driver.advanceWallClockTime(Duration.ofMinutes(1));
    train(run(MODEL, "run-2", 0.70, 1));
    train(run(MODEL, "run-1", 0.95, null)); // the same run again: a redelivery changes nothing

    TestRecord<String, ModelApproved> first = approved.readRecord();
    assertThat(first.key()).isEqualTo(MODEL);
    assertThat(first.value().getVersion()).isEqualTo(1);
    assertThat(first.value().getActor()).isEqualTo("policy:auto");
    assertThat(first.value().getReason()).contains("no champion yet");
    assertThat(first.value().getProducer()).isEqualTo(RegistryServiceApplication.NAME);
    assertThat(first.value().getEventTime()).isEqualTo(START.plus(Duration.ofMinutes(1)));
    assertThat(first.timestamp()).isEqualTo(START.plus(Duration.ofMinutes(1)).toEpochMilli());
    TestRecord<String, ModelRejected> second = rejected.readRecord();
    assertThat(second.key()).isEqualTo(MODEL);
    assertThat(second.value().getVersion()).isEqualTo(2);
    assertThat(second.value().getViolations()).contains("accuracy 0.7000 < minimum 0.8000");
    assertThat(second.value().getEventTime()).isEqualTo(START.plus(Duration.ofMinutes(2)));
    assertThat(first.value().getEventId()).isNotEqualTo(second.value().getEventId());

    assertThat(approved.isEmpty()).isTrue();
    assertThat(rejected.isEmpty()).isTrue();
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(audit(MODEL)).containsExactly("REGISTERED 1 training-service", "APPROVED 1 policy:auto",
        "REGISTERED 2 training-service", "REJECTED 2 policy:auto");
    assertThat(version(MODEL, 2).statusSince()).isEqualTo(START.plus(Duration.ofMinutes(2)));
  }

  @Test
  void appliesOperatorRequestsAndRecordsWhatItRefuses() {
    start(KloopTracing.OFF);
    train(run(MANUAL, "run-1", 0.95, null));
    train(run(MANUAL, "run-2", 0.96, null));
    assertThat(approved.isEmpty()).as("held for an operator").isTrue();

    ask(request(MANUAL, "req-1", ModelDecisionAction.APPROVE, 1, "looked at it"));
    ask(request(MANUAL, "req-2", ModelDecisionAction.APPROVE, 2, "better still"));
    ask(request(MANUAL, "req-3", ModelDecisionAction.ROLLBACK, null, "2 misbehaves"));
    ask(request(MANUAL, "req-4", ModelDecisionAction.REJECT, 2, "too late")); // 2 is rolled back, not pending: refused
    ask(request(MANUAL, "req-3", ModelDecisionAction.ROLLBACK, null, "2 misbehaves")); // a redelivery

    assertThat(approved.readValuesToList()).extracting(a -> a.getVersion() + " " + a.getPreviousVersion() + " " + a.getActor() + " " + a.getReason())
        .containsExactly("1 null alice looked at it",
            "2 1 alice better still [not compared with the champion it replaces, version 1; scored without a champion]",
            "1 2 alice rollback from version 2 to version 1: 2 misbehaves");
    assertThat(rolledBack.readRecordsToList()).singleElement().satisfies(record -> {
      assertThat(record.key()).isEqualTo(MANUAL);
      assertThat(record.value().getFromVersion()).isEqualTo(2);
      assertThat(record.value().getToVersion()).isEqualTo(1);
      assertThat(record.value().getDecisionId()).isEqualTo("req-3");
    });
    assertThat(rejected.isEmpty()).as("a refusal is recorded, not announced").isTrue();
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(audit(MANUAL)).endsWith("APPROVED 1 alice", "APPROVED 2 alice", "ROLLED_BACK 1 alice", "REFUSED 2 alice");
    KeyValueStore<String, Long> seen = driver.getKeyValueStore(RegistryStores.SEEN);
    KeyValueStore<String, Decision> trail = driver.getKeyValueStore(RegistryStores.AUDIT);
    Decision refusal = trail.get(RegistryStores.key(MANUAL, seen.get(RegistryStores.key(MANUAL, "request", "req-4"))));
    assertThat(refusal.reason()).isEqualTo("reject refused: version 2 is ROLLED_BACK, not PENDING");
  }

  @Test
  void deadLettersWhatItCannotUseWithTheReasonAndGoesOn() {
    start(KloopTracing.OFF);
    trainedIn.pipeInput(MODEL, "not avro".getBytes(StandardCharsets.UTF_8));
    requestsIn.pipeInput(MODEL, (byte[]) null);
    trainedIn.pipeInput("another-key", bytes(run(MODEL, "run-0", 0.95, null)));
    trainedIn.pipeInput(MODEL, bytes(run(MODEL, "r".repeat(RegistryLimits.MAX_ID + 1), 0.95, null)));
    trainedIn.pipeInput("Bad Name", bytes(run("Bad Name", "run-0", 0.95, null)));
    train(run(MODEL, "run-1", 0.95, null));
    requestsIn.pipeInput(MODEL, bytes(request(MODEL, "req-1", ModelDecisionAction.REJECT, 1, "bad\u0007batch")));
    requestsIn.pipeInput(MODEL, bytes(request(MODEL, "req-2", ModelDecisionAction.REJECT, 0, "no such version")));
    ask(request("ghost", "req-3", ModelDecisionAction.APPROVE, 1, "who?"));
    requestsIn.pipeInput(MODEL, bytes(run(MODEL, "run-9", 0.95, null))); // a ModelTrained on the requests topic

    List<TestRecord<String, byte[]>> letters = deadLetters.readRecordsToList();
    assertThat(letters).extracting(TestRecord::key).containsExactly(MODEL, MODEL, "another-key", MODEL, "Bad Name", MODEL, MODEL, "ghost", MODEL);
    assertThat(letters).extracting(letter -> header(letter.headers(), KafkaPlatformAutoConfiguration.REASON_HEADER)).satisfiesExactly(
        reason -> assertThat(reason).contains("is not an Avro single-object encoded event"),
        reason -> assertThat(reason).isEqualTo("empty record (a tombstone has no meaning on " + Topics.MODEL_DECISION_REQUESTED.name() + ")"),
        reason -> assertThat(reason).isEqualTo("record key 'another-key' must be the model name '" + MODEL
            + "', so that all events of a model are applied in order on one partition"),
        reason -> assertThat(reason).isEqualTo("the run id must have 1 to 200 characters, not 201"),
        reason -> assertThat(reason).isEqualTo(RegistryLimits.modelNameProblem("Bad Name").orElseThrow()),
        reason -> assertThat(reason).isEqualTo("the reason has a control character (U+0007 at 3); only tabs and line breaks are allowed"),
        reason -> assertThat(reason).isEqualTo("version 0 does not exist: versions are numbered from 1"),
        reason -> assertThat(reason).isEqualTo("no model named ghost in the registry"),
        reason -> assertThat(reason).contains("expected ModelDecisionRequested but the record holds ModelTrained"));
    assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).as("the original bytes").isEqualTo("not avro");
    assertThat(header(letters.get(2).headers(), "kafka_dlt-original-topic")).isEqualTo(Topics.MODEL_TRAINED.name());
    assertThat(header(letters.get(7).headers(), "kafka_dlt-original-topic")).isEqualTo(Topics.MODEL_DECISION_REQUESTED.name());

    // It went on: the good run in between became version 1, and nothing else did.
    assertThat(approved.readValuesToList()).extracting(ModelApproved::getRunId).containsExactly("run-1");
    assertThat(rejected.isEmpty()).isTrue();
    assertThat(audit(MODEL)).containsExactly("REGISTERED 1 training-service", "APPROVED 1 policy:auto");
    assertThat(audit("ghost")).isEmpty();
  }

  @Test
  void tracesEachDecisionInATraceOfItsOwnThatItsAnnouncementsCarry() {
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    KloopTracing tracing = KloopTracing.of(sdk);
    start(tracing);
    Span training = tracing.linkedTo("training run", SpanKind.PRODUCER, List.of());
    Headers headers = new RecordHeaders();
    tracing.inject(training, headers);
    training.end();

    trainedIn.pipeInput(new TestRecord<>(MODEL, bytes(run(MODEL, "run-1", 0.95, null)), headers));

    SpanData decision = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("registry decision")).findFirst().orElseThrow();
    assertThat(decision.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(decision.getTraceId()).as("a trace of its own").isNotEqualTo(training.getSpanContext().getTraceId());
    assertThat(decision.getLinks()).extracting(link -> link.getSpanContext().getSpanId()).containsExactly(training.getSpanContext().getSpanId());
    assertThat(decision.getAttributes().get(AttributeKey.stringKey("kloop.model"))).isEqualTo(MODEL);
    assertThat(decision.getAttributes().get(AttributeKey.stringKey("kloop.decision"))).isEqualTo("APPROVED");
    assertThat(decision.getAttributes().get(AttributeKey.longKey("kloop.model.version"))).isEqualTo(1L);
    assertThat(header(approved.readRecord().headers(), "traceparent")).contains(decision.getTraceId()).contains(decision.getSpanId());
  }
}
