package io.kloop.service.kafka;

import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The Kafka setup every service shares: the platform's topics are declared (created at start-up when
 * missing; Spring's KafkaAdmin also raises a partition count that {@code Topics} raises, never lowers one),
 * and every listener container gets the one error handler of the platform.
 *
 * <p>The error handler retries a failing record a few times with exponential back-off (transient trouble:
 * a broker moving leaders, a store briefly away), then publishes it to the service's dead-letter topic
 * {@code mlops.<service>.dead-letter}. Records that can never succeed (undecodable bytes, unknown schema
 * fingerprints, the wrong event for the listener) skip the retries. The dead-letter record keeps the
 * original value bytes when they could not be decoded, and otherwise the event as the handler saw it; its
 * headers say why: Spring's {@code kafka_dlt-*} headers (original topic, partition, offset, consumer group,
 * exception class, message, stack trace) plus {@value #REASON_HEADER}, a one-line reason for people.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
public class KafkaPlatformAutoConfiguration {

  /** One-line, human-readable reason a record was dead-lettered. */
  public static final String REASON_HEADER = "kloop.dlt.reason";

  @Bean
  KafkaAdmin.NewTopics platformTopics(@Value("${spring.application.name:kloop}") String service) {
    Map<String, NewTopic> topics = new LinkedHashMap<>();
    for (Topic<?, ?> topic : Topics.all()) {
      topics.put(topic.name(), topic.newTopic());
    }
    Topic<byte[], byte[]> ownDeadLetter = Topics.deadLetter(service);
    topics.putIfAbsent(ownDeadLetter.name(), ownDeadLetter.newTopic());
    return new KafkaAdmin.NewTopics(topics.values().toArray(NewTopic[]::new));
  }

  /** Built from Boot's producer settings, so connection details (bootstrap servers, SSL) are the listeners'. */
  @Bean
  DeadLetterTemplate deadLetterTemplate(ProducerFactory<?, ?> producerFactory, ObjectProvider<MeterRegistry> meters,
      ObjectProvider<ObservationRegistry> observations, @Value("${kloop.tracing.enabled:false}") boolean tracing) {
    return new DeadLetterTemplate(producerFactory.getConfigurationProperties(), meters.getIfAvailable(),
        tracing ? observations.getIfAvailable() : null);
  }

  /** Static membership for the listener containers' consumers when the instance has a stable name. */
  @Bean
  @ConditionalOnProperty(StaticMembership.PROPERTY)
  ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> staticGroupMembership(
      @Value("${spring.application.name:kloop}") String service, @Value("${" + StaticMembership.PROPERTY + "}") String instance) {
    return StaticMembership.containers(StaticMembership.instanceId(service, instance));
  }

  @Bean
  @ConditionalOnMissingBean(CommonErrorHandler.class)
  DefaultErrorHandler platformErrorHandler(
      DeadLetterTemplate deadLetterTemplate, @Value("${spring.application.name:kloop}") String service) {
    String deadLetterTopic = Topics.deadLetter(service).name();
    DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(
        deadLetterTemplate.template(), (record, exception) -> new TopicPartition(deadLetterTopic, -1));
    recoverer.setHeadersFunction(DeadLetterReasons::headers);
    ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
    backOff.setMaxAttempts(3);
    DefaultErrorHandler handler = new DefaultErrorHandler(new SkipWhenUndeliverable(recoverer), backOff);
    handler.addNotRetryableExceptions(EventDecodingException.class, SerializationException.class);
    return handler;
  }
}
