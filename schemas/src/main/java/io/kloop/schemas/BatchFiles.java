package io.kloop.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.UnresolvedUnionException;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

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

  /**
   * One row of a batch. Feature values are Double, Boolean, String or null; {@code feedback} is the served
   * prediction the row came from, null for a data producer's record.
   */
  public record Row(String recordId, String label, Map<String, Object> features, int sourcePartition, long sourceOffset, Feedback feedback) {

    /** A data producer's record. */
    public Row(String recordId, String label, Map<String, Object> features, int sourcePartition, long sourceOffset) {
      this(recordId, label, features, sourcePartition, sourceOffset, null);
    }
  }

  /** The served prediction a feedback row came from. */
  public record Feedback(String model, int version, String predictionId) {}

  public static Schema rowSchema() {
    return ROW;
  }

  /** CRC-64-AVRO fingerprint (hex) of the row schema, as announced in DatasetBatchCommitted. */
  public static String rowSchemaFingerprint() {
    return String.format("%016x", EventCatalog.fingerprint(ROW));
  }

  public static byte[] write(String batchId, List<Row> rows) {
    Builder builder = new Builder();
    rows.forEach(builder::add);
    return builder.write(batchId);
  }

  /**
   * A batch file built row by row: each row is encoded (Avro binary, {@code BatchRow}) as it is added, so
   * an open batch is held as bytes rather than objects, and the file is written once its id is known.
   * {@link #write} gives exactly the bytes of {@link BatchFiles#write(String, List)} for the same rows.
   */
  public static final class Builder {

    private static final int VALUE_NULL = 0;
    private static final int VALUE_BOOLEAN = 1;
    private static final int VALUE_DOUBLE = 2;
    private static final int VALUE_STRING = 3;

    private final Buffer rows = new Buffer();
    private final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(rows, null);
    private int[] ends = new int[64];
    private int count;

    /** Encodes one row. Feature values must be Double, Boolean, a CharSequence or null. */
    public void add(Row row) {
      int start = rows.size();
      try {
        encoder.writeString(Objects.requireNonNull(row.recordId(), "recordId"));
        if (row.label() == null) {
          encoder.writeIndex(0);
        } else {
          encoder.writeIndex(1);
          encoder.writeString(row.label());
        }
        Map<String, Object> features = row.features();
        encoder.writeMapStart();
        encoder.setItemCount(features.size());
        for (Map.Entry<String, Object> feature : features.entrySet()) {
          encoder.startItem();
          encoder.writeString(feature.getKey());
          Object value = feature.getValue();
          if (value == null) {
            encoder.writeIndex(VALUE_NULL);
          } else if (value instanceof Double number) {
            encoder.writeIndex(VALUE_DOUBLE);
            encoder.writeDouble(number);
          } else if (value instanceof Boolean bool) {
            encoder.writeIndex(VALUE_BOOLEAN);
            encoder.writeBoolean(bool);
          } else if (value instanceof CharSequence text) {
            encoder.writeIndex(VALUE_STRING);
            encoder.writeString(text.toString());
          } else {
            throw new UnresolvedUnionException(ROW.getField("features").schema().getValueType(), value);
          }
        }
        encoder.writeMapEnd();
        encoder.writeInt(row.sourcePartition());
        encoder.writeLong(row.sourceOffset());
        Feedback feedback = row.feedback();
        if (feedback == null) {
          encoder.writeIndex(0);
        } else {
          encoder.writeIndex(1);
          encoder.writeString(Objects.requireNonNull(feedback.model(), "feedback.model"));
          encoder.writeInt(feedback.version());
          encoder.writeString(Objects.requireNonNull(feedback.predictionId(), "feedback.predictionId"));
        }
      } catch (IOException e) {
        rows.truncate(start);
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        rows.truncate(start);
        throw e;
      }
      if (count == ends.length) {
        ends = Arrays.copyOf(ends, count * 2);
      }
      ends[count++] = rows.size();
    }

    /** Rows added so far. */
    public int size() {
      return count;
    }

    /** The batch file of the rows added so far, under this batch id (which also fixes the sync marker). */
    public byte[] write(String batchId) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() + 1024);
      try (DataFileWriter<Object> writer = new DataFileWriter<>(new GenericDatumWriter<>(ROW))) {
        writer.setMeta("kloop.batch.id", batchId);
        writer.create(ROW, out, syncMarker(batchId));
        int start = 0;
        for (int i = 0; i < count; i++) {
          // The same blocks as appending the rows one by one: the writer cuts them by encoded size.
          writer.appendEncoded(ByteBuffer.wrap(rows.bytes(), start, ends[i] - start));
          start = ends[i];
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write batch " + batchId, e);
      }
      return out.toByteArray();
    }
  }

  /** A byte array output stream whose array can be read without a copy. */
  private static final class Buffer extends ByteArrayOutputStream {

    Buffer() {
      super(64 * 1024);
    }

    byte[] bytes() {
      return buf;
    }

    void truncate(int size) {
      count = size;
    }
  }

  public static List<Row> read(byte[] file) {
    List<Row> rows = new ArrayList<>();
    try (DataFileReader<GenericRecord> reader = new DataFileReader<>(new SeekableByteArrayInput(file), new GenericDatumReader<>(ROW))) {
      for (GenericRecord record : reader) {
        Map<String, Object> features = new LinkedHashMap<>();
        ((Map<?, ?>) record.get("features")).forEach((k, v) -> features.put(k.toString(), v instanceof CharSequence s ? s.toString() : v));
        Object label = record.get("label");
        GenericRecord origin = (GenericRecord) record.get("feedback");
        Feedback feedback = origin == null ? null
            : new Feedback(origin.get("model").toString(), (Integer) origin.get("version"), origin.get("predictionId").toString());
        rows.add(new Row(record.get("recordId").toString(), label == null ? null : label.toString(), features,
            (Integer) record.get("sourcePartition"), (Long) record.get("sourceOffset"), feedback));
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
