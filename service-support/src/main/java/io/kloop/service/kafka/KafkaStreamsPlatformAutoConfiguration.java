package io.kloop.service.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/**
 * Kafka Streams services leave their group when they stop, so a restarted or redeployed instance gets its
 * partitions back at once instead of after the session timeout (45 s by default); replace a failed stream
 * thread after a back-off, a bounded number of times ({@link FailedStreamThreads}); and their topology's
 * state is a health indicator ({@code kafkaStreams}).
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@ConditionalOnClass(name = "org.apache.kafka.streams.StreamsBuilder")
@EnableConfigurationProperties(FailedStreamThreads.Policy.class)
public class KafkaStreamsPlatformAutoConfiguration {

  @Bean
  @ConditionalOnBean(StreamsBuilderFactoryBean.class)
  @ConditionalOnMissingBean
  FailedStreamThreads failedStreamThreads(FailedStreamThreads.Policy policy, ObjectProvider<MeterRegistry> meters) {
    FailedStreamThreads failed = new FailedStreamThreads(policy);
    meters.ifAvailable(registry -> FunctionCounter.builder("kloop.streams.thread.failures", failed, FailedStreamThreads::failures)
        .description("Kafka Streams threads that died of an exception (replaced after a back-off, or the client shut down)")
        .register(registry));
    return failed;
  }

  @Bean
  @ConditionalOnBean(StreamsBuilderFactoryBean.class)
  StreamsBuilderFactoryBeanConfigurer kloopStreamsConfigurer(FailedStreamThreads failedThreads) {
    return factoryBean -> {
      factoryBean.setLeaveGroupOnClose(true);
      factoryBean.setStreamsUncaughtExceptionHandler(failedThreads);
      failedThreads.watch(() -> {
        KafkaStreams streams = factoryBean.getKafkaStreams();
        return streams != null && (streams.state().isShuttingDown() || streams.state().hasCompletedShutdown());
      });
    };
  }

  @Bean(name = "kafkaStreamsHealthIndicator")
  @ConditionalOnBean(StreamsBuilderFactoryBean.class)
  @ConditionalOnMissingBean(name = "kafkaStreamsHealthIndicator")
  KafkaStreamsHealthIndicator kafkaStreamsHealthIndicator(StreamsBuilderFactoryBean streams, FailedStreamThreads failedThreads) {
    return new KafkaStreamsHealthIndicator(streams, failedThreads);
  }
}
