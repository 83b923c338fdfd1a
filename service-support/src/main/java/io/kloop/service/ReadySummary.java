package io.kloop.service;

/**
 * What a service says about its settings in the line it logs once ready:
 * {@code ingest-service ready on port 8081 (artifactRoot=.kloop/artifacts)}. A service declares one as a bean;
 * {@link ServiceAutoConfiguration} logs the line.
 */
@FunctionalInterface
public interface ReadySummary {

  /** The summary, without the parentheses around it. */
  String summary();
}
