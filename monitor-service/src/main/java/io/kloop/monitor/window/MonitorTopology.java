package io.kloop.monitor.window;

import static io.kloop.service.kafka.StreamsBranches.to;
import static io.kloop.service.kafka.StreamsBranches.toDeadLetters;

import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.ModelApproved;
import io.kloop.events.RetrainingRequested;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.TopicReplica;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * The monitor's Kafka Streams topology: predictions in; drift reports, drift detections, retraining requests
 * and dead letters out. The approvals (with each version's reference profile) are read by every instance
 * whole, before the topology starts.
 */
@Configuration
@EnableKafkaStreams
class MonitorTopology {

  @Bean
  ApprovedModels approvedModels() {
    return new ApprovedModels();
  }

  /** Reads every approval before the topology starts (lifecycle phase 0; Kafka Streams starts much later). */
  @Bean
  TopicReplica approvalReplica(ConsumerFactory<?, ?> consumers, ApprovedModels approvals) {
    List<Topic<String, ?>> topics = List.of(Topics.MODEL_APPROVED);
    return new TopicReplica(MonitorServiceApplication.NAME + "-approved-models", consumers.getConfigurationProperties(), topics,
        (topic, record, event) -> approvals.add((ModelApproved) event), 0);
  }

  @Bean
  KStream<String, Object> driftWindows(StreamsBuilder builder, MonitorProperties properties, ApprovedModels approvals, MeterRegistry meters,
      KloopTracing tracing) {
    DriftGauges gauges = new DriftGauges(meters);
    builder.addStateStore(MonitorStores.models());
    builder.addStateStore(MonitorStores.reports());
    KStream<String, Object> out = builder
        .stream(Topics.PREDICTION_LOGGED.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("predictions"))
        .process(() -> new DriftProcessor(properties, approvals, meters, gauges, tracing), Named.as("judge-windows"), MonitorStores.MODELS, MonitorStores.REPORTS);
    out.split(Named.as("monitor-"))
        .branch((model, value) -> value instanceof DriftReported, to(Topics.DRIFT_REPORTED))
        .branch((model, value) -> value instanceof DriftDetected, to(Topics.DRIFT_DETECTED))
        .branch((model, value) -> value instanceof RetrainingRequested, to(Topics.RETRAINING_REQUESTED))
        .defaultBranch(toDeadLetters(MonitorServiceApplication.NAME));
    return out;
  }
}
