package io.kloop.monitor.truth;

import io.kloop.events.GroundTruthReported;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.schemas.EventMetadata;
import io.kloop.schemas.Topics;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Writes labels posted over HTTP to {@code mlops.monitor.ground-truth-reported}, the topic Kafka producers write
 * to, so both meet in the join. A request's labels are written in one Kafka transaction: all of them or none (the
 * join reads committed records only). Its producer is the service's (Boot's settings), made transactional with an
 * id of its own per running instance.
 */
public class GroundTruthPublisher implements DisposableBean {

  /** One label of a request: already checked. */
  public record Label(String predictionId, String label, Instant observedTime) {}

  private final DefaultKafkaProducerFactory<String, Object> producers;
  private final KafkaTemplate<String, Object> template;

  public GroundTruthPublisher(ProducerFactory<?, ?> service) {
    Map<String, Object> config = new HashMap<>(service.getConfigurationProperties());
    producers = new DefaultKafkaProducerFactory<>(config);
    // Random per instance: instances never fence each other; an HTTP request has no input offsets to protect.
    producers.setTransactionIdPrefix(MonitorServiceApplication.NAME + "-ground-truth-" + UUID.randomUUID() + "-");
    template = new KafkaTemplate<>(producers);
  }

  /**
   * Writes the labels of one model, keyed by it, in one transaction; returns when it committed, throws when it did
   * not (then none was written). {@code source} is {@code http:<caller>}; {@code now} the event time.
   */
  public void publish(String model, List<Label> labels, String source, Instant now) {
    template.executeInTransaction(kafka -> {
      for (Label label : labels) {
        kafka.send(Topics.GROUND_TRUTH_REPORTED.name(), model, EventMetadata.fresh(now, MonitorServiceApplication.NAME)
            .build(GroundTruthReported.newBuilder()
                .setModel(model)
                .setPredictionId(label.predictionId())
                .setLabel(label.label())
                .setObservedTime(label.observedTime())
                .setSource(source)));
      }
      return null;
    });
  }

  @Override
  public void destroy() {
    producers.destroy();
  }
}
