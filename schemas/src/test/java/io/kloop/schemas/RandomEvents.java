package io.kloop.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.RandomData;

/** Seeded random instances of events, filled in every field, from Avro's own random data generator. */
public final class RandomEvents {

  private RandomEvents() {}

  /** Random generic records of a schema (any version), reproducible from the seed. */
  public static List<Object> generic(Schema schema, int count, long seed) {
    List<Object> records = new ArrayList<>();
    new RandomData(schema, count, seed).forEach(records::add);
    return records;
  }

  /** Random instances of the current generated class. */
  public static <T extends SpecificRecord> List<T> of(Class<T> type, int count, long seed) {
    Schema schema = EventCatalog.currentSchema(type);
    List<T> events = new ArrayList<>();
    for (Object generic : generic(schema, count, seed)) {
      events.add(toSpecific(type, schema, generic));
    }
    return events;
  }

  public static <T extends SpecificRecord> T toSpecific(Class<T> type, Schema writer, Object generic) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<>(writer).write(generic, encoder);
      encoder.flush();
      SpecificDatumReader<T> reader = new SpecificDatumReader<>(writer, EventCatalog.currentSchema(type));
      return reader.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
