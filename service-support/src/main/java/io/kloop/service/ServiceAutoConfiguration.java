package io.kloop.service;

import io.kloop.service.settings.SettingsValidation;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * What every service has besides Kafka and HTTP: settings checked when they are bound ({@link
 * SettingsValidation}), the clock that stamps the events it produces (a service or a test may declare its
 * own), and the line it logs once ready.
 */
@AutoConfiguration
public class ServiceAutoConfiguration {

  static {
    // Before any bean builds an event: see EventCatalog.trustEventClasses.
    io.kloop.schemas.EventCatalog.trustEventClasses();
  }

  /** Static: the binder asks for it while it binds the first settings, before this configuration exists. */
  @Bean
  static ConfigurationPropertiesBindHandlerAdvisor kloopSettingsValidation() {
    return SettingsValidation::new;
  }

  /** Event times are instants, so one clock in UTC for the whole service. */
  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * {@code <name> ready on port <port> (<summary>)}, logged by the service's application class (so a logger
   * setting of the service's package covers it): the local platform and its tests wait for this line.
   */
  @Bean
  ApplicationListener<ApplicationReadyEvent> readyLog(ObjectProvider<ReadySummary> summaries) {
    return event -> {
      Environment environment = event.getApplicationContext().getEnvironment();
      ReadySummary summary = summaries.getIfUnique();
      Class<?> application = event.getSpringApplication().getAllSources().stream()
          .filter(Class.class::isInstance).map(Class.class::cast).findFirst().orElse(ServiceApplications.class);
      Logger log = LoggerFactory.getLogger(application);
      log.info("{} ready on port {}{}", environment.getProperty("spring.application.name"), environment.getProperty("local.server.port"),
          summary == null ? "" : " (" + summary.summary() + ")");
    };
  }
}
