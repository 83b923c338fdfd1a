package io.kloop.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One of the platform's services as its own code describes it: the module's folder name (which is also its
 * artifactId, {@code spring.application.name}, compose service and Kubernetes Deployment), its HTTP port
 * from its {@code <service>.yml}, and every configuration property it knows, which is what an environment
 * variable given to it may set.
 *
 * @param name module folder and service name, e.g. {@code ingest-service}
 * @param port {@code server.port} of its {@code <service>.yml}
 * @param properties property names it binds ({@code *} for a map key): the keys of its {@code <service>.yml},
 *     the shared defaults of service-support's {@code PlatformDefaults}, and its {@code @ConfigurationProperties}
 *     record's components
 * @param ownProperties the {@code @ConfigurationProperties} record's properties alone
 * @param streamsStateDir whether it runs Kafka Streams with a state directory ({@code spring.kafka.streams.state-dir}
 *     in its yml)
 */
record PlatformService(String name, int port, Set<String> properties, Set<String> ownProperties, boolean streamsStateDir) {

  static final String STATE_DIR = "spring.kafka.streams.state-dir";

  private static List<PlatformService> all;

  /** Every {@code *-service} module of the repository, in name order (read once per test run). */
  static synchronized List<PlatformService> all() {
    if (all == null) {
      all = read();
    }
    return all;
  }

  private static List<PlatformService> read() {
    Path root = RepositoryFiles.root();
    try (Stream<Path> entries = Files.list(root)) {
      return entries.filter(Files::isDirectory)
          .filter(dir -> dir.getFileName().toString().endsWith("-service"))
          .filter(dir -> Files.isRegularFile(dir.resolve("pom.xml")))
          .map(dir -> of(dir.getFileName().toString()))
          .sorted((a, b) -> a.name().compareTo(b.name()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PlatformService of(String name) {
    Path module = RepositoryFiles.path(name);
    Map<String, Object> yml = RepositoryFiles.yaml(module.resolve("src/main/resources/" + name + ".yml"));
    Set<String> ymlKeys = new LinkedHashSet<>();
    flatten("", yml, ymlKeys);
    Object port = RepositoryFiles.at(yml, "server", "port");
    if (port == null) {
      throw new IllegalStateException(name + ".yml sets no server.port");
    }
    Set<String> own = ConfigurationPropertiesSource.properties(module.resolve("src/main/java")).orElse(Set.of());
    Set<String> properties = new LinkedHashSet<>(ymlKeys);
    properties.addAll(platformDefaults());
    properties.addAll(own);
    return new PlatformService(name, Integer.parseInt(String.valueOf(port)), Set.copyOf(properties), Set.copyOf(own),
        ymlKeys.contains(STATE_DIR));
  }

  /** {@code ingest} for {@code ingest-service}: the name in its topics and its {@code kloop.<short>.*} prefix. */
  String shortName() {
    return name.substring(0, name.length() - "-service".length());
  }

  /** The property of the service's artifact store directory, if it has one ({@code kloop.<short>.artifact-root}). */
  Optional<String> artifactRootProperty() {
    String property = "kloop." + shortName() + ".artifact-root";
    return ownProperties.contains(property) ? Optional.of(property) : Optional.empty();
  }

  String applicationName() {
    Map<String, Object> yml = RepositoryFiles.yaml(RepositoryFiles.path(name + "/src/main/resources/" + name + ".yml"));
    return RepositoryFiles.string(RepositoryFiles.at(yml, "spring", "application", "name"));
  }

  private static void flatten(String prefix, Map<String, Object> map, Set<String> into) {
    map.forEach((key, value) -> {
      String name = prefix.isEmpty() ? key : prefix + "." + key;
      if (value instanceof Map<?, ?>) {
        flatten(name, RepositoryFiles.map(value), into);
      } else {
        into.add(name);
      }
    });
  }

  private static final Pattern DEFAULT = Pattern.compile("(?:defaults\\.put|environment\\.getProperty)\\(\"([a-z][^\"]*)\"[,)]");

  /** The properties every service gets a default for, or reads, in service-support's {@code PlatformDefaults}. */
  static Set<String> platformDefaults() {
    String source = RepositoryFiles.text(
        RepositoryFiles.path("service-support/src/main/java/io/kloop/service/kafka/PlatformDefaults.java"));
    Set<String> keys = new LinkedHashSet<>();
    Matcher matcher = DEFAULT.matcher(source);
    while (matcher.find()) {
      keys.add(matcher.group(1));
    }
    if (!keys.contains("spring.kafka.bootstrap-servers")) {
      throw new IllegalStateException("PlatformDefaults no longer reads as expected: " + keys);
    }
    return keys;
  }
}
