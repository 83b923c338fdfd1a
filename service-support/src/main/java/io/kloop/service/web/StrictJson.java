package io.kloop.service.web;

import org.springframework.boot.jackson.autoconfigure.JsonFactoryBuilderCustomizer;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.core.Ordered;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactoryBuilder;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.databind.json.JsonMapper;

/**
 * How every service reads JSON bodies: strictly. A key the body's type does not have, a key given twice, a
 * {@code null} for a number that must be there, a value of another JSON type than the field's (a whole number
 * given as {@code 1.9} or {@code "2"}, text given as {@code 42} or {@code true}), anything after the document,
 * or nesting deeper than {@value #MAX_NESTING_DEPTH} levels is a 400 that says so, never a value silently
 * ignored, converted or guessed.
 * Applied after Spring Boot's own settings, so {@code spring.jackson.*} cannot loosen it by accident.
 */
public final class StrictJson {

  /** No request body of the platform nests deeper than a few levels; a deeper one is refused before it is read. */
  public static final int MAX_NESTING_DEPTH = 64;

  private StrictJson() {}

  /** The mapper's features. */
  public static final class MapperCustomizer implements JsonMapperBuilderCustomizer, Ordered {

    @Override
    public void customize(JsonMapper.Builder builder) {
      builder.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
              DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          // Values as written: 1.9 is no whole number, "2" no number, true and 42 no text.
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .withCoercionConfig(LogicalType.Textual, text -> text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
              .setCoercion(CoercionInputShape.Float, CoercionAction.Fail).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .addHandler(new UnknownKeys.Handler());
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }

  /** The parser's limits. */
  public static final class FactoryCustomizer implements JsonFactoryBuilderCustomizer, Ordered {

    @Override
    public void customize(JsonFactoryBuilder builder) {
      builder.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }

  /** A strict mapper built the same way, for code and tests outside a Spring context. */
  public static JsonMapper mapper() {
    JsonFactoryBuilder factory = new JsonFactoryBuilder();
    new FactoryCustomizer().customize(factory);
    JsonMapper.Builder builder = JsonMapper.builder(factory.build());
    new MapperCustomizer().customize(builder);
    return builder.build();
  }
}
