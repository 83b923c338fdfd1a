package io.kloop.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kloop.events.ModelApproved;
import io.kloop.events.PredictionLogged;
import io.kloop.inference.log.PredictionLog;
import io.kloop.kafka.embedded.EmbeddedKafkaBroker;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The prediction log while Kafka is away: inference on a broker of its own (not the tests' shared one),
 * which the test stops and starts again on the same port and data directory. The log's buffer holds 200
 * events and its producer 256 KB, so that both fill within seconds. One test: the outage and the recovery
 * are one story, whose accounting (every prediction sent, dropped or failed) spans both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictionLogKafkaDownIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int BUFFER = 200;
  /** Per request: generous, so that a busy machine cannot fail it; a request that hangs fails. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /**
   * A request that waited for Kafka while it is down would wait the prediction log producer's max.block.ms (1 s)
   * for each of its 10 events, and that wait shows in the producer's own metrics. While requests do not wait,
   * only the log's sender thread ever waits in the producer. The producer's waits while Kafka is down must stay
   * under a tenth of what waiting requests would add: a bound read from the producer, not from a clock.
   */
  private static final double MOST_PRODUCER_WAIT_SECONDS_PER_REQUEST = 1.0;
  /** The prediction log's own producer (its client id), whose waits are measured. */
  private static final String LOG_PRODUCER = "inference-service-prediction-log";
  private static final List<Map<String, Object>> INSTANCES = IntStream.range(0, 10)
      .mapToObj(i -> Map.<String, Object>of("radius", i / 4.0, "smooth", i % 2 == 0, "shape", i % 3 == 0 ? "round" : "oval")).toList();

  private final String model = "outage-" + UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JsonMapper json = JsonMapper.builder().build();
  private final ListAppender<ILoggingEvent> logLines = new ListAppender<>();
  private EmbeddedKafkaBroker broker;
  private ConfigurableApplicationContext inference;
  private MeterRegistry meters;
  /** Predictions the service answered (one per instance), all through the test. */
  private int predictions;

  @BeforeAll
  void start(@TempDir Path home) throws Exception {
    broker = EmbeddedKafkaBroker.builder().dataDirectory(home.resolve("kafka")).port(freePort()).controllerPort(freePort()).build()
        .start(Duration.ofSeconds(60));
    inference = InferenceServiceApplication.builder().run(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
        "--kloop.inference.artifact-root=" + home.resolve("artifacts"),
        "--kloop.inference.prediction-log-buffer=" + BUFFER,
        "--spring.kafka.producer.buffer-memory=256KB");
    meters = inference.getBean(MeterRegistry.class);
    Logger logger = (Logger) LoggerFactory.getLogger(PredictionLog.class);
    logLines.start();
    logger.addAppender(logLines);

    publishApproval(TestModels.approval(model, 1, TestModels.store(new LocalArtifactStore(home.resolve("artifacts")), TestModels.onnx(1f))));
    await().atMost(TIMEOUT).until(() -> get("/v2/models/" + model + "/ready").statusCode() == 200);
  }

  @AfterAll
  void stop() {
    ((Logger) LoggerFactory.getLogger(PredictionLog.class)).detachAppender(logLines);
    if (inference != null) {
      inference.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void shouldAnswerEveryPredictionWhileKafkaIsDownCountWhatTheFullBufferDropsAndAccountForEveryOneOnceKafkaIsBack() throws Exception {
    answerWhileKafkaIsDown();
    logAgainOnceKafkaIsBackAndAccountForEveryPrediction();
  }

  /** Kafka goes away: every request is answered at once, the buffer stays bounded and drops are counted, the instance stays ready. */
  private void answerWhileKafkaIsDown() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertThat(predict("before-" + i).statusCode()).isEqualTo(200);
    }
    await().atMost(TIMEOUT).until(() -> counter("sent") == predictions);
    assertThat(logged("before-")).hasSize(200);

    broker.close();

    int asked = 0;
    int answered = 0;
    int mostBuffered = 0;
    int firstDrop = -1;
    double producerWaitBefore = producerWaitSeconds();
    // The producer's 256 KB fill first, then the buffer, then it drops; 100 requests more after the first drop.
    while (firstDrop < 0 || asked < firstDrop + 100) {
      assertThat(asked).as("requests before the buffer dropped anything").isLessThan(5_000);
      HttpResponse<String> answer = predict("during-" + asked);
      asked++;
      if (answer.statusCode() == 200 && answer.body().contains("\"version\":1")) {
        answered++;
      }
      mostBuffered = Math.max(mostBuffered, (int) meters.get("kloop.inference.prediction.log.buffered").gauge().value());
      if (firstDrop < 0 && counter("dropped") > 0) {
        firstDrop = asked;
      }
    }

    double producerWait = producerWaitSeconds() - producerWaitBefore;
    assertThat(answered).as("every request answered").isEqualTo(asked);
    assertThat(producerWait).as(asked + " requests while Kafka is down: none waits for it in the log's producer")
        .isLessThan(MOST_PRODUCER_WAIT_SECONDS_PER_REQUEST * asked);
    assertThat(mostBuffered).as("memory bounded by the buffer").isLessThanOrEqualTo(BUFFER);
    String prometheus = get("/actuator/prometheus").body();
    double dropped = metric(prometheus, "kloop_inference_prediction_log_dropped_total");
    assertThat(dropped).isPositive();
    assertThat(metric(prometheus, "kloop_inference_prediction_log_buffered")).isLessThanOrEqualTo(BUFFER);

    HttpResponse<String> readiness = get("/actuator/health/readiness");
    JsonNode components = json.readTree(readiness.body()).path("components");
    // Still ready: predictions are answered without Kafka, so the outage must not take the instance out of rotation.
    assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
    assertThat(components.has("kafka")).as("kafka is not part of readiness").isFalse();
    // The full health shows the outage to operators.
    HttpResponse<String> health = get("/actuator/health");
    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(json.readTree(health.body()).path("components").path("kafka").path("status").asString()).isEqualTo("DOWN");
    JsonNode log = components.path("predictionLog");
    assertThat(log.path("status").asString()).isEqualTo("UP");
    assertThat(log.path("details").path("capacity").asInt()).isEqualTo(BUFFER);
    assertThat(log.path("details").path("dropped").asLong()).isGreaterThanOrEqualTo((long) dropped);
    assertThat(log.path("details").path("buffered").asInt()).isLessThanOrEqualTo(BUFFER);
    assertThat(logLines.list).anySatisfy(line -> {
      assertThat(line.getLevel()).isEqualTo(Level.WARN);
      assertThat(line.getFormattedMessage()).startsWith("Prediction log: buffer full (" + BUFFER + " events) while Kafka is slow or away");
    });
  }

  /** Kafka is back: new predictions reach it, and after a graceful shutdown every prediction is sent, dropped or failed. */
  private void logAgainOnceKafkaIsBackAndAccountForEveryPrediction() throws Exception {
    double sentBefore = counter("sent");
    broker.start(Duration.ofSeconds(60));

    // The log catches up: Kafka takes events again, and the buffer drains (until then new predictions may
    // still find it full).
    await().atMost(TIMEOUT).until(() -> counter("sent") > sentBefore
        && meters.get("kloop.inference.prediction.log.buffered").gauge().value() == 0);
    for (int i = 0; i < 10; i++) {
      assertThat(predict("after-" + i).statusCode()).isEqualTo(200);
    }
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> logged("after-").size() == 100);

    // A graceful shutdown flushes what is still buffered; then every prediction is sent, dropped or failed.
    inference.close();
    inference = null;
    double sent = counter("sent");
    assertThat(sent + counter("dropped") + counter("failed")).isEqualTo(predictions);
    assertThat(counter("dropped")).isPositive();
    assertThat(logged("")).hasSize((int) sent);
  }

  private double counter(String name) {
    return meters.get("kloop.inference.prediction.log." + name).counter().count();
  }

  private HttpResponse<String> predict(String requestId) throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/models/" + model + "/predict"))
        .header("Content-Type", "application/json").header("X-Request-Id", requestId).timeout(REQUEST_TIMEOUT)
        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("instances", INSTANCES)))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 200) {
      predictions += INSTANCES.size();
    }
    return response;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String baseUrl() {
    return "http://127.0.0.1:" + inference.getEnvironment().getProperty("local.server.port");
  }

  /**
   * How long, in all, anything has waited in the prediction log's producer, for topic metadata or for space in
   * its buffer (a send blocks for either, up to max.block.ms), as operators read it in /actuator/prometheus.
   */
  private double producerWaitSeconds() throws Exception {
    String prometheus = get("/actuator/prometheus").body();
    return (metric(prometheus, "kafka_producer_metadata_wait_time_ns_total", LOG_PRODUCER)
        + metric(prometheus, "kafka_producer_bufferpool_wait_time_ns_total", LOG_PRODUCER)) / 1e9;
  }

  private static double metric(String prometheus, String name) {
    return metric(prometheus, name, null);
  }

  /** The value of the series of this name (of the client with this id, when not null). */
  private static double metric(String prometheus, String name, String clientId) {
    String labels = clientId == null ? "[^}]*" : "[^}]*client_id=\"" + Pattern.quote(clientId) + "\"[^}]*";
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{" + labels + "} (\\S+)$").matcher(prometheus);
    assertThat(value.find()).as(name + " in /actuator/prometheus").isTrue();
    return Double.parseDouble(value.group(1));
  }

  private void publishApproval(ModelApproved approval) throws Exception {
    try (KafkaProducer<String, ModelApproved> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new EventSerializer<>())) {
      producer.send(new ProducerRecord<>(Topics.MODEL_APPROVED.name(), model, approval)).get(30, TimeUnit.SECONDS);
    }
  }

  /** This model's logged predictions whose request id starts with the prefix, as the topic holds them now. */
  private List<PredictionLogged> logged(String requestIdPrefix) {
    String topic = Topics.PREDICTION_LOGGED.name();
    EventDeserializer<PredictionLogged> events = new EventDeserializer<>(PredictionLogged.class);
    List<PredictionLogged> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await().atMost(TIMEOUT).until(() -> {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.key() != null && model.equals(new String(record.key(), StandardCharsets.UTF_8))) {
            PredictionLogged event = events.deserialize(topic, record.value());
            if (event.getRequestId().startsWith(requestIdPrefix)) {
              found.add(event);
            }
          }
        }
        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
      });
    }
    return found;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
