package io.kloop.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kloop.service.kafka.FailedStreamThreads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ServiceAutoConfigurationTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(FailedStreamThreads.Policy.class)
  static class WithPolicy {}

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ServiceAutoConfiguration.class)).withUserConfiguration(WithPolicy.class);

  @Test
  void shouldRefuseAWrongSettingAtStartUpNamingTheProperty() {
    runner.withPropertyValues("kloop.streams.failed-thread.max-replacements=-1").run(context -> assertThat(context).hasFailed()
        .getFailure().rootCause().hasMessage("kloop.streams.failed-thread.max-replacements must be at least 0, got -1"));
    runner.withPropertyValues("kloop.streams.failed-thread.first-backoff=2m").run(context -> assertThat(context).hasFailed()
        .getFailure().rootCause().hasMessage("kloop.streams.failed-thread back-offs must satisfy 0 <= first-backoff <= max-backoff"));
  }

  @Test
  void shouldBindGoodSettings() {
    runner.withPropertyValues("kloop.streams.failed-thread.max-replacements=0", "kloop.streams.failed-thread.first-backoff=1m")
        .run(context -> assertThat(context.getBean(FailedStreamThreads.Policy.class))
            .isEqualTo(new FailedStreamThreads.Policy(0, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofMinutes(1))));
  }

  @Test
  void shouldGiveAClockInUtcUnlessTheServiceHasOne() {
    runner.run(context -> assertThat(context.getBean(Clock.class).getZone()).isEqualTo(ZoneOffset.UTC));
    Clock fixed = Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);
    runner.withBean(Clock.class, () -> fixed).run(context -> assertThat(context.getBean(Clock.class)).isSameAs(fixed));
  }

  @Test
  void shouldSayOnceReadyWhichServiceListensWhereWithItsSummary() {
    Logger logger = (Logger) LoggerFactory.getLogger(ServiceApplications.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      runner.withPropertyValues("spring.application.name=example-service", "local.server.port=8089")
          .withBean(ReadySummary.class, () -> () -> "artifactRoot=/tmp/a")
          .run(context -> context.publishEvent(new ApplicationReadyEvent(new SpringApplication(), new String[0],
              (ConfigurableApplicationContext) context.getSourceApplicationContext(), Duration.ZERO)));
    } finally {
      logger.detachAppender(lines);
    }
    assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("example-service ready on port 8089 (artifactRoot=/tmp/a)");
  }
}
