package io.kloop.inference.log;

import io.kloop.events.PredictionLogged;
import io.kloop.schemas.EventCatalog;
import io.kloop.schemas.EventSerializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.UnresolvedUnionException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes {@link PredictionLogged} events in the same bytes as {@link EventSerializer} (Avro single-object
 * encoding), field by field instead of through Avro's reflective writer, which spends a quarter of its time
 * choosing each input's union branch by schema name. Any schema whose layout is not the one written here
 * (after an evolution of the event) goes through {@link EventSerializer}, as does anything this writer
 * refuses, so errors stay Avro's own. A test checks the bytes against {@link EventSerializer}'s.
 */
public final class PredictionLoggedSerializer implements Serializer<PredictionLogged> {

  private static final Schema SCHEMA = PredictionLogged.getClassSchema();
  private static final Schema INPUT = SCHEMA.getField("inputs").schema().getValueType();

  /** Whether the current schema has the layout written here (else every event takes the generic way). */
  static final boolean DIRECT = sameLayout();

  private static final byte[] HEADER = header();

  private final EventSerializer<PredictionLogged> generic = new EventSerializer<>();
  private final ThreadLocal<Writer> writers = ThreadLocal.withInitial(Writer::new);

  @Override
  public byte[] serialize(String topic, PredictionLogged event) {
    if (event == null || !DIRECT) {
      return generic.serialize(topic, event);
    }
    Writer writer = writers.get();
    try {
      return writer.write(event);
    } catch (IOException | RuntimeException e) {
      // Avro's writer refuses the same event and says why (a null field, a value of no branch of the union).
      writer.reset();
      return generic.serialize(topic, event);
    }
  }

  /** A reusable buffer and the encoder over it, one per thread. */
  private static final class Writer extends ByteArrayOutputStream {

    private final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(this, null);

    Writer() {
      super(2048);
    }

    byte[] write(PredictionLogged event) throws IOException {
      reset();
      write(HEADER, 0, HEADER.length);
      encoder.writeString(event.getEventId());
      encoder.writeLong(event.getEventTime().toEpochMilli());
      encoder.writeString(event.getProducer());
      encoder.writeString(event.getRequestId());
      encoder.writeInt(event.getInstanceIndex());
      encoder.writeString(event.getModel());
      encoder.writeInt(event.getVersion());
      Map<String, Object> inputs = event.getInputs();
      encoder.writeMapStart();
      encoder.setItemCount(inputs.size());
      int written = 0;
      for (Map.Entry<String, Object> input : inputs.entrySet()) {
        encoder.startItem();
        encoder.writeString(input.getKey());
        writeInput(input.getValue());
        written++;
      }
      checkSize(inputs, written);
      encoder.writeMapEnd();
      encoder.writeString(event.getPredictedClass());
      Map<String, Double> probabilities = event.getProbabilities();
      encoder.writeMapStart();
      encoder.setItemCount(probabilities.size());
      written = 0;
      for (Map.Entry<String, Double> probability : probabilities.entrySet()) {
        encoder.startItem();
        encoder.writeString(probability.getKey());
        encoder.writeDouble(probability.getValue());
        written++;
      }
      checkSize(probabilities, written);
      encoder.writeMapEnd();
      encoder.writeLong(event.getLatencyMicros());
      String predictionId = event.getPredictionId();
      if (predictionId == null) {
        encoder.writeIndex(0);
      } else {
        encoder.writeIndex(1);
        encoder.writeString(predictionId);
      }
      return Arrays.copyOf(buf, count);
    }

    /** The branches of {@code ["null", "boolean", "long", "double", "string"]}, chosen by Java type as Avro does. */
    private void writeInput(Object value) throws IOException {
      if (value == null) {
        encoder.writeIndex(0);
      } else if (value instanceof Double number) {
        encoder.writeIndex(3);
        encoder.writeDouble(number);
      } else if (value instanceof Boolean bool) {
        encoder.writeIndex(1);
        encoder.writeBoolean(bool);
      } else if (value instanceof Long number) {
        encoder.writeIndex(2);
        encoder.writeLong(number);
      } else if (value instanceof CharSequence text) {
        encoder.writeIndex(4);
        encoder.writeString(text); // as Avro does: a Utf8's own bytes, anything else as a String
      } else {
        throw new UnresolvedUnionException(INPUT, value);
      }
    }
  }

  /** A map that changed while it was written: Avro's writer refuses it too (and says so). */
  private static void checkSize(Map<?, ?> map, int written) {
    if (written != map.size()) {
      throw new ConcurrentModificationException("map size " + map.size() + " but " + written + " entries written");
    }
  }

  /** The single-object header: marker C3 01, then the schema's CRC-64-AVRO fingerprint as Avro writes it. */
  private static byte[] header() {
    byte[] fingerprint;
    try {
      fingerprint = SchemaNormalization.parsingFingerprint("CRC-64-AVRO", SCHEMA);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] header = Arrays.copyOf(new byte[] {(byte) 0xC3, 0x01}, 2 + fingerprint.length);
    System.arraycopy(fingerprint, 0, header, 2, fingerprint.length);
    return header;
  }

  /** The fields, in order, that {@link Writer#write} writes. */
  private static boolean sameLayout() {
    return EventCatalog.layout(SCHEMA).equals(List.of("eventId:STRING", "eventTime:LONG/timestamp-millis", "producer:STRING",
        "requestId:STRING", "instanceIndex:INT", "model:STRING", "version:INT", "inputs:MAP<[NULL, BOOLEAN, LONG, DOUBLE, STRING]>",
        "predictedClass:STRING", "probabilities:MAP<DOUBLE>", "latencyMicros:LONG", "predictionId:[NULL, STRING]"));
  }
}
