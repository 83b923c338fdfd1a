package io.kloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.ArtifactRef;
import java.time.Instant;
import org.apache.avro.data.RecordBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class EventMetadataTest {

  private static final Instant AT = Instant.parse("2026-01-02T03:04:05.678Z");

  @Test
  void setsTheThreeFieldsOfEveryPlatformEvent() throws Exception {
    for (Class<? extends SpecificRecord> type : EventCatalog.EVENT_TYPES) {
      SpecificRecord random = RandomEvents.of(type, 1, 7).get(0);
      @SuppressWarnings("unchecked")
      RecordBuilder<SpecificRecord> builder = (RecordBuilder<SpecificRecord>) type.getMethod("newBuilder", type).invoke(null, random);

      SpecificRecord event = EventMetadata.of("id-" + type.getSimpleName(), AT, "some-service").build(builder);

      assertThat(event.get(event.getSchema().getField("eventId").pos())).as(type.getSimpleName()).isEqualTo("id-" + type.getSimpleName());
      assertThat(event.get(event.getSchema().getField("eventTime").pos())).as(type.getSimpleName()).isEqualTo(AT);
      assertThat(event.get(event.getSchema().getField("producer").pos())).as(type.getSimpleName()).isEqualTo("some-service");
    }
  }

  @Test
  void aFreshIdIsNewEachTime() {
    assertThat(EventMetadata.fresh(AT, "p").eventId()).isNotEqualTo(EventMetadata.fresh(AT, "p").eventId());
  }

  @Test
  void refusesTheBuilderOfARecordThatIsNoEvent() {
    assertThatThrownBy(() -> EventMetadata.of("id", AT, "p").build(ArtifactRef.newBuilder()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ArtifactRef");
  }
}
