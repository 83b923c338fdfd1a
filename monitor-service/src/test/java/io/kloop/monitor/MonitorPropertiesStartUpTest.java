package io.kloop.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.service.ServiceAutoConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The service's settings as its start-up binds them: a wrong one stops it, naming the property and the value. */
class MonitorPropertiesStartUpTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(MonitorProperties.class)
  static class Settings {}

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ServiceAutoConfiguration.class)).withUserConfiguration(Settings.class);

  @Test
  void shouldStartWithTheDefaults() {
    runner.run(context -> assertThat(context).hasNotFailed().getBean(MonitorProperties.class).extracting(p -> p.window().size()).isEqualTo(1000));
  }

  @Test
  void shouldBindThePerformanceDefaultsAsTheirRecordStatesThem() {
    runner.run(context -> assertThat(context.getBean(MonitorProperties.class).performance()).isEqualTo(MonitorProperties.Performance.defaults()));
  }

  @Test
  void shouldLetEveryReasonAskUnlessToldWhichMay() {
    runner.run(context -> {
      MonitorProperties.Retraining retraining = context.getBean(MonitorProperties.class).retraining();
      assertThat(retraining.asks("drift")).isTrue();
      assertThat(retraining.asks("performance")).isTrue();
    });
    runner.withPropertyValues("kloop.monitor.retraining.reasons=performance").run(context -> {
      MonitorProperties.Retraining retraining = context.getBean(MonitorProperties.class).retraining();
      assertThat(retraining.asks("drift")).isFalse();
      assertThat(retraining.asks("performance")).isTrue();
      assertThat(retraining.cooldown()).isEqualTo(Duration.ofMinutes(10));
    });
    assertRefused("kloop.monitor.retraining.reasons=drift,schedule", "kloop.monitor.retraining.reasons.1 must be drift or performance, got schedule");
  }

  @Test
  void shouldBindPerformanceSettings() {
    runner.withPropertyValues("kloop.monitor.performance.labelled.kind=time", "kloop.monitor.performance.metrics=accuracy",
        "kloop.monitor.performance.estimated-trigger=true", "kloop.monitor.performance.tolerance=0.1").run(context -> {
          MonitorProperties.Performance performance = context.getBean(MonitorProperties.class).performance();
          assertThat(performance.labelled().byCount()).isFalse();
          assertThat(performance.predicted().size()).isEqualTo(500);
          assertThat(performance.metrics()).containsExactly("accuracy");
          assertThat(performance.estimatedTrigger()).isTrue();
          assertThat(performance.tolerance()).isEqualTo(0.1);
        });
  }

  @Test
  void shouldRefuseAWrongPerformanceSettingNamingIt() {
    assertRefused("kloop.monitor.performance.labelled.kind=sliding", "kloop.monitor.performance.labelled.kind must be count or time, got sliding");
    assertRefused("kloop.monitor.performance.predicted.size=1", "kloop.monitor.performance.predicted.size must be at least 2, got 1");
    assertRefused("kloop.monitor.performance.tolerance=1.5", "kloop.monitor.performance.tolerance must be between 0 and 1, got 1.5");
    assertRefused("kloop.monitor.performance.bootstrap-resamples=10", "kloop.monitor.performance.bootstrap-resamples must be at least 100, got 10");
    assertRefused("kloop.monitor.performance.versions=0", "kloop.monitor.performance.versions must be at least 1, got 0");
    assertRefused("kloop.monitor.performance.metrics=accuracy,recall", "kloop.monitor.performance.metrics.1 must be accuracy or macroF1, got recall");
  }

  @Test
  void shouldRefuseAWrongSettingNamingIt() {
    assertRefused("kloop.monitor.window.kind=tumbling", "kloop.monitor.window.kind must be count or time, got tumbling");
    assertRefused("kloop.monitor.window.min-predictions=1", "kloop.monitor.window.min-predictions must be at least 2, got 1");
    assertRefused("kloop.monitor.window.duration=0s", "kloop.monitor.window.duration must be positive, got PT0S");
    assertRefused("kloop.monitor.recent-reports=0", "kloop.monitor.recent-reports must be at least 1, got 0");
    // The drift thresholds keep the rules and words of DriftSettings, under the binding failure of kloop.monitor.drift.
    assertRefused("kloop.monitor.drift.p-value=2", "pValue must be in (0, 1), was 2.0");
  }

  private void assertRefused(String setting, String message) {
    runner.withPropertyValues(setting).run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessage(message));
  }
}
