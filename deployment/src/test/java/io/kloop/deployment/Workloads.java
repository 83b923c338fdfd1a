package io.kloop.deployment;

import static io.kloop.deployment.RepositoryFiles.at;
import static io.kloop.deployment.RepositoryFiles.map;
import static io.kloop.deployment.RepositoryFiles.maps;
import static io.kloop.deployment.RepositoryFiles.string;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The services' Deployments in a built kustomization, and what their containers are given. */
final class Workloads {

  /** The kustomizations a cluster is deployed from, and the base they share. */
  static final List<String> KUSTOMIZATIONS = List.of("base", "overlays/dev", "overlays/prod");

  private Workloads() {}

  static Map<String, Object> deployment(List<Map<String, Object>> resources, String name) {
    return Kustomization.find(resources, "Deployment", name)
        .orElseThrow(() -> new AssertionError("no Deployment " + name));
  }

  static Map<String, Object> podSpec(Map<String, Object> deployment) {
    return map(at(deployment, "spec", "template", "spec"));
  }

  /** The service's container: the one named after the Deployment. */
  static Map<String, Object> container(Map<String, Object> deployment) {
    String name = Kustomization.name(deployment);
    return maps(podSpec(deployment).get("containers")).stream()
        .filter(c -> name.equals(c.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("Deployment " + name + " has no container " + name));
  }

  /**
   * The environment of the service's container: its ConfigMaps' data ({@code envFrom}), then its own
   * {@code env}, which wins. Variables from a Secret are left out (their names are not in the manifests).
   */
  static Map<String, String> environment(List<Map<String, Object>> resources, Map<String, Object> deployment) {
    Map<String, Object> container = container(deployment);
    Map<String, String> environment = new LinkedHashMap<>();
    for (Map<String, Object> source : maps(container.get("envFrom"))) {
      Object configMap = at(source, "configMapRef", "name");
      if (configMap != null) {
        Map<String, Object> data = map(Kustomization.find(resources, "ConfigMap", string(configMap))
            .orElseThrow(() -> new AssertionError(Kustomization.name(deployment) + " reads ConfigMap " + configMap + ", which does not exist"))
            .get("data"));
        data.forEach((key, value) -> environment.put(key, string(value)));
      }
    }
    for (Map<String, Object> variable : maps(container.get("env"))) {
      environment.put(string(variable.get("name")), string(variable.get("value")));
    }
    return environment;
  }

  /** The container's volume mounts: mount path → volume name. */
  static Map<String, String> mounts(Map<String, Object> deployment) {
    Map<String, String> mounts = new LinkedHashMap<>();
    maps(container(deployment).get("volumeMounts")).forEach(m -> mounts.put(string(m.get("mountPath")), string(m.get("name"))));
    return mounts;
  }

  static Map<String, Object> volume(Map<String, Object> deployment, String name) {
    return maps(podSpec(deployment).get("volumes")).stream()
        .filter(v -> name.equals(v.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError(Kustomization.name(deployment) + " mounts volume " + name + ", which it does not define"));
  }
}
