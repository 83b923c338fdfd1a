package io.kloop.service.kafka;

import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * Defaults every service shares, added with the lowest precedence so a service's own {@code <service>.yml},
 * environment variables or command line override any of them.
 *
 * <ul>
 *   <li>Kafka at {@code 127.0.0.1:9092} (the embedded broker of the local platform);
 *   <li>string keys and Avro single-object encoded event values; consumers wrap the event deserializer in
 *       Spring's {@link ErrorHandlingDeserializer} so undecodable bytes reach the error handler (and the
 *       dead-letter topic) instead of failing the poll loop;
 *   <li>Kafka Streams applications skip undecodable records after writing them to the service's
 *       dead-letter topic (KIP-1034);
 *   <li>static group membership when the instance has a stable name ({@link StaticMembership});
 *   <li>liveness and readiness probe endpoints, with Kafka reachability part of readiness;
 *   <li>metrics tagged with the service's name, exposed for Prometheus;
 *   <li>tracing (see {@link #tracing}): off unless an exporter is chosen, every trace sampled when on, and
 *       then Spring Kafka's templates and listeners observed, so their records carry the W3C trace context.
 * </ul>
 */
public class PlatformDefaults implements EnvironmentPostProcessor, Ordered {

  @Override
  public int getOrder() {
    // After config data (the service's own yml) is loaded, so spring.application.name is known.
    return Ordered.LOWEST_PRECEDENCE;
  }

  static final String SOURCE_NAME = "kloopPlatformDefaults";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    String service = environment.getProperty("spring.application.name", "kloop");
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put("spring.kafka.bootstrap-servers", "127.0.0.1:9092");
    defaults.put("spring.kafka.client-id", service);
    defaults.put("spring.kafka.producer.key-serializer", StringSerializer.class.getName());
    defaults.put("spring.kafka.producer.value-serializer", EventSerializer.class.getName());
    defaults.put("spring.kafka.producer.acks", "all");
    defaults.put("spring.kafka.consumer.group-id", service);
    defaults.put("spring.kafka.consumer.auto-offset-reset", "earliest");
    // Exactly-once producers (ingest's pipeline) leave aborted attempts in the log: never act on them.
    defaults.put("spring.kafka.consumer.isolation-level", "read_committed");
    defaults.put("spring.kafka.consumer.key-deserializer", StringDeserializer.class.getName());
    defaults.put("spring.kafka.consumer.value-deserializer", ErrorHandlingDeserializer.class.getName());
    defaults.put("spring.kafka.consumer.properties[" + ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS + "]",
        EventDeserializer.class.getName());
    defaults.put("spring.kafka.streams.application-id", service);
    defaults.put("spring.kafka.streams.properties[deserialization.exception.handler]",
        "org.apache.kafka.streams.errors.LogAndContinueExceptionHandler");
    defaults.put("spring.kafka.streams.properties[errors.dead.letter.queue.topic.name]",
        Topics.deadLetter(service).name());
    String instance = environment.getProperty("kloop.kafka.instance-id"); // StaticMembership.PROPERTY
    if (instance != null) {
      // Kafka Streams adds each stream thread's number to its main consumer's instance id.
      defaults.put("spring.kafka.streams.properties[main.consumer.group.instance.id]", StaticMembership.instanceId(service, instance));
    }
    // Kafka's clients log every reconnect attempt at INFO (thousands of lines a minute while a broker is
    // away); their warnings and errors say all an operator needs.
    defaults.put("logging.level.org.apache.kafka", "WARN");
    // A long request line (a hostile name in a path) reaches the service and gets its JSON 400; past Netty's
    // default of 4 KB, Netty itself answers 414 with an empty body.
    defaults.put("server.netty.max-initial-line-length", "64KB");
    defaults.put("management.endpoint.health.show-details", "always");
    defaults.put("management.endpoint.health.group.readiness.include", "readinessState,kafka");
    defaults.put("management.endpoints.web.exposure.include", "health,info,metrics,prometheus");
    defaults.put("management.metrics.tags.application", service);
    tracing(environment, defaults);
    environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, defaults));
  }

  /**
   * The tracing switches, derived from one choice: the span exporter, {@code kloop.tracing.exporter}
   * ({@code otlp}, {@code logging}, both comma-separated, or {@code none}). Unset, it is the standard
   * {@code OTEL_TRACES_EXPORTER}; unset too, {@code otlp} when an OTLP endpoint is configured
   * ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} or
   * {@code management.opentelemetry.tracing.export.otlp.endpoint}), else {@code none}: the embedded default
   * needs no collector and makes no spans. Spring Boot itself maps the other {@code OTEL_*} variables
   * (endpoint, sampler ratio {@code OTEL_TRACES_SAMPLER_ARG}, {@code OTEL_SERVICE_NAME}, ...).
   */
  static void tracing(ConfigurableEnvironment environment, Map<String, Object> defaults) {
    String exporter = firstSet(environment.getProperty("kloop.tracing.exporter"), environment.getProperty("OTEL_TRACES_EXPORTER"));
    boolean endpoint = firstSet(environment.getProperty("management.opentelemetry.tracing.export.otlp.endpoint"),
        environment.getProperty("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), environment.getProperty("OTEL_EXPORTER_OTLP_ENDPOINT")) != null;
    if (exporter == null) {
      exporter = endpoint ? "otlp" : "none";
    }
    exporter = exporter.trim().toLowerCase(Locale.ROOT);
    boolean enabled = environment.getProperty("kloop.tracing.enabled", Boolean.class, !exporter.equals("none"));
    boolean otlp = Arrays.stream(exporter.split(",")).map(String::trim).anyMatch("otlp"::equals);
    defaults.put("kloop.tracing.exporter", exporter);
    defaults.put("kloop.tracing.enabled", enabled);
    defaults.put("management.opentelemetry.enabled", enabled);
    defaults.put("management.tracing.export.otlp.enabled", enabled && otlp);
    if (otlp && !endpoint) {
      // The OpenTelemetry default: a collector on this host, OTLP over HTTP.
      defaults.put("management.opentelemetry.tracing.export.otlp.endpoint", "http://localhost:4318/v1/traces");
    }
    // Boot samples 10 % by default; the platform's traffic outside inference is small, and a model's life
    // is worth following whole. OTEL_TRACES_SAMPLER_ARG (or this property) sets the ratio of new traces.
    defaults.put("management.tracing.sampling.probability", "1.0");
    defaults.put("spring.kafka.template.observation-enabled", enabled);
    defaults.put("spring.kafka.listener.observation-enabled", enabled);
  }

  private static String firstSet(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}
