package io.kloop.ingest;

/**
 * Properties that keep a test's ingest-service out of the work tree and out of other tests' way: its own
 * Kafka Streams application (no offsets or state inherited from another test), its state and its artifacts
 * in the temporary directory. Test classes close their context when done ({@code @DirtiesContext}): two
 * live ingest pipelines would both process the shared records topic.
 */
public final class IngestTestProperties {

  public static final String ISOLATED_STREAMS = "spring.kafka.streams.application-id=ingest-test-${random.uuid}";
  public static final String TEMPORARY_STATE = "spring.kafka.streams.state-dir=${java.io.tmpdir}/kloop-ingest-test-state-${random.uuid}";
  public static final String TEMPORARY_ARTIFACTS = "kloop.ingest.artifact-root=${java.io.tmpdir}/kloop-ingest-test-artifacts";

  private IngestTestProperties() {}
}
