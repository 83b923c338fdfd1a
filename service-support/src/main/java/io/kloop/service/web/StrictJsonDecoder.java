package io.kloop.service.web;

import java.util.HashMap;
import java.util.Map;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.util.MimeType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON decoder of every service's request bodies: reads with the platform's strict mapper and, instead
 * of stopping at the first unknown key, reads the whole body and then refuses it naming every unknown key
 * ({@link UnknownKeys}), so one 400 tells the caller all that is misspelt.
 */
public final class StrictJsonDecoder extends JacksonJsonDecoder {

  public StrictJsonDecoder(JsonMapper mapper) {
    super(mapper);
  }

  @Override
  public Object decode(DataBuffer buffer, ResolvableType targetType, MimeType mimeType, Map<String, Object> hints) {
    UnknownKeys unknown = new UnknownKeys();
    Map<String, Object> collecting = new HashMap<>(hints == null ? Map.of() : hints);
    collecting.put(UnknownKeys.ATTRIBUTE, unknown);
    Object value = super.decode(buffer, targetType, mimeType, collecting);
    if (!unknown.isEmpty()) {
      throw new DecodingException(unknown.message());
    }
    return value;
  }

  @Override
  protected ObjectReader customizeReader(ObjectReader reader, ResolvableType elementType, Map<String, Object> hints) {
    ObjectReader customized = super.customizeReader(reader, elementType, hints);
    Object unknown = hints == null ? null : hints.get(UnknownKeys.ATTRIBUTE);
    return unknown == null ? customized : customized.withAttribute(UnknownKeys.ATTRIBUTE, unknown);
  }
}
