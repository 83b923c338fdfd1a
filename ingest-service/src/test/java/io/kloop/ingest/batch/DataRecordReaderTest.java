package io.kloop.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.DataRecord;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DataRecordReaderTest {

  private final EventSerializer<DataRecord> serializer = new EventSerializer<>();
  private final EventDeserializer<DataRecord> events = new EventDeserializer<>(DataRecord.class);
  private final DataRecordReader reader = new DataRecordReader();

  @Test
  void shouldReadTheCurrentSchemaDirectly() {
    assertThat(DataRecordReader.DIRECT).as("the direct read matches DataRecord's current schema").isTrue();
  }

  @Test
  void shouldReadWhatTheEventDeserializerReads() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 2_000; i++) {
      byte[] bytes = serializer.serialize("t", record(random, i));
      assertThat(reader.read("t", bytes)).isEqualTo(fields(events.deserialize("t", bytes)));
    }
  }

  @Test
  void shouldRefuseWhatTheEventDeserializerRefusesWithItsReason() {
    SplittableRandom random = new SplittableRandom(11);
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = serializer.serialize("t", record(random, i));
      byte[] damaged = random.nextBoolean() ? Arrays.copyOf(bytes, 10 + random.nextInt(bytes.length - 10))
          : flip(bytes, 10 + random.nextInt(bytes.length - 10), random);
      DataRecord expected;
      try {
        expected = events.deserialize("t", damaged);
      } catch (EventDecodingException e) {
        refused++;
        DataRecordReader.Fields read;
        try {
          read = reader.read("t", damaged);
        } catch (EventDecodingException refusal) {
          assertThat(refusal).hasMessage(e.getMessage());
          continue;
        }
        throw new AssertionError("read " + read + " where the deserializer refused: " + e.getMessage());
      }
      assertThat(reader.read("t", damaged)).isEqualTo(fields(expected));
    }
    assertThat(refused).isGreaterThan(4_000);
    assertThat(reader.read("t", null)).isNull();
    assertThatThrownBy(() -> reader.read("t", "garbage".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventDecodingException.class).hasMessageContaining("not an Avro single-object encoded event");
  }

  private static byte[] flip(byte[] bytes, int at, SplittableRandom random) {
    byte[] copy = bytes.clone();
    copy[at] = (byte) random.nextInt(256);
    return copy;
  }

  private static DataRecordReader.Fields fields(DataRecord record) {
    return new DataRecordReader.Fields(record.getDataset(), record.getRecordId(), record.getFeatures(), record.getLabel());
  }

  private static DataRecord record(SplittableRandom random, int i) {
    Map<String, Object> features = new HashMap<>();
    int count = random.nextInt(7);
    for (int f = 0; f < count; f++) {
      features.put("f" + f + (f % 3 == 0 ? "é" : ""), switch (random.nextInt(5)) {
        case 0 -> null;
        case 1 -> random.nextBoolean();
        case 2 -> random.nextLong();
        case 3 -> random.nextGaussian();
        default -> "v" + random.nextInt(1000);
      });
    }
    return DataRecord.newBuilder().setEventId("e" + i).setEventTime(Instant.ofEpochMilli(random.nextLong(1L << 42)))
        .setProducer("test").setDataset("ds-" + random.nextInt(3)).setRecordId("r" + i).setFeatures(features)
        .setLabel(random.nextBoolean() ? null : "class-" + random.nextInt(3)).build();
  }
}
