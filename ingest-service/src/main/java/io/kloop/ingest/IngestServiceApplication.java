package io.kloop.ingest;

import io.kloop.service.ReadySummary;
import io.kloop.service.ServiceApplications;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

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

  public static void main(String[] args) {
    builder().run(args);
  }

  /** The service's application, configured from {@code ingest-service.yml}; the local platform runs it in-process. */
  public static SpringApplicationBuilder builder() {
    return ServiceApplications.builder(IngestServiceApplication.class, NAME);
  }

  @Bean
  ReadySummary readySummary(IngestProperties properties) {
    return () -> "artifactRoot=" + properties.artifactRoot();
  }
}
