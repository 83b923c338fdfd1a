package io.kloop.registry.api;

import io.kloop.events.ModelTrained;
import io.kloop.registry.state.ModelEntry;
import io.kloop.registry.state.RegistryReader;
import io.kloop.registry.state.VersionEntry;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/** Finding what a request names, or answering 404 with what is missing. */
final class Lookups {

  private Lookups() {}

  static ModelEntry model(RegistryReader registry, String name) {
    return registry.model(name).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no model named " + name
        + " in the registry (a model appears with its first trained version)"));
  }

  static VersionEntry version(RegistryReader registry, String name, int version) {
    model(registry, name);
    return registry.version(name, version).orElseThrow(() -> noVersion(name, version));
  }

  static ModelTrained trained(RegistryReader registry, String name, int version) {
    return registry.trained(name, version).orElseThrow(() -> noVersion(name, version));
  }

  private static ResponseStatusException noVersion(String name, int version) {
    return new ResponseStatusException(HttpStatus.NOT_FOUND, "model " + name + " has no version " + version);
  }
}
