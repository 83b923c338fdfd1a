package io.kloop.training;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.schemas.Topic;
import io.kloop.service.tracing.KloopTracing;
import io.kloop.training.run.CauseTraces;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.ArtifactStore;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.service.kafka.TopicReplica;
import io.kloop.training.imports.ImportAdmission;
import io.kloop.training.run.RunRecords;
import io.kloop.training.state.TrainingState;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;

@Configuration(proxyBeanMethods = false)
class TrainingConfiguration {

  @Bean
  ArtifactStore artifactStore(TrainingProperties properties) {
    return new LocalArtifactStore(properties.artifactRoot());
  }

  /** The bounds of imports at once: concurrent uploads and imports pending judgement. */
  @Bean
  ImportAdmission importAdmission(TrainingProperties properties) {
    return new ImportAdmission(properties.maxConcurrentImports(), properties.maxPendingImports());
  }

  /** Replays what training needs to know from Kafka before the service takes traffic or triggers. */
  @Bean
  TopicReplica trainingStateReplica(ConsumerFactory<?, ?> consumers, TrainingState state, RunRecords runs, CauseTraces traces,
      KloopTracing tracing) {
    List<Topic<String, ?>> topics = List.of(Topics.DATASET_SPEC_DECLARED, Topics.DATASET_BATCH_COMMITTED, Topics.MODEL_SPEC_DECLARED,
        Topics.MODEL_APPROVED, Topics.MODEL_TRAINED, Topics.TRAINING_FAILED);
    return new TopicReplica(TrainingServiceApplication.NAME + "-state", consumers.getConfigurationProperties(), topics,
        (topic, record, event) -> {
          state.apply(event);
          runs.apply(event);
          if (tracing.enabled() && event instanceof DatasetBatchCommitted batch) {
            traces.put(batch.getBatchId(), tracing.remote(record.headers()));
          }
        }, 0);
  }
}
