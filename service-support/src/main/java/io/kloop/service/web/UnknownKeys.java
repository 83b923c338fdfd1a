package io.kloop.service.web;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.DeserializationProblemHandler;

/**
 * The unknown keys of one request body, gathered while it is read so that one 400 names every one of them
 * (Jackson alone stops at the first). A misspelt key ({@code requried}, {@code minimum}) must never be
 * ignored: the caller meant something by it.
 *
 * <p>Reading goes on past an unknown key only while a collector is attached to the read ({@link #ATTRIBUTE},
 * as {@link StrictJsonDecoder} does); any other read with the platform's mapper fails at the first unknown key.
 */
public final class UnknownKeys {

  /** The reader attribute under which a read's collector travels. */
  public static final String ATTRIBUTE = UnknownKeys.class.getName();

  /** At most this many unknown keys are named in one answer. */
  static final int MAX_NAMED = 20;

  /** One unknown key, and the keys its object does have. */
  private record Unknown(String key, String known) {}

  private final List<Unknown> keys = new ArrayList<>();
  private int count;

  void add(String key, Collection<Object> knownNames) {
    count++;
    if (keys.size() < MAX_NAMED) {
      TreeSet<String> known = new TreeSet<>();
      if (knownNames != null) {
        knownNames.forEach(name -> known.add(String.valueOf(name)));
      }
      keys.add(new Unknown(ClientText.clip(key, 200), ClientText.clip(String.join(", ", known), 400)));
    }
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** {@code unknown keys 'requried' (known there: classes, name), 'minimum' (known there: max, min, name, ...)}. */
  public String message() {
    StringBuilder text = new StringBuilder(count == 1 ? "unknown key " : "unknown keys ");
    for (int i = 0; i < keys.size(); i++) {
      Unknown key = keys.get(i);
      text.append(i == 0 ? "" : ", ").append('\'').append(key.key()).append('\'');
      if (!key.known().isEmpty()) {
        text.append(" (known there: ").append(key.known()).append(')');
      }
    }
    if (count > keys.size()) {
      text.append(" and ").append(count - keys.size()).append(" more");
    }
    return text.toString();
  }

  /** The problem handler of the platform's mapper: records the key and skips its value, when collecting. */
  static final class Handler extends DeserializationProblemHandler {

    @Override
    public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser, ValueDeserializer<?> deserializer,
        Object beanOrClass, String propertyName) {
      if (!(context.getAttribute(ATTRIBUTE) instanceof UnknownKeys collector)) {
        return false;
      }
      // The key with the keys its object does have, which say where it is: where the parser stands is no guide
      // (Jackson reads a record's unknown keys from a buffer, after the rest of the object).
      collector.add(propertyName, deserializer == null ? null : deserializer.getKnownPropertyNames());
      parser.skipChildren();
      return true;
    }
  }
}
