package io.kloop.schemas;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads platform events written with Avro single-object encoding by {@link EventSerializer}.
 *
 * <p>The fingerprint in each record's header is looked up among every released version of every event
 * schema (the {@link EventCatalog}); the body is then resolved from that writer schema into the current
 * generated class. With {@value #EVENT_TYPE_CONFIG} set (a simple or full class name), only that event is
 * accepted; without it, any platform event is decoded into its own class.
 *
 * <p>Undecodable bytes raise {@link EventDecodingException} with a message that names the topic and the
 * problem. Null bytes (compaction tombstones) decode to null.
 */
public class EventDeserializer<T extends SpecificRecord> implements Deserializer<T> {

  /** Kafka client property naming the one event type this deserializer accepts (optional). */
  public static final String EVENT_TYPE_CONFIG = "kloop.event.type";

  private static final int HEADER_LENGTH = 10;
  private static final byte MARKER_0 = (byte) 0xC3;
  private static final byte MARKER_1 = (byte) 0x01;

  /** fingerprint of every released schema (and every current one) -> the event class it decodes into. */
  private static final Map<Long, Class<? extends SpecificRecord>> TYPE_BY_FINGERPRINT = new HashMap<>();
  private static final Map<Class<? extends SpecificRecord>, BinaryMessageDecoder<SpecificRecord>> DECODERS =
      new HashMap<>();

  static {
    for (Class<? extends SpecificRecord> type : EventCatalog.EVENT_TYPES) {
      Schema current = EventCatalog.currentSchema(type);
      BinaryMessageDecoder<SpecificRecord> decoder = new BinaryMessageDecoder<>(SpecificData.get(), current);
      TYPE_BY_FINGERPRINT.put(EventCatalog.fingerprint(current), type);
      for (Schema frozen : EventCatalog.frozenVersions(type)) {
        decoder.addSchema(frozen);
        TYPE_BY_FINGERPRINT.put(EventCatalog.fingerprint(frozen), type);
      }
      DECODERS.put(type, decoder);
    }
  }

  private Class<? extends SpecificRecord> expectedType;

  /** A deserializer for any platform event; configure {@value #EVENT_TYPE_CONFIG} to restrict it. */
  public EventDeserializer() {}

  /** A deserializer that accepts only the given event type. */
  public EventDeserializer(Class<T> expectedType) {
    this.expectedType = expectedType;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    Object configured = configs.get(EVENT_TYPE_CONFIG);
    if (configured instanceof Class<?> type) {
      expectedType = EventCatalog.byName(type.getName()).orElseThrow(() -> notAnEvent(type.getName()));
    } else if (configured != null) {
      expectedType = EventCatalog.byName(configured.toString()).orElseThrow(() -> notAnEvent(configured));
    }
  }

  private static IllegalArgumentException notAnEvent(Object name) {
    return new IllegalArgumentException(
        EVENT_TYPE_CONFIG + "=" + name + " is not an event of the platform's contract; known: "
            + EventCatalog.EVENT_TYPES.stream().map(Class::getSimpleName).toList());
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length < HEADER_LENGTH || data[0] != MARKER_0 || data[1] != MARKER_1) {
      throw new EventDecodingException(
          "topic " + topic + ": record of " + data.length + " bytes is not an Avro single-object encoded event"
              + " (expected marker C3 01 and an 8-byte schema fingerprint, found " + hexPrefix(data) + ")");
    }
    long fingerprint = littleEndianLong(data, 2);
    Class<? extends SpecificRecord> type = TYPE_BY_FINGERPRINT.get(fingerprint);
    if (type == null) {
      throw new EventDecodingException(
          "topic " + topic + ": unknown schema fingerprint " + toHex(fingerprint) + "; it is no released version of "
              + (expectedType == null ? "any platform event" : expectedType.getSimpleName())
              + " (was it written by a newer release? upgrade consumers before producers)");
    }
    if (expectedType != null && type != expectedType) {
      throw new EventDecodingException(
          "topic " + topic + ": expected " + expectedType.getSimpleName() + " but the record holds "
              + type.getSimpleName() + " (schema fingerprint " + toHex(fingerprint) + ")");
    }
    try {
      return (T) DECODERS.get(type).decode(data);
    } catch (IOException | RuntimeException e) {
      // Corrupt bodies fail in many ways: AvroRuntimeException, IndexOutOfBoundsException, ClassCastException,
      // and UnsupportedOperationException for a length beyond the JVM's largest array. All are "corrupt".
      throw new EventDecodingException(
          "topic " + topic + ": corrupt " + type.getSimpleName() + " body (schema fingerprint " + toHex(fingerprint)
              + "): " + e, e);
    }
  }

  static long littleEndianLong(byte[] data, int offset) {
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (data[offset + i] & 0xFFL);
    }
    return value;
  }

  static String toHex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  private static String hexPrefix(byte[] data) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(data.length, 10); i++) {
      hex.append(String.format("%02X", data[i]));
      if (i < Math.min(data.length, 10) - 1) {
        hex.append(' ');
      }
    }
    return hex.length() == 0 ? "nothing" : hex.toString();
  }
}
