package io.kloop.service;

import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * How each of the five services is started. A service reads its own configuration file, named after it
 * ({@code ingest-service.yml}, not {@code application.yml}), so that all five can run side by side in one
 * JVM in the local platform; once ready it says so in one line, with a summary of its settings it gives as a
 * {@link ReadySummary} bean (see {@link ServiceAutoConfiguration}).
 */
public final class ServiceApplications {

  private ServiceApplications() {}

  /**
   * The application of a service, configured from {@code <name>.yml}.
   *
   * @param application the service's {@code @SpringBootApplication} class
   * @param name the service's name: its artifactId, {@code spring.application.name} and configuration file name
   */
  public static SpringApplicationBuilder builder(Class<?> application, String name) {
    return new SpringApplicationBuilder(application).properties("spring.config.name=" + name);
  }
}
