package io.kloop.service.kafka;

import java.util.regex.Pattern;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * Static group membership (KIP-345) for a service instance with a stable name, {@value #PROPERTY}: every
 * consumer group member of the service carries a {@code group.instance.id} made of the service's name and
 * that name, so an instance that comes back after a crash (kill -9, OOM, a node lost) takes its partitions
 * back at once, instead of waiting for its dead self's session to time out (45 s) before its group
 * rebalances. Kafka Streams members add their thread's number; listener containers their group and, with
 * concurrency, the consumer's number.
 *
 * <p>Only for instances whose name survives a restart: the local platform ({@code local}), a compose service,
 * a StatefulSet pod. Unset (the default), members are dynamic: a Deployment's pods get new names on every
 * start, and a static member that goes away for good keeps its partitions until its session times out.
 */
public final class StaticMembership {

  /** The instance's stable name; unset for dynamic membership. */
  public static final String PROPERTY = "kloop.kafka.instance-id";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private StaticMembership() {}

  /** The member id prefix of a service's instance: {@code <service>-<instance>}. */
  public static String instanceId(String service, String instance) {
    if (instance == null || !NAME.matcher(instance).matches()) {
      throw new IllegalArgumentException(PROPERTY + " must be 1 to 100 letters, digits, '.', '_' or '-', e.g. local or the pod's name; got '"
          + instance + "'");
    }
    return service + "-" + instance;
  }

  /** Gives each listener container's consumers the instance id, followed by the container's group. */
  static ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> containers(String instanceId) {
    return container -> {
      String group = container.getGroupId() == null ? "default" : container.getGroupId();
      container.getContainerProperties().getKafkaConsumerProperties()
          .setProperty(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId + "-" + group);
    };
  }
}
