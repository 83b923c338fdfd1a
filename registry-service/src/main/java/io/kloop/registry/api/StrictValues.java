package io.kloop.registry.api;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;

/**
 * Values of a decision body read as written, without Jackson's lenient coercions: a version given as
 * {@code 1.9} or {@code "2"}, or a reason given as {@code true}, is a 400 naming the field, never read as
 * version 1, version 2 or the reason "true". (A JSON {@code null} stays "not given".)
 */
final class StrictValues {

  private StrictValues() {}

  /** A JSON whole number within the range of an int. */
  static final class WholeNumber extends ValueDeserializer<Integer> {
    @Override
    public Integer deserialize(JsonParser parser, DeserializationContext context) {
      if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT) {
        return parser.getIntValue();
      }
      return context.reportInputMismatch(Integer.class, "a whole number is required (a version: 1, 2, ...), not %s", describe(parser));
    }
  }

  /** A JSON string. */
  static final class Text extends ValueDeserializer<String> {
    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) {
      if (parser.currentToken() == JsonToken.VALUE_STRING) {
        return parser.getString();
      }
      return context.reportInputMismatch(String.class, "a string is required, not %s", describe(parser));
    }
  }

  private static String describe(JsonParser parser) {
    JsonToken token = parser.currentToken();
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case VALUE_NUMBER_INT -> "a whole number out of range";
      case VALUE_NUMBER_FLOAT -> "a number with a fraction or an exponent";
      case VALUE_STRING -> "a string";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      default -> token.name();
    };
  }
}
