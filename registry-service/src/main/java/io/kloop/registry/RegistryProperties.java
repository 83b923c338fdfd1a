package io.kloop.registry;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the registry-service, under {@code kloop.registry}.
 *
 * @param artifactRoot Directory of the local artifact store from which model artifacts are served. Default {@code .kloop/artifacts}.
 */
@ConfigurationProperties("kloop.registry")
record RegistryProperties(@DefaultValue(".kloop/artifacts") java.nio.file.Path artifactRoot) {}
