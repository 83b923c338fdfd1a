package io.kloop.ingest;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the ingest-service, under {@code kloop.ingest}.
 *
 * @param artifactRoot directory of the local artifact store where sealed batch files are written, named by
 *     SHA-256. Default {@code .kloop/artifacts}.
 * @param maxRequestBytes largest HTTP body {@code POST /v1/datasets/{name}/records} takes; larger ones are
 *     answered 413. Default 10 MiB.
 */
@ConfigurationProperties("kloop.ingest")
public record IngestProperties(
    @DefaultValue(".kloop/artifacts") Path artifactRoot,
    @DefaultValue("10485760") int maxRequestBytes) {}
