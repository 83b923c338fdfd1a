package io.kloop.deployment;

import static io.kloop.deployment.RepositoryFiles.at;
import static io.kloop.deployment.RepositoryFiles.list;
import static io.kloop.deployment.RepositoryFiles.map;
import static io.kloop.deployment.RepositoryFiles.string;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The repository's {@code docker-compose.yml}, with YAML anchors and merge keys resolved by SnakeYAML. */
final class ComposeFile {

  static final Path FILE = RepositoryFiles.path("docker-compose.yml");

  private final Map<String, Object> document = RepositoryFiles.yaml(FILE);

  Set<String> serviceNames() {
    return services().keySet();
  }

  Map<String, Object> services() {
    return map(document.get("services"));
  }

  Map<String, Object> service(String name) {
    Object service = services().get(name);
    if (service == null) {
      throw new AssertionError("docker-compose.yml has no service " + name);
    }
    return map(service);
  }

  Map<String, Object> volumes() {
    return map(document.get("volumes"));
  }

  /** A service's environment, in either form compose takes (a mapping, or a list of NAME=value). */
  Map<String, String> environment(String name) {
    Object environment = service(name).get("environment");
    Map<String, String> result = new LinkedHashMap<>();
    if (environment instanceof List<?> entries) {
      for (Object entry : entries) {
        String text = String.valueOf(entry);
        int equals = text.indexOf('=');
        result.put(equals < 0 ? text : text.substring(0, equals), equals < 0 ? null : text.substring(equals + 1));
      }
    } else {
      map(environment).forEach((key, value) -> result.put(key, string(value)));
    }
    return result;
  }

  /** A service's volume mounts as source → target (short syntax {@code source:target[:mode]}). */
  Map<String, String> mounts(String name) {
    Map<String, String> mounts = new LinkedHashMap<>();
    for (Object volume : list(service(name).get("volumes"))) {
      if (volume instanceof Map<?, ?> longSyntax) {
        mounts.put(string(longSyntax.get("source")), string(longSyntax.get("target")));
      } else {
        String[] parts = String.valueOf(volume).split(":");
        mounts.put(parts[0], parts[1]);
      }
    }
    return mounts;
  }

  /** The service's health check command as one string ({@code CMD} and {@code CMD-SHELL} forms). */
  String healthcheck(String name) {
    Object test = at(service(name), "healthcheck", "test");
    if (test instanceof List<?> parts) {
      return String.join(" ", parts.stream().map(String::valueOf).toList());
    }
    return string(test);
  }

  Map<String, Object> dependsOn(String name) {
    Object dependsOn = service(name).get("depends_on");
    if (dependsOn instanceof List<?> names) {
      Map<String, Object> shortSyntax = new LinkedHashMap<>();
      names.forEach(n -> shortSyntax.put(String.valueOf(n), Map.of("condition", "service_started")));
      return shortSyntax;
    }
    return map(dependsOn);
  }

  List<String> ports(String name) {
    return list(service(name).get("ports")).stream().map(String::valueOf).toList();
  }
}
