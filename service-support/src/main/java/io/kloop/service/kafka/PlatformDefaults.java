package io.kloop.service.kafka;

import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import java.util.LinkedHashMap;
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
 *   <li>liveness and readiness probe endpoints, with Kafka reachability part of readiness;
 *   <li>metrics tagged with the service's name, exposed for Prometheus.
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
    // Kafka's clients log every reconnect attempt at INFO (thousands of lines a minute while a broker is
    // away); their warnings and errors say all an operator needs.
    defaults.put("logging.level.org.apache.kafka", "WARN");
    defaults.put("management.endpoint.health.show-details", "always");
    defaults.put("management.endpoint.health.group.readiness.include", "readinessState,kafka");
    defaults.put("management.endpoints.web.exposure.include", "health,info,metrics,prometheus");
    defaults.put("management.metrics.tags.application", service);
    environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, defaults));
  }
}
