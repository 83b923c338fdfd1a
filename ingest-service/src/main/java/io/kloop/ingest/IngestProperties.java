package io.kloop.ingest;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

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
@Validated
public record IngestProperties(
    @DefaultValue(".kloop/artifacts") @NotNull Path artifactRoot,
    @DefaultValue("10485760") @Min(value = 1, message = "must be at least 1") int maxRequestBytes,
    @DefaultValue("1000") @Min(value = 1, message = "must be at least 1") int batchMaxRecords,
    // At most a day: an open batch is read again from the records topic (7 days' retention) after a restart.
    // That also keeps the age in milliseconds, which the pipeline compares, far from overflowing a long.
    @DefaultValue("30s") @NotNull @DurationMin(nanos = 0, inclusive = false, message = "must be positive")
    @DurationMax(days = 1, message = "must be at most PT24H (an open batch is read again from the records topic after a restart,"
        + " so it must stay well within the topic's retention)") Duration batchMaxAge,
    @DefaultValue("10000000") @Min(value = 0, message = "must be 0 (no filters) or more") long idFilterMaxIds) {}
