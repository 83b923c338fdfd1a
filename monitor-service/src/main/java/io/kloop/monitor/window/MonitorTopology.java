package io.kloop.monitor.window;

import static io.kloop.service.kafka.StreamsBranches.to;
import static io.kloop.service.kafka.StreamsBranches.toDeadLetters;

import io.kloop.events.DataRecord;
import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelSpecDeclared;
import io.kloop.events.PerformanceReported;
import io.kloop.events.RetrainingRequested;
import io.kloop.monitor.MonitorProperties;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.monitor.performance.PerformanceGauges;
import io.kloop.monitor.performance.PerformanceProcessor;
import io.kloop.monitor.performance.PerformanceStores;
import io.kloop.monitor.truth.DriftOwnsPredictionDeadLetters;
import io.kloop.monitor.truth.FeedbackSpecs;
import io.kloop.monitor.truth.GroundTruthJoin;
import io.kloop.monitor.truth.GroundTruthPublisher;
import io.kloop.monitor.truth.GroundTruthProcessor;
import io.kloop.monitor.truth.LabelledPrediction;
import io.kloop.monitor.truth.ServedPrediction;
import io.kloop.monitor.truth.TruthStores;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.TopicReplica;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The monitor's Kafka Streams topology: predictions and their ground truth in; drift reports, drift detections,
 * retraining requests, feedback records and dead letters out. The approvals (with each version's reference
 * profile and classes) and the models' specs are read by every instance whole, before the topology starts.
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
  FeedbackSpecs feedbackSpecs() {
    return new FeedbackSpecs();
  }

  /** Reads every model's spec (its dataset and feedback switch) before the topology starts, then follows them. */
  @Bean
  TopicReplica specReplica(ConsumerFactory<?, ?> consumers, FeedbackSpecs specs) {
    List<Topic<String, ?>> topics = List.of(Topics.MODEL_SPEC_DECLARED);
    return new TopicReplica(MonitorServiceApplication.NAME + "-model-specs", consumers.getConfigurationProperties(), topics,
        (topic, record, event) -> specs.add((ModelSpecDeclared) event), 0);
  }

  @Bean
  GroundTruthPublisher groundTruthPublisher(ProducerFactory<?, ?> producers) {
    return new GroundTruthPublisher(producers);
  }

  /** The prediction log, read once: the drift windows and the ground-truth join both take it from this one source. */
  @Bean
  KStream<String, byte[]> predictionLog(StreamsBuilder builder) {
    return builder.stream(Topics.PREDICTION_LOGGED.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("predictions"));
  }

  @Bean
  KStream<String, Object> driftWindows(StreamsBuilder builder, KStream<String, byte[]> predictionLog, MonitorProperties properties,
      ApprovedModels approvals, MeterRegistry meters, KloopTracing tracing) {
    DriftGauges gauges = new DriftGauges(meters);
    builder.addStateStore(MonitorStores.models());
    builder.addStateStore(MonitorStores.reports());
    KStream<String, Object> out = predictionLog
        .process(() -> new DriftProcessor(properties, approvals, meters, gauges, tracing), Named.as("judge-windows"), MonitorStores.MODELS, MonitorStores.REPORTS);
    out.split(Named.as("monitor-"))
        .branch((model, value) -> value instanceof DriftReported, to(Topics.DRIFT_REPORTED))
        .branch((model, value) -> value instanceof DriftDetected, to(Topics.DRIFT_DETECTED))
        .branch((model, value) -> value instanceof RetrainingRequested, to(Topics.RETRAINING_REQUESTED))
        .defaultBranch(toDeadLetters(MonitorServiceApplication.NAME));
    return out;
  }

  /**
   * The ground-truth join: predictions (from the same source as the drift windows) and labels in; served and
   * labelled predictions for the performance windows, feedback records for ingest and dead letters out.
   */
  @Bean
  KStream<String, Object> groundTruthJoin(StreamsBuilder builder, KStream<String, byte[]> predictionLog, MonitorProperties properties,
      ApprovedModels approvals, FeedbackSpecs specs, MeterRegistry meters, KloopTracing tracing) {
    TruthStores.builders().forEach(builder::addStateStore);
    KStream<String, byte[]> labels = builder
        .stream(Topics.GROUND_TRUTH_REPORTED.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("ground-truth"));
    GroundTruthJoin.Classes classes = (model, version) -> approvals.get(model, version)
        .map(approval -> approval.getSignature().getOutputClasses().stream().map(Object::toString).toList());
    KStream<String, Object> out = predictionLog.merge(labels, Named.as("predictions-and-labels"))
        .process(() -> new GroundTruthProcessor(properties.groundTruth(), classes, specs, meters, tracing), Named.as("join-ground-truth"),
            TruthStores.NAMES)
        .processValues(DriftOwnsPredictionDeadLetters::new, Named.as("drift-owns-prediction-dead-letters"));
    out.split(Named.as("truth-"))
        .branch((model, value) -> value instanceof ServedPrediction || value instanceof LabelledPrediction,
            Branched.withConsumer(joined -> performanceWindows(builder, joined, properties, approvals, meters, tracing), "performance"))
        .branch((model, value) -> value instanceof DataRecord, to(Topics.DATA_RECORD))
        .defaultBranch(toDeadLetters(MonitorServiceApplication.NAME));
    return out;
  }

  /**
   * The performance windows, fed by the join within the same stream task: served and labelled predictions in,
   * performance reports and retraining requests out. They share the drift windows' {@code models} store (one
   * retraining cooldown per model, whatever the reason), which keeps drift, join and performance in one
   * sub-topology.
   */
  private static void performanceWindows(StreamsBuilder builder, KStream<String, Object> joined, MonitorProperties properties,
      ApprovedModels approvals, MeterRegistry meters, KloopTracing tracing) {
    PerformanceGauges gauges = new PerformanceGauges(meters);
    PerformanceStores.builders().forEach(builder::addStateStore);
    joined
        .process(() -> new PerformanceProcessor(properties, approvals, meters, gauges, tracing), Named.as("performance-windows"),
            PerformanceStores.NAMES.toArray(String[]::new))
        .split(Named.as("performance-"))
        .branch((model, value) -> value instanceof PerformanceReported, to(Topics.PERFORMANCE_REPORTED))
        .branch((model, value) -> value instanceof RetrainingRequested, to(Topics.RETRAINING_REQUESTED))
        .defaultBranch(toDeadLetters(MonitorServiceApplication.NAME));
  }
}
