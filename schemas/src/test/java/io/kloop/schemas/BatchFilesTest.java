package io.kloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.avro.Schema;
import org.apache.avro.UnresolvedUnionException;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class BatchFilesTest {

  @Test
  void shouldWriteTheSameBytesAsAppendingGenericRecords() throws Exception {
    for (int size : new int[] {0, 1, 7, 3_000, 20_000}) {
      List<BatchFiles.Row> rows = rows(size, size);
      String batchId = "bench-v1-p0-" + size + "-" + (2 * size);

      byte[] written = BatchFiles.write(batchId, rows);

      assertThat(written).as("%d rows", size).isEqualTo(generic(batchId, rows));
      assertThat(BatchFiles.read(written)).isEqualTo(rows);
    }
  }

  @Test
  void shouldBuildTheSameFileRowByRowAsAtOnce() {
    List<BatchFiles.Row> rows = rows(5_000, 1);
    BatchFiles.Builder builder = new BatchFiles.Builder();
    rows.forEach(builder::add);

    assertThat(builder.size()).isEqualTo(rows.size());
    assertThat(builder.write("b-1")).isEqualTo(BatchFiles.write("b-1", rows));
  }

  @Test
  void shouldRefuseAValueOutsideTheRowSchemaAndKeepTheRowsBefore() {
    BatchFiles.Builder builder = new BatchFiles.Builder();
    List<BatchFiles.Row> rows = rows(3, 2);
    rows.forEach(builder::add);
    Map<String, Object> features = new LinkedHashMap<>();
    features.put("x", 1.0);
    features.put("count", 3L);

    assertThatThrownBy(() -> builder.add(new BatchFiles.Row("bad", null, features, 0, 9)))
        .isInstanceOf(UnresolvedUnionException.class);
    assertThat(builder.size()).isEqualTo(3);
    assertThat(builder.write("b-2")).isEqualTo(BatchFiles.write("b-2", rows));
  }

  @Test
  void shouldReadAFileWrittenBeforeRowsCarriedTheirFeedbackOrigin() throws Exception {
    Schema before = new Schema.Parser().parse(BatchFiles.rowSchema().toString().replaceFirst(",\\{\"name\":\"feedback\".*\\}\\]\\}$", "]}"));
    assertThat(before.getField("feedback")).isNull();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(before))) {
      writer.create(before, out);
      GenericRecord record = new GenericData.Record(before);
      record.put("recordId", "r1");
      record.put("label", "yes");
      record.put("features", Map.of("x", 1.5));
      record.put("sourcePartition", 2);
      record.put("sourceOffset", 40L);
      writer.append(record);
    }

    assertThat(BatchFiles.read(out.toByteArray())).containsExactly(new BatchFiles.Row("r1", "yes", Map.of("x", 1.5), 2, 40L));
  }

  private static List<BatchFiles.Row> rows(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<BatchFiles.Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Map<String, Object> features = new LinkedHashMap<>();
      features.put("radius", random.nextInt(10) == 0 ? null : random.nextGaussian() * 1e3);
      features.put("site", random.nextBoolean() ? "a" : "ünïcode-" + random.nextInt(100));
      features.put("smoker", random.nextInt(5) == 0 ? null : random.nextBoolean());
      features.put("empty", "");
      BatchFiles.Feedback feedback = random.nextInt(3) == 0 ? new BatchFiles.Feedback("model-" + random.nextInt(2), 1 + random.nextInt(5), "order-" + i) : null;
      rows.add(new BatchFiles.Row("r" + i, random.nextInt(4) == 0 ? null : "class-" + random.nextInt(3), features,
          random.nextInt(3), random.nextLong(1L << 40), feedback));
    }
    return rows;
  }

  /** The writer as it was before rows were encoded one by one: the reference for the file format. */
  private static byte[] generic(String batchId, List<BatchFiles.Row> rows) throws IOException, Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(BatchFiles.rowSchema()))) {
      writer.setMeta("kloop.batch.id", batchId);
      byte[] sync = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(batchId.getBytes(StandardCharsets.UTF_8)), 16);
      writer.create(BatchFiles.rowSchema(), out, sync);
      for (BatchFiles.Row row : rows) {
        GenericRecord record = new GenericData.Record(BatchFiles.rowSchema());
        record.put("recordId", row.recordId());
        record.put("label", row.label());
        record.put("features", row.features());
        record.put("sourcePartition", row.sourcePartition());
        record.put("sourceOffset", row.sourceOffset());
        if (row.feedback() != null) {
          Schema origin = BatchFiles.rowSchema().getField("feedback").schema().getTypes().get(1);
          GenericRecord feedback = new GenericData.Record(origin);
          feedback.put("model", row.feedback().model());
          feedback.put("version", row.feedback().version());
          feedback.put("predictionId", row.feedback().predictionId());
          record.put("feedback", feedback);
        }
        writer.append(record);
      }
    }
    return out.toByteArray();
  }
}
