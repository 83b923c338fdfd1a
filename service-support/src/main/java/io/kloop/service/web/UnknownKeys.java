package io.kloop.service.web;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import tools.jackson.core.JsonParser;
import tools.jackson.core.TokenStreamContext;
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

  /** One unknown key: where it is, and the keys its object does have. */
  private record Unknown(String path, String known) {}

  private final List<Unknown> keys = new ArrayList<>();
  private int count;

  void add(String path, Collection<Object> knownNames) {
    count++;
    if (keys.size() < MAX_NAMED) {
      TreeSet<String> known = new TreeSet<>();
      if (knownNames != null) {
        knownNames.forEach(name -> known.add(String.valueOf(name)));
      }
      keys.add(new Unknown(ApiErrors.clip(path, 200), ApiErrors.clip(String.join(", ", known), 400)));
    }
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** {@code unknown keys 'requried' (known there: name, required, type), 'features[1].minimum' (known there: ...)}. */
  public String message() {
    StringBuilder text = new StringBuilder(count == 1 ? "unknown key " : "unknown keys ");
    for (int i = 0; i < keys.size(); i++) {
      Unknown key = keys.get(i);
      text.append(i == 0 ? "" : ", ").append('\'').append(key.path()).append('\'');
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
      collector.add(path(parser.streamReadContext(), propertyName), deserializer == null ? null : deserializer.getKnownPropertyNames());
      parser.skipChildren();
      return true;
    }

    /** The key's place in the body, as {@code features[1].minimum}. */
    static String path(TokenStreamContext context, String key) {
      StringBuilder path = new StringBuilder();
      // The innermost context is the object that holds the unknown key; its own name is the key itself.
      TokenStreamContext holder = context == null ? null : context.getParent();
      prefix(holder, path);
      if (path.length() > 0) {
        path.append('.');
      }
      return path.append(key).toString();
    }

    private static void prefix(TokenStreamContext context, StringBuilder path) {
      if (context == null || context.inRoot()) {
        return;
      }
      prefix(context.getParent(), path);
      if (context.inArray()) {
        path.append('[').append(Math.max(0, context.getCurrentIndex())).append(']');
      } else if (context.currentName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(context.currentName());
      }
    }
  }
}
