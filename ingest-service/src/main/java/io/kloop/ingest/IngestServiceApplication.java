package io.kloop.ingest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;

/**
 * Takes data records (Avro from Kafka producers, JSON/CSV over HTTP), validates them against a declared dataset spec, dead-letters bad ones with a reason, and seals good ones into immutable, hashed batches announced as `DatasetBatchCommitted`.
 *
 * <p>Its configuration file is {@code ingest-service.yml} (not {@code application.yml}), so that all five
 * services can run side by side in one JVM in the local platform.
 */
@SpringBootApplication
@EnableConfigurationProperties(IngestProperties.class)
public class IngestServiceApplication {

  /** Name of the service: its artifactId, {@code spring.application.name} and configuration file name. */
  public static final String NAME = "ingest-service";

  private static final Logger log = LoggerFactory.getLogger(IngestServiceApplication.class);

  private final IngestProperties properties;

  IngestServiceApplication(IngestProperties properties) {
    this.properties = properties;
  }

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The service's application, configured from {@code ingest-service.yml}; the local platform runs it in-process. */
  public static SpringApplicationBuilder builder() {
    return new SpringApplicationBuilder(IngestServiceApplication.class).properties("spring.config.name=" + NAME);
  }

  @EventListener
  void ready(ApplicationReadyEvent event) {
    ConfigurableApplicationContext context = event.getApplicationContext();
    log.info("{} ready on port {} (artifactRoot={})", NAME, context.getEnvironment().getProperty("local.server.port"),
        properties.artifactRoot());
  }
}
