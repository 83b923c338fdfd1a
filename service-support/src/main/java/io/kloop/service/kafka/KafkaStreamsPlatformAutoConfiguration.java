package io.kloop.service.kafka;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/**
 * Kafka Streams services leave their group when they stop, so a restarted or redeployed instance gets its
 * partitions back at once instead of after the session timeout (45 s by default); and their topology's
 * state is a health indicator ({@code kafkaStreams}).
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@ConditionalOnClass(name = "org.apache.kafka.streams.StreamsBuilder")
public class KafkaStreamsPlatformAutoConfiguration {

  @Bean
  StreamsBuilderFactoryBeanConfigurer leaveGroupOnClose() {
    return factoryBean -> factoryBean.setLeaveGroupOnClose(true);
  }

  @Bean(name = "kafkaStreamsHealthIndicator")
  @ConditionalOnBean(StreamsBuilderFactoryBean.class)
  @ConditionalOnMissingBean(name = "kafkaStreamsHealthIndicator")
  KafkaStreamsHealthIndicator kafkaStreamsHealthIndicator(StreamsBuilderFactoryBean streams) {
    return new KafkaStreamsHealthIndicator(streams);
  }
}
