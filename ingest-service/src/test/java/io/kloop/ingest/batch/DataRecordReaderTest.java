package io.kloop.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.DataRecord;
import io.kloop.events.FeedbackOrigin;
import io.kloop.schemas.BatchFiles;
import io.kloop.schemas.EventCatalog;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
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

  /**
   * Records written with the schema before {@code feedback} (frozen v1) are read by the fallback path, as the
   * event deserializer reads them: every field as written, and no origin.
   */
  @Test
  void shouldReadRecordsOfThePreviousSchemaVersion() throws Exception {
    Schema v1 = EventCatalog.frozenVersions(DataRecord.class).get(0);
    assertThat(v1.getField("feedback")).as("v1 is the schema before feedback").isNull();
    assertThat(EventCatalog.fingerprint(v1)).isNotEqualTo(EventCatalog.fingerprint(DataRecord.getClassSchema()));
    GenericRecord old = new GenericData.Record(v1);
    old.put("eventId", "e-old");
    old.put("eventTime", 1_700_000_000_000L);
    old.put("producer", "old-producer");
    old.put("dataset", "tumours");
    old.put("recordId", "r-old");
    Map<String, Object> features = new HashMap<>();
    features.put("radius", 12.5);
    features.put("site", "a");
    features.put("smoker", null);
    old.put("features", features);
    old.put("label", "benign");
    byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

    DataRecordReader.Fields read = reader.read("t", bytes);

    assertThat(read).isEqualTo(fields(events.deserialize("t", bytes)));
    assertThat(read.dataset()).isEqualTo("tumours");
    assertThat(read.recordId()).isEqualTo("r-old");
    assertThat(read.features()).containsOnlyKeys("radius", "site", "smoker").containsEntry("radius", 12.5).containsEntry("site", "a")
        .containsEntry("smoker", null);
    assertThat(read.label()).isEqualTo("benign");
    assertThat(read.feedback()).isNull();
  }

  @Test
  void shouldReadAFeedbackRecordsOrigin() {
    DataRecord record = DataRecord.newBuilder().setEventId("e").setEventTime(Instant.EPOCH).setProducer("monitor-service")
        .setDataset("tumours").setRecordId("feedback-1").setFeatures(Map.of("radius", 3.0)).setLabel("benign")
        .setFeedback(FeedbackOrigin.newBuilder().setModel("scanner").setVersion(2).setPredictionId("order-77").build()).build();

    DataRecordReader.Fields read = reader.read("t", serializer.serialize("t", record));

    assertThat(read.feedback()).isEqualTo(new BatchFiles.Feedback("scanner", 2, "order-77"));
    assertThat(read.recordId()).isEqualTo("feedback-1");
    assertThat(read.features()).containsOnly(Map.entry("radius", 3.0));
  }

  private static DataRecordReader.Fields fields(DataRecord record) {
    FeedbackOrigin origin = record.getFeedback();
    return new DataRecordReader.Fields(record.getDataset(), record.getRecordId(), record.getFeatures(), record.getLabel(),
        origin == null ? null : new BatchFiles.Feedback(origin.getModel(), origin.getVersion(), origin.getPredictionId()));
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
        .setLabel(random.nextBoolean() ? null : "class-" + random.nextInt(3))
        .setFeedback(random.nextBoolean() ? null : FeedbackOrigin.newBuilder().setModel("model-" + random.nextInt(3))
            .setVersion(random.nextInt(-2, 1_000_000)).setPredictionId(random.nextBoolean() ? new UUID(random.nextLong(), random.nextLong()).toString() : "prédiction-" + i)
            .build())
        .build();
  }
}
