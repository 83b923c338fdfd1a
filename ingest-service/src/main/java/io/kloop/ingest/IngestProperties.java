package io.kloop.ingest;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the ingest-service, under {@code kloop.ingest}.
 *
 * @param artifactRoot Directory of the local artifact store where sealed batch files are written, named by SHA-256. Default {@code .kloop/artifacts}.
 */
@ConfigurationProperties("kloop.ingest")
record IngestProperties(@DefaultValue(".kloop/artifacts") java.nio.file.Path artifactRoot) {}
