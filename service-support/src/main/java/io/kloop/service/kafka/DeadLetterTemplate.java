package io.kloop.service.kafka;

import io.kloop.schemas.EventSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;

/**
 * The producer behind dead-lettering. It writes whatever a failed record held (raw bytes when the value
 * could not be decoded, otherwise the string key and the event) and is kept apart from the service's own
 * producer, so it is never part of a service's transaction and never replaces Boot's KafkaTemplate.
 */
class DeadLetterTemplate implements DisposableBean {

  private final DefaultKafkaProducerFactory<Object, Object> factory;
  private final KafkaTemplate<Object, Object> template;

  /**
   * @param meters binds the producer's client metrics, when given
   * @param observations traces each send (the dead letter then carries the trace context of the listener
   *     that gave up on the record), when given
   */
  DeadLetterTemplate(Map<String, Object> producerProperties, MeterRegistry meters, ObservationRegistry observations) {
    Map<String, Object> config = new LinkedHashMap<>(producerProperties);
    config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, config.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "kloop") + "-dead-letter");
    factory = new DefaultKafkaProducerFactory<>(config, anythingSerializer(), anythingSerializer());
    if (meters != null) {
      factory.addListener(new MicrometerProducerListener<>(meters));
    }
    template = new KafkaTemplate<>(factory);
    if (observations != null) {
      template.setObservationRegistry(observations);
      template.setObservationEnabled(true);
    }
  }

  KafkaTemplate<Object, Object> template() {
    return template;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Serializer<Object> anythingSerializer() {
    Map<Class<?>, Serializer<?>> byType = new LinkedHashMap<>();
    byType.put(byte[].class, new ByteArraySerializer());
    byType.put(String.class, new StringSerializer());
    byType.put(SpecificRecord.class, new EventSerializer<>());
    return (Serializer) new DelegatingByTypeSerializer(byType, true);
  }

  @Override
  public void destroy() {
    factory.destroy();
  }
}
