package io.kloop.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.service.ServiceAutoConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The service's settings as its start-up binds them: a wrong one stops it, naming the property and the value. */
class RegistryPropertiesStartUpTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(RegistryProperties.class)
  static class Settings {}

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ServiceAutoConfiguration.class)).withUserConfiguration(Settings.class);

  @Test
  void shouldStartWithTheDefaults() {
    runner.run(context -> assertThat(context).hasNotFailed().getBean(RegistryProperties.class).extracting(RegistryProperties::decisionTimeout).isEqualTo(Duration.ofSeconds(10)));
  }

  @Test
  void shouldTakeNoWaitForAnAnswerAtOnce() {
    runner.withPropertyValues("kloop.registry.decision-timeout=0s").run(context -> assertThat(context).hasNotFailed()
        .getBean(RegistryProperties.class).extracting(RegistryProperties::decisionTimeout).isEqualTo(Duration.ZERO));
  }

  @Test
  void shouldRefuseAWrongSettingNamingIt() {
    assertRefused("kloop.registry.decision-timeout=-1s", "kloop.registry.decision-timeout must not be negative, got PT-1S");
  }

  private void assertRefused(String setting, String message) {
    runner.withPropertyValues(setting).run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessage(message));
  }
}
