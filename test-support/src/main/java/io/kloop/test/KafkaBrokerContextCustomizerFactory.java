package io.kloop.test;

import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/** Registered in {@code META-INF/spring.factories}; acts on test classes annotated {@link WithKafkaBroker}. */
public class KafkaBrokerContextCustomizerFactory implements ContextCustomizerFactory {

  @Override
  public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
    return AnnotatedElementUtils.hasAnnotation(testClass, WithKafkaBroker.class) ? new KafkaBrokerCustomizer() : null;
  }

  private static final class KafkaBrokerCustomizer implements ContextCustomizer {

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
      context.getEnvironment().getPropertySources().addFirst(
          new MapPropertySource("kloopTestKafkaBroker",
              Map.of("spring.kafka.bootstrap-servers", TestKafkaBroker.bootstrapServers())));
    }

    // One broker for the JVM: every customizer is equal, so Spring can cache and reuse contexts.
    @Override
    public boolean equals(Object other) {
      return other instanceof KafkaBrokerCustomizer;
    }

    @Override
    public int hashCode() {
      return KafkaBrokerCustomizer.class.hashCode();
    }
  }
}
