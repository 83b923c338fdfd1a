package io.kloop.service.kafka;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.context.annotation.Bean;

/** Registers the {@code kafka} health indicator that the readiness group includes. */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
public class KafkaHealthAutoConfiguration {

  @Bean(name = "kafkaHealthIndicator")
  @ConditionalOnMissingBean(name = "kafkaHealthIndicator")
  KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin kafkaAdmin) {
    return new KafkaHealthIndicator(kafkaAdmin);
  }
}
