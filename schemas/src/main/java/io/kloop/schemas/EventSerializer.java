package io.kloop.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes any platform event with Avro single-object encoding: the two marker bytes {@code C3 01}, the
 * 8-byte CRC-64-AVRO fingerprint of the writer schema, then the Avro binary body. No schema registry is
 * needed: readers resolve the fingerprint against the schemas released in this module.
 *
 * <p>Usable as {@code value.serializer} by name with plain Kafka clients and Spring Kafka.
 */
public class EventSerializer<T extends SpecificRecord> implements Serializer<T> {

  private static final Map<Class<?>, BinaryMessageEncoder<SpecificRecord>> ENCODERS = new ConcurrentHashMap<>();

  @Override
  public byte[] serialize(String topic, T event) {
    if (event == null) {
      return null;
    }
    BinaryMessageEncoder<SpecificRecord> encoder =
        ENCODERS.computeIfAbsent(
            event.getClass(), type -> new BinaryMessageEncoder<>(SpecificData.get(), event.getSchema()));
    try {
      ByteBuffer buffer = encoder.encode(event);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot encode " + event.getSchema().getName() + " for topic " + topic + ": " + e.getMessage(), e);
    }
  }
}
