package io.kloop.deployment;

import static io.kloop.deployment.RepositoryFiles.at;
import static io.kloop.deployment.RepositoryFiles.copy;
import static io.kloop.deployment.RepositoryFiles.list;
import static io.kloop.deployment.RepositoryFiles.map;
import static io.kloop.deployment.RepositoryFiles.maps;
import static io.kloop.deployment.RepositoryFiles.string;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A kustomization directory and what {@code kubectl apply -k} makes of it, for the parts of Kustomize these
 * manifests use: resources (files and directories), a ConfigMap generator from literals (create or merge),
 * patches from files (strategic merge: maps merged, lists of named items merged by name, other lists
 * replaced), the images transformer and the namespace. Anything else fails, so the tests never pass on
 * something they did not understand. (Generated ConfigMaps keep their plain name here; Kustomize adds a
 * content hash to the name and to every reference.)
 */
final class Kustomization {

  static final Path K8S = RepositoryFiles.path("k8s");

  private static final List<String> UNDERSTOOD = List.of("apiVersion", "kind", "namespace", "labels", "resources",
      "configMapGenerator", "patches", "images");

  final Path directory;
  final Map<String, Object> spec;

  private Kustomization(Path directory) {
    this.directory = directory;
    this.spec = RepositoryFiles.yaml(directory.resolve("kustomization.yaml"));
    for (String key : spec.keySet()) {
      if (!UNDERSTOOD.contains(key)) {
        throw new IllegalStateException(directory + "/kustomization.yaml uses '" + key + "', which these tests do not model");
      }
    }
  }

  static Kustomization of(String relativeToK8s) {
    return new Kustomization(K8S.resolve(relativeToK8s));
  }

  List<String> resources() {
    return list(spec.get("resources")).stream().map(String::valueOf).toList();
  }

  List<String> patchFiles() {
    List<String> files = new ArrayList<>();
    for (Map<String, Object> patch : maps(spec.get("patches"))) {
      if (patch.get("path") == null || patch.get("patch") != null || patch.get("target") != null) {
        throw new IllegalStateException(directory + ": only patches from a file, targeted by their own kind and name, are modelled: " + patch);
      }
      files.add(String.valueOf(patch.get("path")));
    }
    return files;
  }

  List<Map<String, Object>> images() {
    return maps(spec.get("images"));
  }

  private static final Map<Path, List<Map<String, Object>>> BUILT = new ConcurrentHashMap<>();

  /** The resources this kustomization produces (built once per test run; the tests only read them). */
  List<Map<String, Object>> build() {
    return BUILT.computeIfAbsent(directory, d -> List.copyOf(buildNow()));
  }

  private List<Map<String, Object>> buildNow() {
    List<Map<String, Object>> resources = new ArrayList<>();
    for (String resource : resources()) {
      Path path = directory.resolve(resource).normalize();
      if (Files.isDirectory(path)) {
        new Kustomization(path).buildNow().forEach(built -> resources.add(map(copy(built))));
      } else {
        RepositoryFiles.yamlDocuments(path).forEach(document -> resources.add(map(copy(document))));
      }
    }
    for (Map<String, Object> generator : maps(spec.get("configMapGenerator"))) {
      generate(generator, resources);
    }
    for (String file : patchFiles()) {
      for (Map<String, Object> patch : RepositoryFiles.yamlDocuments(directory.resolve(file))) {
        Map<String, Object> target = find(resources, string(patch.get("kind")), name(patch))
            .orElseThrow(() -> new AssertionError(directory + "/" + file + " patches " + patch.get("kind") + " " + name(patch)
                + ", which the resources do not define"));
        merge(target, patch);
      }
    }
    for (Map<String, Object> image : images()) {
      setImage(resources, image);
    }
    Object namespace = spec.get("namespace");
    if (namespace != null) {
      for (Map<String, Object> resource : resources) {
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = (Map<String, Object>) resource.get("metadata");
        metadata.put("namespace", namespace);
      }
    }
    return resources;
  }

  static String name(Map<String, Object> resource) {
    return string(at(resource, "metadata", "name"));
  }

  static Optional<Map<String, Object>> find(List<Map<String, Object>> resources, String kind, String name) {
    return resources.stream().filter(r -> Objects.equals(r.get("kind"), kind) && Objects.equals(name(r), name)).findFirst();
  }

  static List<Map<String, Object>> ofKind(List<Map<String, Object>> resources, String kind) {
    return resources.stream().filter(r -> Objects.equals(r.get("kind"), kind)).toList();
  }

  private void generate(Map<String, Object> generator, List<Map<String, Object>> resources) {
    for (String key : generator.keySet()) {
      if (!List.of("name", "literals", "behavior").contains(key)) {
        throw new IllegalStateException(directory + ": configMapGenerator '" + key + "' is not modelled");
      }
    }
    Map<String, Object> data = new LinkedHashMap<>();
    for (Object literal : list(generator.get("literals"))) {
      String text = String.valueOf(literal);
      int equals = text.indexOf('=');
      data.put(text.substring(0, equals), text.substring(equals + 1));
    }
    String name = string(generator.get("name"));
    String behavior = Objects.requireNonNullElse(string(generator.get("behavior")), "create");
    Optional<Map<String, Object>> existing = find(resources, "ConfigMap", name);
    switch (behavior) {
      case "create" -> {
        if (existing.isPresent()) {
          throw new AssertionError(directory + ": ConfigMap " + name + " is generated twice");
        }
        Map<String, Object> configMap = new LinkedHashMap<>();
        configMap.put("apiVersion", "v1");
        configMap.put("kind", "ConfigMap");
        configMap.put("metadata", new LinkedHashMap<>(Map.of("name", name)));
        configMap.put("data", data);
        resources.add(configMap);
      }
      case "merge", "replace" -> {
        Map<String, Object> configMap = existing.orElseThrow(
            () -> new AssertionError(directory + ": ConfigMap " + name + " to " + behavior + " does not exist"));
        @SuppressWarnings("unchecked")
        Map<String, Object> current = (Map<String, Object>) configMap.computeIfAbsent("data", k -> new LinkedHashMap<>());
        if (behavior.equals("replace")) {
          current.clear();
        }
        current.putAll(data);
      }
      default -> throw new IllegalStateException("configMapGenerator behavior " + behavior);
    }
  }

  /** Strategic merge as Kustomize does it for these manifests. */
  @SuppressWarnings("unchecked")
  static void merge(Map<String, Object> target, Map<String, Object> patch) {
    patch.forEach((key, value) -> {
      Object current = target.get(key);
      if (current instanceof Map<?, ?> && value instanceof Map<?, ?>) {
        merge((Map<String, Object>) current, map(value));
      } else if (current instanceof List<?> currentList && value instanceof List<?> patchList && named(currentList) && named(patchList)) {
        List<Object> merged = new ArrayList<>(currentList);
        for (Object item : patchList) {
          Map<String, Object> patchItem = map(item);
          Optional<Object> same = merged.stream().filter(m -> Objects.equals(map(m).get("name"), patchItem.get("name"))).findFirst();
          if (same.isPresent()) {
            merge((Map<String, Object>) same.get(), patchItem);
          } else {
            merged.add(copy(patchItem));
          }
        }
        target.put(key, merged);
      } else {
        target.put(key, copy(value));
      }
    });
  }

  private static boolean named(List<?> list) {
    return !list.isEmpty() && list.stream().allMatch(item -> item instanceof Map<?, ?> m && m.get("name") != null);
  }

  @SuppressWarnings("unchecked")
  private static void setImage(List<Map<String, Object>> resources, Map<String, Object> image) {
    String name = string(image.get("name"));
    for (Map<String, Object> deployment : ofKind(resources, "Deployment")) {
      for (Object container : list(at(deployment, "spec", "template", "spec", "containers"))) {
        Map<String, Object> c = (Map<String, Object>) container;
        String current = string(c.get("image"));
        int colon = current.lastIndexOf(':');
        boolean tagged = colon > current.lastIndexOf('/');
        String repository = tagged ? current.substring(0, colon) : current;
        String tag = tagged ? current.substring(colon + 1) : null;
        if (repository.equals(name)) {
          String newName = Objects.requireNonNullElse(string(image.get("newName")), repository);
          String newTag = Objects.requireNonNullElse(string(image.get("newTag")), tag);
          c.put("image", newTag == null ? newName : newName + ":" + newTag);
        }
      }
    }
  }
}
