package io.kloop.ingest.batch;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.ingest.IngestProperties;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.ingest.spec.DatasetSpecs;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.ArtifactStore;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.service.kafka.StreamsBranches;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.Stores;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.annotation.KafkaStreamsDefaultConfiguration;
import org.springframework.kafka.config.KafkaStreamsConfiguration;

/** The Kafka Streams topology of ingest: raw records in, dead letters and sealed batches out. */
@Configuration
@EnableKafkaStreams
class IntakePipeline {

  @Bean
  ArtifactStore artifactStore(IngestProperties properties) {
    return new LocalArtifactStore(properties.artifactRoot());
  }

  @Bean
  KStream<String, Object> recordIntake(StreamsBuilder builder, DatasetSpecs specs, ArtifactStore artifacts, IngestProperties properties,
      KafkaProperties kafka, @Qualifier(KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME) KafkaStreamsConfiguration streams,
      MeterRegistry meterRegistry, KloopTracing tracing) {
    Object guarantee = streams.asProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
    if (!StreamsConfig.EXACTLY_ONCE_V2.equals(guarantee)) {
      // The accepted ids, the open batches and the input offsets must commit together (README, "Exactly once").
      throw new IllegalStateException("ingest needs spring.kafka.streams.properties.processing.guarantee="
          + StreamsConfig.EXACTLY_ONCE_V2 + " (the default in ingest-service.yml), not " + guarantee
          + ": without it a crash can lose records or put them in two batches");
    }
    IntakeMeters meters = new IntakeMeters(meterRegistry);
    SourceReplay replay = new SourceReplay(kafka.buildConsumerProperties());
    IntakeSettings settings = IntakeSettings.of(properties);
    return build(builder, () -> new RecordIntakeProcessor(specs, artifacts, replay, settings, meters, tracing));
  }

  /**
   * Adds the topology to {@code builder}: the raw records through {@code intake} (a new processor per task),
   * with its two state stores, and its sealed batches and dead letters each to their topic.
   */
  static KStream<String, Object> build(StreamsBuilder builder, ProcessorSupplier<String, byte[], String, Object> intake) {
    builder.addStateStore(AcceptedIds.storeBuilder(RecordIntakeProcessor.RECORD_IDS));
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(RecordIntakeProcessor.OPEN_BATCHES), Serdes.String(), Serdes.String()).withCachingEnabled());

    KStream<String, Object> out = builder
        .stream(Topics.DATA_RECORD.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("raw-records"))
        .process(intake, Named.as("validate-deduplicate-batch"), RecordIntakeProcessor.RECORD_IDS, RecordIntakeProcessor.OPEN_BATCHES);
    out.split(Named.as("intake-"))
        .branch((dataset, value) -> value instanceof DatasetBatchCommitted, StreamsBranches.to(Topics.DATASET_BATCH_COMMITTED))
        .defaultBranch(StreamsBranches.toDeadLetters(IngestServiceApplication.NAME));
    return out;
  }
}
