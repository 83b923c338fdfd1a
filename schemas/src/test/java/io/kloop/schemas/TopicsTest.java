package io.kloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void shouldGiveEveryEventOfTheContractATopic() {
    Set<Class<?>> carried = new HashSet<>();
    Topics.EVENT_TOPICS.forEach(t -> carried.add(t.valueType()));

    assertThat(carried).containsExactlyInAnyOrderElementsOf(EventCatalog.EVENT_TYPES);
  }

  @Test
  void shouldCompactOnlyTheTopicsThatHoldCurrentState() {
    assertThat(Topics.EVENT_TOPICS).filteredOn(t -> t.cleanupPolicy() == Topic.CleanupPolicy.COMPACT)
        .containsExactly(Topics.DATASET_SPEC_DECLARED, Topics.MODEL_SPEC_DECLARED, Topics.MODEL_APPROVED);
    assertThat(Topics.MODEL_APPROVED.configs()).containsEntry("cleanup.policy", "compact");
  }

  @Test
  void shouldPartitionTheRegistrysInboxLikeTheTrainedModelsItIsReadWith() {
    // The registry reads both as one stream: a model's runs and requests must meet on one partition number.
    assertThat(Topics.MODEL_DECISION_REQUESTED.partitions()).isEqualTo(Topics.MODEL_TRAINED.partitions());
  }

  @Test
  void shouldKeepTheLedgersThatReadersReplayWhole() {
    assertThat(Topics.EVENT_TOPICS).filteredOn(t -> t.cleanupPolicy() == Topic.CleanupPolicy.KEEP)
        .containsExactly(Topics.DATASET_BATCH_COMMITTED, Topics.MODEL_TRAINED, Topics.MODEL_DECISION_REQUESTED);
    assertThat(Topics.DATASET_BATCH_COMMITTED.configs()).containsEntry("cleanup.policy", "delete").containsEntry("retention.ms", "-1");
    assertThat(Topics.PREDICTION_LOGGED.configs()).doesNotContainKey("retention.ms");
  }

  @Test
  void shouldNameTopicsByOwningServiceAndEvent() {
    for (Topic<String, ?> topic : Topics.EVENT_TOPICS) {
      String event = topic.valueType().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
      assertThat(topic.name()).endsWith("." + event).startsWith("mlops.");
      assertThat(Topics.SERVICES).contains(topic.name().split("\\.")[1]);
    }
  }

  @Test
  void shouldHoldANameConstantForEveryEventTopicAndNoOther() throws IllegalAccessException {
    List<Object> constants = new ArrayList<>();
    for (Field field : Topics.Names.class.getFields()) {
      constants.add(field.get(null));
    }

    assertThat(constants).containsExactlyElementsOf(Topics.EVENT_TOPICS.stream().map(Topic::name).toList());
  }

  @Test
  void shouldGiveEachServiceItsOwnDeadLetterTopic() {
    assertThat(Topics.deadLetter("ingest-service").name()).isEqualTo("mlops.ingest.dead-letter");
    assertThat(Topics.deadLetter("monitor").name()).isEqualTo("mlops.monitor.dead-letter");
    assertThat(Topics.all()).hasSize(Topics.EVENT_TOPICS.size() + Topics.SERVICES.size());
  }

  @Test
  void shouldRefuseNamesOutsideTheConvention() {
    assertThatThrownBy(() -> new Topic<>("models", String.class, SpecificRecord.class, 1, Topic.CleanupPolicy.DELETE, ""))
        .hasMessageContaining("mlops.<service>.<event-in-kebab-case>");
  }

  @Test
  void shouldRoundTripAnEventThroughATopicsSerde() {
    var event = RandomEvents.of(io.kloop.events.ModelApproved.class, 1, 9).get(0);
    var serde = Topics.MODEL_APPROVED.valueSerde();

    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", event))).isEqualTo(event);
  }
}
