package io.kloop.ingest;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the ingest-service, under {@code kloop.ingest}.
 *
 * @param artifactRoot directory of the local artifact store where sealed batch files are written, named by
 *     SHA-256. Default {@code .kloop/artifacts}.
 * @param maxRequestBytes largest HTTP body {@code POST /v1/datasets/{name}/records} takes; larger ones are
 *     answered 413. Default 10 MiB.
 * @param batchMaxRecords a dataset's open batch is sealed when it holds this many records. Default 1000.
 * @param batchMaxAge ... or when its first record is this old. Default 30 s, at most one day.
 * @param idFilterMaxIds most accepted ids a partition's Bloom filters hold ({@link
 *     io.kloop.ingest.batch.AcceptedIds}: at least 1.2 MB of heap per partition, about 15 MB at 10 million
 *     ids); past it every id is looked up in the accepted-id store, which is slower. 0 turns the filters
 *     off. Default 10,000,000.
 */
@ConfigurationProperties("kloop.ingest")
public record IngestProperties(
    @DefaultValue(".kloop/artifacts") Path artifactRoot,
    @DefaultValue("10485760") int maxRequestBytes,
    @DefaultValue("1000") int batchMaxRecords,
    @DefaultValue("30s") Duration batchMaxAge,
    @DefaultValue("10000000") long idFilterMaxIds) {

  /** Longest {@code batch-max-age}: an open batch must be readable again from the records topic (7 days' retention). */
  public static final Duration MAX_BATCH_AGE = Duration.ofDays(1);

  public IngestProperties {
    if (maxRequestBytes < 1) {
      throw new IllegalArgumentException("kloop.ingest.max-request-bytes must be at least 1, got " + maxRequestBytes);
    }
    if (batchMaxRecords < 1) {
      throw new IllegalArgumentException("kloop.ingest.batch-max-records must be at least 1, got " + batchMaxRecords);
    }
    if (batchMaxAge.isNegative() || batchMaxAge.isZero()) {
      throw new IllegalArgumentException("kloop.ingest.batch-max-age must be positive, got " + batchMaxAge);
    }
    if (batchMaxAge.compareTo(MAX_BATCH_AGE) > 0) {
      // Also keeps the age in milliseconds, which the pipeline compares, far from overflowing a long.
      throw new IllegalArgumentException("kloop.ingest.batch-max-age must be at most " + MAX_BATCH_AGE
          + " (an open batch is read again from the records topic after a restart, so it must stay well within the topic's retention), got "
          + batchMaxAge);
    }
    if (idFilterMaxIds < 0) {
      throw new IllegalArgumentException("kloop.ingest.id-filter-max-ids must be 0 (no filters) or more, got " + idFilterMaxIds);
    }
  }
}
