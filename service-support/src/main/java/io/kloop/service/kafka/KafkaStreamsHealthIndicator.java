package io.kloop.service.kafka;

import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * The service's Kafka Streams topology: UP when running; OUT_OF_SERVICE while it starts, rebalances or
 * restores its state (its stores cannot be queried then); DOWN when it stopped or failed. A service that
 * answers from its stores puts {@code kafkaStreams} in its readiness group. Its details say how many stream
 * threads have failed and the last failure ({@link FailedStreamThreads}).
 */
class KafkaStreamsHealthIndicator extends AbstractHealthIndicator {

  private final StreamsBuilderFactoryBean streams;
  private final FailedStreamThreads failedThreads;

  KafkaStreamsHealthIndicator(StreamsBuilderFactoryBean streams, FailedStreamThreads failedThreads) {
    super("Kafka Streams health check failed");
    this.streams = streams;
    this.failedThreads = failedThreads;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    KafkaStreams kafkaStreams = streams.getKafkaStreams();
    KafkaStreams.State state = kafkaStreams == null ? KafkaStreams.State.CREATED : kafkaStreams.state();
    switch (state) {
      case RUNNING -> builder.up();
      case CREATED, REBALANCING -> builder.outOfService();
      default -> builder.down();
    }
    builder.withDetail("state", state.name());
    builder.withDetail("failedThreads", failedThreads.failures());
    failedThreads.lastFailure().ifPresent(failure -> builder.withDetail("lastThreadFailure", failure));
  }
}
