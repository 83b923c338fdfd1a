package io.kloop.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * The format of sealed dataset batches: an Avro object container file of {@code BatchRow} records
 * (schema in {@code io/kloop/schemas/files/BatchRow.avsc}). Files are deterministic: the same rows under
 * the same batch id give the same bytes, hence the same SHA-256, because the container's sync marker is
 * derived from the batch id instead of drawn at random.
 */
public final class BatchFiles {

  /** Media type of batch files in the artifact store. */
  public static final String MEDIA_TYPE = "application/avro";

  private static final Schema ROW = parse();

  private BatchFiles() {}

  /** One row of a batch. Feature values are Double, Boolean, String or null. */
  public record Row(String recordId, String label, Map<String, Object> features, int sourcePartition, long sourceOffset) {}

  public static Schema rowSchema() {
    return ROW;
  }

  /** CRC-64-AVRO fingerprint (hex) of the row schema, as announced in DatasetBatchCommitted. */
  public static String rowSchemaFingerprint() {
    return String.format("%016x", EventCatalog.fingerprint(ROW));
  }

  public static byte[] write(String batchId, List<Row> rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(ROW))) {
      writer.setMeta("kloop.batch.id", batchId);
      writer.create(ROW, out, syncMarker(batchId));
      for (Row row : rows) {
        GenericRecord record = new GenericData.Record(ROW);
        record.put("recordId", row.recordId());
        record.put("label", row.label());
        record.put("features", row.features());
        record.put("sourcePartition", row.sourcePartition());
        record.put("sourceOffset", row.sourceOffset());
        writer.append(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write batch " + batchId, e);
    }
    return out.toByteArray();
  }

  public static List<Row> read(byte[] file) {
    List<Row> rows = new ArrayList<>();
    try (DataFileReader<GenericRecord> reader = new DataFileReader<>(new SeekableByteArrayInput(file), new GenericDatumReader<>(ROW))) {
      for (GenericRecord record : reader) {
        Map<String, Object> features = new LinkedHashMap<>();
        ((Map<?, ?>) record.get("features")).forEach((k, v) -> features.put(k.toString(), v instanceof CharSequence s ? s.toString() : v));
        Object label = record.get("label");
        rows.add(new Row(record.get("recordId").toString(), label == null ? null : label.toString(), features,
            (Integer) record.get("sourcePartition"), (Long) record.get("sourceOffset")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("not a batch file: " + e.getMessage(), e);
    }
    return rows;
  }

  private static byte[] syncMarker(String batchId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(batchId.getBytes(StandardCharsets.UTF_8));
      return Arrays.copyOf(digest, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Schema parse() {
    try (InputStream in = BatchFiles.class.getClassLoader().getResourceAsStream("io/kloop/schemas/files/BatchRow.avsc")) {
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
