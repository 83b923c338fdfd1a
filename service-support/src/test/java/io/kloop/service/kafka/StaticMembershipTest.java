package io.kloop.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.mock.env.MockEnvironment;

/** Which members are static, and under which instance ids. */
class StaticMembershipTest {

  @Test
  void shouldMakeKafkaStreamsMembersStaticOnlyWhenTheInstanceHasAName() {
    assertThat(streamsInstanceId(new MockEnvironment().withProperty("spring.application.name", "ingest-service"))).isNull();
    assertThat(streamsInstanceId(new MockEnvironment().withProperty("spring.application.name", "ingest-service")
        .withProperty(StaticMembership.PROPERTY, "local"))).isEqualTo("ingest-service-local");
  }

  @Test
  void shouldGiveEachListenerContainerItsGroupInItsInstanceId() {
    ConcurrentMessageListenerContainer<Object, Object> container = new ConcurrentMessageListenerContainer<>(
        new DefaultKafkaConsumerFactory<>(Map.of()), new ContainerProperties("mlops.ingest.dataset-batch-committed"));
    container.getContainerProperties().setGroupId("training-service-new-data");

    StaticMembership.containers(StaticMembership.instanceId("training-service", "pod-0")).configure(container);

    assertThat(container.getContainerProperties().getKafkaConsumerProperties().getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
        .isEqualTo("training-service-pod-0-training-service-new-data");
  }

  @Test
  void shouldRefuseAnInstanceNameKafkaOrALogLineCouldChokeOn() {
    for (String bad : new String[] {"", " ", "a b", "a/b", "x".repeat(101), "line\nbreak"}) {
      assertThatThrownBy(() -> StaticMembership.instanceId("ingest-service", bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(StaticMembership.PROPERTY);
    }
  }

  private static Object streamsInstanceId(MockEnvironment environment) {
    new PlatformDefaults().postProcessEnvironment(environment, new SpringApplication());
    return environment.getProperty("spring.kafka.streams.properties[main.consumer.group.instance.id]");
  }
}
