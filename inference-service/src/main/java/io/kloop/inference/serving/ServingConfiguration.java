package io.kloop.inference.serving;

import io.kloop.events.ModelApproved;
import io.kloop.events.PredictionLogged;
import io.kloop.inference.InferenceProperties;
import io.kloop.inference.InferenceServiceApplication;
import io.kloop.inference.artifacts.ModelArtifacts;
import io.kloop.inference.artifacts.RegistryArtifacts;
import io.kloop.inference.artifacts.SharedStoreArtifacts;
import io.kloop.inference.log.PredictionLog;
import io.kloop.inference.log.PredictionLoggedSerializer;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.service.kafka.TopicReplica;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;

@Configuration(proxyBeanMethods = false)
class ServingConfiguration {

  /**
   * The shared artifact store by default; with {@code kloop.inference.registry-url} set, downloads from the
   * registry, cached in the artifact root.
   */
  @Bean
  ModelArtifacts modelArtifacts(InferenceProperties properties) {
    return properties.registryUrl() == null
        ? new SharedStoreArtifacts(new LocalArtifactStore(properties.artifactRoot()))
        : new RegistryArtifacts(properties.registryUrl(), properties.artifactRoot(), properties.registryTimeout());
  }

  @Bean(destroyMethod = "closeAll")
  ServedModels servedModels(ModelArtifacts artifacts, InferenceProperties properties, MeterRegistry meters, KloopTracing tracing) {
    Duration longest = properties.registryRetryMaxDelay();
    Duration first = Duration.ofSeconds(1);
    return new ServedModels(artifacts, meters, longest.compareTo(first) < 0 ? longest : first, longest, tracing);
  }

  /**
   * Every instance reads all of {@code mlops.registry.model-approved} (no consumer group). At start-up it
   * loads each model's latest approval before the service reports ready; when that version cannot be
   * loaded, the approvals before it that the compacted topic still holds are tried, newest first. After
   * that it swaps in each new approval as it comes.
   */
  @Bean
  TopicReplica approvedModels(ConsumerFactory<?, ?> consumers, ServedModels models, KloopTracing tracing) {
    Map<String, List<ServedModels.Approval>> history = new LinkedHashMap<>();
    boolean[] caughtUp = {false};
    List<Topic<String, ?>> topics = List.of(Topics.MODEL_APPROVED);
    return new TopicReplica(InferenceServiceApplication.NAME + "-approved-models", consumers.getConfigurationProperties(), topics,
        (topic, record, event) -> {
          ServedModels.Approval approval = new ServedModels.Approval((ModelApproved) event, tracing.remote(record.headers()));
          if (caughtUp[0]) {
            models.submit(approval.event(), approval.decision());
          } else {
            history.computeIfAbsent(approval.event().getModel(), m -> new ArrayList<>()).add(approval);
          }
        }, 0)
        .whenCaughtUp(() -> {
          history.values().forEach(models::applyNewest);
          history.clear();
          caughtUp[0] = true;
        });
  }

  /**
   * A producer of its own for the prediction log: batches for up to 20 ms; when Kafka is away, a send
   * waits at most 1 s for buffer space and a batch at most 30 s for delivery.
   */
  @Bean
  PredictionLog predictionLog(KafkaProperties kafka, InferenceProperties properties, MeterRegistry meters, KloopTracing tracing) {
    Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, InferenceServiceApplication.NAME + "-prediction-log");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, properties.predictionLogCompression());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
    // Give up on a batch within 30 s (not the default 2 min), so a shutdown while Kafka is away ends in bounded time.
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    Producer<String, PredictionLogged> producer = new KafkaProducer<>(config, new StringSerializer(), new PredictionLoggedSerializer());
    return new PredictionLog(producer, properties.predictionLogBuffer(), meters, tracing);
  }

  @Bean
  Predictions predictions(ServedModels models, PredictionLog log, InferenceProperties properties, KloopTracing tracing, Clock clock) {
    return new Predictions(models, log, properties, tracing, clock);
  }

  /** Readiness detail of the prediction log: its buffer and counts. Always up: the service answers without Kafka. */
  @Bean
  HealthIndicator predictionLogHealthIndicator(PredictionLog log) {
    return () -> Health.up().withDetails(log.status()).build();
  }

  /** Readiness detail: each model's served version, and the last version that failed to load, with why. */
  @Bean
  HealthIndicator modelsHealthIndicator(ServedModels models) {
    return () -> Health.up().withDetails(new LinkedHashMap<>(models.status())).build();
  }
}
