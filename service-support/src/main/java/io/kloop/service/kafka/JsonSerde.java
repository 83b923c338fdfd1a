package io.kloop.service.kafka;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A service's own state values (not events) as JSON, so its changelog topics can be read by anyone with
 * a console consumer. Unknown fields are ignored; a field added later is null in older values, so its
 * record must give it a default.
 */
public final class JsonSerde<T> implements Serde<T> {

  private static final JsonMapper MAPPER = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final Class<T> type;

  public JsonSerde(Class<T> type) {
    this.type = type;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      try {
        return value == null ? null : MAPPER.writeValueAsBytes(value);
      } catch (JacksonException e) {
        throw new SerializationException("cannot write " + type.getSimpleName() + " as JSON: " + e.getMessage(), e);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      try {
        return bytes == null ? null : MAPPER.readValue(bytes, type);
      } catch (JacksonException e) {
        throw new SerializationException("cannot read " + type.getSimpleName() + " from JSON: " + e.getMessage(), e);
      }
    };
  }
}
