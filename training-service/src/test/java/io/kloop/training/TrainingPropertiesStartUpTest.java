package io.kloop.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.service.ServiceAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The service's settings as its start-up binds them: a wrong one stops it, naming the property and the value. */
class TrainingPropertiesStartUpTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(TrainingProperties.class)
  static class Settings {}

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ServiceAutoConfiguration.class)).withUserConfiguration(Settings.class);

  @Test
  void shouldStartWithTheDefaults() {
    runner.run(context -> assertThat(context).hasNotFailed().getBean(TrainingProperties.class).extracting(TrainingProperties::maxConcurrentRuns).isEqualTo(1));
    runner.run(context -> assertThat(context.getBean(TrainingProperties.class).textHashBuckets()).isEqualTo(256));
  }

  @Test
  void shouldRefuseAWrongSettingNamingIt() {
    assertRefused("kloop.training.max-concurrent-runs=0", "kloop.training.max-concurrent-runs must be at least 1, got 0");
    assertRefused("kloop.training.run-timeout=8d", "kloop.training.run-timeout must be more than 0 and at most 7d, got PT192H");
    assertRefused("kloop.training.run-timeout=0s", "kloop.training.run-timeout must be more than 0 and at most 7d, got PT0S");
    assertRefused("kloop.training.text-hash-buckets=1", "kloop.training.text-hash-buckets must be from 2 to 16384, got 1");
    assertRefused("kloop.training.text-hash-buckets=16385", "kloop.training.text-hash-buckets must be from 2 to 16384, got 16385");
  }

  private void assertRefused(String setting, String message) {
    runner.withPropertyValues(setting).run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessage(message));
  }
}
