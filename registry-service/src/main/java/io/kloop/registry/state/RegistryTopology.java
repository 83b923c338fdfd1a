package io.kloop.registry.state;

import static io.kloop.service.kafka.StreamsBranches.to;
import static io.kloop.service.kafka.StreamsBranches.toDeadLetters;

import io.kloop.events.ModelApproved;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelRolledBack;
import io.kloop.registry.RegistryServiceApplication;
import io.kloop.registry.policy.PromotionPolicies;
import io.kloop.schemas.Topics;
import io.kloop.service.tracing.KloopTracing;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;

/**
 * The registry's Kafka Streams topology: trained models and operator requests in (one source, so a model's
 * events from both topics are applied by one task in order), approvals, rejections, rollbacks and dead
 * letters out.
 */
@Configuration
@EnableKafkaStreams
class RegistryTopology {

  @Bean
  KStream<String, Object> registryDecisions(StreamsBuilder builder, PromotionPolicies policies, KloopTracing tracing) {
    builder.addStateStore(RegistryStores.models());
    builder.addStateStore(RegistryStores.versions());
    builder.addStateStore(RegistryStores.trained());
    builder.addStateStore(RegistryStores.seen());
    builder.addStateStore(RegistryStores.audit());
    KStream<String, Object> out = builder
        .stream(List.of(Topics.MODEL_TRAINED.name(), Topics.MODEL_DECISION_REQUESTED.name()),
            Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("trained-models-and-requests"))
        .process(() -> new RegistryProcessor(policies, tracing), Named.as("register-and-decide"),
            RegistryStores.MODELS, RegistryStores.VERSIONS, RegistryStores.TRAINED, RegistryStores.SEEN, RegistryStores.AUDIT);
    out.split(Named.as("registry-"))
        .branch((model, value) -> value instanceof ModelApproved, to(Topics.MODEL_APPROVED))
        .branch((model, value) -> value instanceof ModelRejected, to(Topics.MODEL_REJECTED))
        .branch((model, value) -> value instanceof ModelRolledBack, to(Topics.MODEL_ROLLED_BACK))
        .defaultBranch(toDeadLetters(RegistryServiceApplication.NAME));
    return out;
  }
}
