package io.kloop.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.service.ServiceAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The service's settings as its start-up binds them: a wrong one stops it, naming the property and the value. */
class InferencePropertiesStartUpTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(InferenceProperties.class)
  static class Settings {}

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ServiceAutoConfiguration.class)).withUserConfiguration(Settings.class);

  @Test
  void shouldStartWithTheDefaults() {
    runner.run(context -> assertThat(context).hasNotFailed().getBean(InferenceProperties.class).extracting(InferenceProperties::predictionLogBuffer).isEqualTo(10000));
  }

  @Test
  void shouldRefuseAWrongSettingNamingIt() {
    assertRefused("kloop.inference.prediction-log-buffer=0", "kloop.inference.prediction-log-buffer must be at least 1, got 0");
    assertRefused("kloop.inference.max-instances=0", "kloop.inference.max-instances must be at least 1, got 0");
    assertRefused("kloop.inference.prediction-log-compression=brotli", "kloop.inference.prediction-log-compression must be none, lz4, snappy, zstd or gzip, got brotli");
    assertRefused("kloop.inference.registry-retry-max-delay=0s", "kloop.inference.registry-retry-max-delay must be positive, got PT0S");
  }

  private void assertRefused(String setting, String message) {
    runner.withPropertyValues(setting).run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessage(message));
  }
}
