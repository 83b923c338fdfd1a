package io.kloop.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The repository's files, read as text or YAML, and small helpers to walk what SnakeYAML returns. */
final class RepositoryFiles {

  private RepositoryFiles() {}

  /** The repository root: set by Maven (kloop.root), or the parent of the module directory. */
  static Path root() {
    String configured = System.getProperty("kloop.root");
    Path root = (configured != null ? Path.of(configured) : Path.of("..")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isDirectory(root.resolve("deployment"))) {
      throw new IllegalStateException("not the repository root: " + root);
    }
    return root;
  }

  static Path path(String relative) {
    return root().resolve(relative);
  }

  /** The Kafka version of the clients (Spring Boot's BOM), passed in by Maven. */
  static String kafkaVersion() {
    return Objects.requireNonNull(System.getProperty("kloop.kafka-version"), "system property kloop.kafka-version");
  }

  static String text(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The single YAML document of a file, as maps and lists. */
  static Map<String, Object> yaml(Path file) {
    List<Map<String, Object>> documents = yamlDocuments(file);
    if (documents.size() != 1) {
      throw new IllegalStateException(file + " holds " + documents.size() + " YAML documents, expected one");
    }
    return documents.get(0);
  }

  /** Every non-empty YAML document of a file (Kubernetes manifests hold several). */
  static List<Map<String, Object>> yamlDocuments(Path file) {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<Map<String, Object>> documents = new ArrayList<>();
    for (Object document : yaml.loadAll(text(file))) {
      if (document != null) {
        documents.add(map(document));
      }
    }
    return documents;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException("expected a mapping, got " + value);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    ((Map<Object, Object>) value).forEach((key, v) -> result.put(String.valueOf(key), v));
    return result;
  }

  static List<Object> list(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException("expected a sequence, got " + value);
    }
    return new ArrayList<>(list);
  }

  static List<Map<String, Object>> maps(Object value) {
    return list(value).stream().map(RepositoryFiles::map).toList();
  }

  /** The value at a path of keys (null when any key is missing). */
  static Object at(Object root, String... keys) {
    Object current = root;
    for (String key : keys) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(key);
    }
    return current;
  }

  static String string(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  /** A deep copy of maps and lists, so patches never change a shared document. */
  static Object copy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), copy(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      return new ArrayList<>(list.stream().map(RepositoryFiles::copy).toList());
    }
    return value;
  }
}
