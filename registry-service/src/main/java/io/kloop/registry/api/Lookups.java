package io.kloop.registry.api;

import io.kloop.events.ModelTrained;
import io.kloop.registry.RegistryLimits;
import io.kloop.registry.state.ModelEntry;
import io.kloop.registry.state.RegistryReader;
import io.kloop.registry.state.VersionEntry;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/** Finding what a request names, or answering 404 with what is missing. */
final class Lookups {

  private Lookups() {}

  /** 400 unless the name is a model name at all (so a mistake is told apart from a model that does not exist). */
  static String checkName(String name) {
    RegistryLimits.modelNameProblem(name).ifPresent(problem -> {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, problem);
    });
    return name;
  }

  /** 400 for a version number that cannot exist (below 1). */
  static int checkVersion(int version) {
    RegistryLimits.versionProblem(version).ifPresent(problem -> {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, problem);
    });
    return version;
  }

  static ModelEntry model(RegistryReader registry, String name) {
    checkName(name);
    return registry.model(name).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no model named " + name
        + " in the registry (a model appears with its first trained version)"));
  }

  static VersionEntry version(RegistryReader registry, String name, int version) {
    model(registry, name);
    checkVersion(version);
    return registry.version(name, version).orElseThrow(() -> noVersion(name, version));
  }

  static ModelTrained trained(RegistryReader registry, String name, int version) {
    return registry.trained(name, version).orElseThrow(() -> noVersion(name, version));
  }

  private static ResponseStatusException noVersion(String name, int version) {
    return new ResponseStatusException(HttpStatus.NOT_FOUND, "model " + name + " has no version " + version);
  }
}
