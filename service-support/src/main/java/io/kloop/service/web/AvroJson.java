package io.kloop.service.web;

import java.nio.ByteBuffer;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro values as plain JSON trees for HTTP answers: records become objects with their fields in schema
 * order, unions their plain value (not Avro JSON's {@code {"double": 0.9}}), enums their symbol, strings
 * strings, timestamps ISO-8601, bytes base64. Jackson cannot serialise generated Avro classes itself (it
 * would walk their schema getters).
 */
public final class AvroJson {

  private AvroJson() {}

  /** The value as maps, lists, strings, numbers and booleans. */
  public static Object tree(Object value) {
    if (value instanceof IndexedRecord record) {
      Map<String, Object> fields = new LinkedHashMap<>();
      for (Schema.Field field : record.getSchema().getFields()) {
        fields.put(field.name(), tree(record.get(field.pos())));
      }
      return fields;
    }
    if (value instanceof GenericEnumSymbol<?> || value instanceof Enum<?> || value instanceof CharSequence
        || value instanceof TemporalAccessor) {
      return value.toString();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> entries = new LinkedHashMap<>();
      map.forEach((k, v) -> entries.put(k.toString(), tree(v)));
      return entries;
    }
    if (value instanceof Collection<?> items) {
      List<Object> list = new ArrayList<>(items.size());
      items.forEach(item -> list.add(tree(item)));
      return list;
    }
    if (value instanceof ByteBuffer bytes) {
      return Base64.getEncoder().encodeToString(toArray(bytes));
    }
    if (value instanceof GenericContainer fixed) {
      return fixed.toString();
    }
    return value;
  }

  private static byte[] toArray(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
