package io.kloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.DataRecord;
import io.kloop.events.ModelApproved;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventDeserializerTest {

  private final EventSerializer<DataRecord> serializer = new EventSerializer<>();

  @Test
  void shouldDecodeAnyEventIntoItsOwnClassWhenNoTypeIsConfigured() {
    DataRecord record = RandomEvents.of(DataRecord.class, 1, 1).get(0);
    byte[] bytes = serializer.serialize("t", record);

    assertThat(new EventDeserializer<>().deserialize("t", bytes)).isEqualTo(record);
  }

  @Test
  void shouldWriteTheSingleObjectHeaderWithTheCurrentSchemaFingerprint() {
    byte[] bytes = serializer.serialize("t", RandomEvents.of(DataRecord.class, 1, 2).get(0));

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(EventDeserializer.littleEndianLong(bytes, 2))
        .isEqualTo(EventCatalog.fingerprint(DataRecord.getClassSchema()));
  }

  @Test
  void shouldRejectBytesThatAreNotSingleObjectEncoded() {
    byte[] garbage = "{\"dataset\": \"iris\"}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> new EventDeserializer<>().deserialize("mlops.ingest.data-record", garbage))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("topic mlops.ingest.data-record")
        .hasMessageContaining("not an Avro single-object encoded event")
        .hasMessageContaining("7B 22 64");
  }

  @Test
  void shouldNameAnUnknownFingerprint() {
    byte[] bytes = serializer.serialize("t", RandomEvents.of(DataRecord.class, 1, 3).get(0));
    Arrays.fill(bytes, 2, 10, (byte) 0x5A);

    assertThatThrownBy(() -> new EventDeserializer<>().deserialize("t", bytes))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("unknown schema fingerprint 5a5a5a5a5a5a5a5a")
        .hasMessageContaining("upgrade consumers before producers");
  }

  @Test
  void shouldRefuseAnotherEventThanTheConfiguredOne() {
    EventDeserializer<ModelApproved> deserializer = new EventDeserializer<>();
    deserializer.configure(Map.of(EventDeserializer.EVENT_TYPE_CONFIG, "ModelApproved"), false);
    byte[] dataRecord = serializer.serialize("t", RandomEvents.of(DataRecord.class, 1, 4).get(0));

    assertThatThrownBy(() -> deserializer.deserialize("t", dataRecord))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("expected ModelApproved but the record holds DataRecord");
  }

  @Test
  void shouldReportATruncatedBody() {
    byte[] bytes = serializer.serialize("t", RandomEvents.of(DataRecord.class, 1, 5).get(0));
    byte[] truncated = Arrays.copyOf(bytes, 14);

    assertThatThrownBy(() -> new EventDeserializer<>().deserialize("t", truncated))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("corrupt DataRecord body");
  }

  @Test
  void shouldReportAnImpossibleLengthAsACorruptBody() {
    byte[] bytes = serializer.serialize("t", RandomEvents.of(DataRecord.class, 1, 6).get(0));
    // The event id's length, a zig-zag varint, made 2^31 - 1 (more than an array can hold).
    byte[] corrupt = new byte[bytes.length + 4];
    System.arraycopy(bytes, 0, corrupt, 0, 10);
    byte[] length = {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
    System.arraycopy(length, 0, corrupt, 10, length.length);

    assertThatThrownBy(() -> new EventDeserializer<>().deserialize("t", corrupt))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("corrupt DataRecord body");
  }

  @Test
  void shouldRejectAnUnknownConfiguredType() {
    assertThatThrownBy(() -> new EventDeserializer<>().configure(Map.of(EventDeserializer.EVENT_TYPE_CONFIG, "Nope"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kloop.event.type=Nope is not an event");
  }

  @Test
  void shouldTreatNullAsATombstone() {
    assertThat(new EventDeserializer<>().deserialize("t", null)).isNull();
    assertThat(serializer.serialize("t", null)).isNull();
  }
}
