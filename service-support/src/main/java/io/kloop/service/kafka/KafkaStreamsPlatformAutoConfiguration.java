package io.kloop.service.kafka;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/**
 * Kafka Streams services leave their group when they stop, so a restarted or redeployed instance gets its
 * partitions back at once instead of after the session timeout (45 s by default).
 */
@AutoConfiguration
@ConditionalOnClass(name = "org.apache.kafka.streams.StreamsBuilder")
public class KafkaStreamsPlatformAutoConfiguration {

  @Bean
  StreamsBuilderFactoryBeanConfigurer leaveGroupOnClose() {
    return factoryBean -> factoryBean.setLeaveGroupOnClose(true);
  }
}
