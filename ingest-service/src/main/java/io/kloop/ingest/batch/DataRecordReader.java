package io.kloop.ingest.batch;

import io.kloop.events.DataRecord;
import io.kloop.events.FeedbackOrigin;
import io.kloop.schemas.BatchFiles;
import io.kloop.schemas.EventCatalog;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Reads, from the bytes of a {@link DataRecord}, what the pipeline needs: dataset, record id, features,
 * label and, for a feedback record, its origin. Records written with the current schema (those of every
 * producer of this release) are read field by field, passing over the event id, time and producer, without
 * building the event object. Anything else (an older schema such as the one before {@code feedback}, a wrong
 * fingerprint, bytes the direct read cannot make sense of) goes through {@link EventDeserializer}, so what
 * is refused, and the reason given, stay its own. Not thread-safe.
 */
final class DataRecordReader {

  /**
   * The fields of a record the pipeline looks at. Features are as {@link DataRecord#getFeatures()} holds them;
   * {@code feedback} is {@link DataRecord#getFeedback()}, null for a data producer's record.
   */
  record Fields(String dataset, String recordId, Map<String, Object> features, String label, BatchFiles.Feedback feedback) {

    static Fields of(DataRecord record) {
      FeedbackOrigin origin = record.getFeedback();
      return new Fields(record.getDataset(), record.getRecordId(), record.getFeatures(), record.getLabel(),
          origin == null ? null : new BatchFiles.Feedback(origin.getModel(), origin.getVersion(), origin.getPredictionId()));
    }
  }

  private static final Schema CURRENT = DataRecord.getClassSchema();
  private static final long CURRENT_FINGERPRINT = EventCatalog.fingerprint(CURRENT);
  private static final int HEADER_LENGTH = 10;

  /** Whether the current schema has the layout the direct read expects (else every record takes the long way). */
  static final boolean DIRECT = sameLayout();

  private final EventDeserializer<DataRecord> events = new EventDeserializer<>(DataRecord.class);
  private BinaryDecoder decoder;
  private Utf8 scratch;

  /** The record's fields; null for null bytes (a tombstone). Undecodable bytes raise {@link EventDecodingException}. */
  Fields read(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (DIRECT && data.length >= HEADER_LENGTH && data[0] == (byte) 0xC3 && data[1] == (byte) 0x01
        && littleEndianLong(data, 2) == CURRENT_FINGERPRINT) {
      try {
        return direct(data);
      } catch (IOException | RuntimeException e) {
        // The full decoder refuses these bytes too, and says why.
      }
    }
    DataRecord record = events.deserialize(topic, data);
    return record == null ? null : Fields.of(record);
  }

  private Fields direct(byte[] data) throws IOException {
    decoder = DecoderFactory.get().binaryDecoder(data, HEADER_LENGTH, data.length - HEADER_LENGTH, decoder);
    // Read (not skipped) into one reused buffer: the same checks of lengths as the full decoder's.
    scratch = decoder.readString(scratch); // eventId
    decoder.readLong(); // eventTime
    scratch = decoder.readString(scratch); // producer
    String dataset = decoder.readString();
    String recordId = decoder.readString();
    Map<String, Object> features = new HashMap<>();
    for (long block = decoder.readMapStart(); block != 0; block = decoder.mapNext()) {
      for (long i = 0; i < block; i++) {
        String name = decoder.readString();
        int branch = decoder.readIndex();
        Object value = switch (branch) {
          case 0 -> null;
          case 1 -> decoder.readBoolean();
          case 2 -> decoder.readLong();
          case 3 -> decoder.readDouble();
          case 4 -> decoder.readString();
          default -> throw new AvroRuntimeException("union index " + branch + " out of range");
        };
        features.put(name, value);
      }
    }
    int labelBranch = decoder.readIndex();
    String label = switch (labelBranch) {
      case 0 -> null;
      case 1 -> decoder.readString();
      default -> throw new AvroRuntimeException("union index " + labelBranch + " out of range");
    };
    int feedbackBranch = decoder.readIndex();
    BatchFiles.Feedback feedback = switch (feedbackBranch) {
      case 0 -> null;
      case 1 -> new BatchFiles.Feedback(decoder.readString(), decoder.readInt(), decoder.readString());
      default -> throw new AvroRuntimeException("union index " + feedbackBranch + " out of range");
    };
    return new Fields(dataset, recordId, features, label, feedback);
  }

  /** The fields, in order, that {@link #direct} reads, those of the feedback origin too. */
  private static boolean sameLayout() {
    return EventCatalog.layout(CURRENT).equals(List.of("eventId:STRING", "eventTime:LONG/timestamp-millis", "producer:STRING",
        "dataset:STRING", "recordId:STRING", "features:MAP<[NULL, BOOLEAN, LONG, DOUBLE, STRING]>", "label:[NULL, STRING]",
        "feedback:[NULL, io.kloop.events.FeedbackOrigin]"))
        && EventCatalog.layout(FeedbackOrigin.getClassSchema()).equals(List.of("model:STRING", "version:INT", "predictionId:STRING"));
  }

  private static long littleEndianLong(byte[] data, int offset) {
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (data[offset + i] & 0xFFL);
    }
    return value;
  }
}
