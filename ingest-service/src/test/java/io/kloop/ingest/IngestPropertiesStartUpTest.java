package io.kloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.service.ServiceAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The service's settings as its start-up binds them: a wrong one stops it, naming the property and the value. */
class IngestPropertiesStartUpTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(IngestProperties.class)
  static class Settings {}

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ServiceAutoConfiguration.class)).withUserConfiguration(Settings.class);

  @Test
  void shouldStartWithTheDefaults() {
    runner.run(context -> assertThat(context).hasNotFailed().getBean(IngestProperties.class).extracting(IngestProperties::batchMaxRecords).isEqualTo(1000));
  }

  @Test
  void shouldRefuseAWrongSettingNamingIt() {
    assertRefused("kloop.ingest.batch-max-records=0", "kloop.ingest.batch-max-records must be at least 1, got 0");
    assertRefused("kloop.ingest.batch-max-age=-1s", "kloop.ingest.batch-max-age must be positive, got PT-1S");
    assertRefused("kloop.ingest.id-filter-max-ids=-5", "kloop.ingest.id-filter-max-ids must be 0 (no filters) or more, got -5");
  }

  private void assertRefused(String setting, String message) {
    runner.withPropertyValues(setting).run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessage(message));
  }
}
