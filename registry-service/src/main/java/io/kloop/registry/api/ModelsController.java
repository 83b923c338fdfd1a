package io.kloop.registry.api;

import io.kloop.events.ArtifactRef;
import io.kloop.registry.state.Decision;
import io.kloop.registry.state.RegistryReader;
import io.kloop.registry.state.VersionStatus;
import io.kloop.service.artifacts.ArtifactIntegrityException;
import io.kloop.service.artifacts.LocalArtifactStore;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Reading the registry: models, versions with metrics and lineage, audit trails, and artifact downloads. */
@RestController
@RequestMapping("/v1/models")
class ModelsController {

  private static final Logger log = LoggerFactory.getLogger(ModelsController.class);

  private final RegistryReader registry;
  private final LocalArtifactStore artifacts;

  ModelsController(RegistryReader registry, LocalArtifactStore artifacts) {
    this.registry = registry;
    this.artifacts = artifacts;
  }

  @GetMapping
  List<Map<String, Object>> models() {
    return registry.models().stream().map(model -> Views.model(model, registry.versions(model.model()))).toList();
  }

  @GetMapping("/{name}")
  Map<String, Object> model(@PathVariable String name) {
    return Views.model(Lookups.model(registry, name), registry.versions(name));
  }

  /** Every version of a model, oldest first; {@code ?status=PENDING} (or another status) filters. */
  @GetMapping("/{name}/versions")
  List<Map<String, Object>> versions(@PathVariable String name, @RequestParam(required = false) String status) {
    Lookups.model(registry, name);
    VersionStatus wanted = status == null ? null : status(status);
    return registry.versions(name).stream()
        .filter(version -> wanted == null || version.status() == wanted)
        .map(version -> Views.version(version, Lookups.trained(registry, name, version.version()), false))
        .toList();
  }

  @GetMapping("/{name}/versions/{version}")
  Map<String, Object> version(@PathVariable String name, @PathVariable int version) {
    return Views.version(Lookups.version(registry, name, version), Lookups.trained(registry, name, version), true);
  }

  /** Every decision on the model, oldest first: what, to which version, who, why and when. */
  @GetMapping("/{name}/audit")
  List<Decision> audit(@PathVariable String name) {
    Lookups.model(registry, name);
    return registry.audit(name);
  }

  /**
   * The version's ONNX file, streamed from the artifact store after its SHA-256 was checked again; the
   * ETag is the hash, so a client that has it gets 304. The file is found by the hash the registry
   * recorded, never by anything in the request.
   */
  @GetMapping("/{name}/versions/{version}/artifact")
  Mono<ResponseEntity<Resource>> artifact(@PathVariable String name, @PathVariable int version,
      @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
    Lookups.version(registry, name, version);
    ArtifactRef artifact = Lookups.trained(registry, name, version).getArtifact();
    String etag = "\"" + artifact.getSha256() + "\"";
    if (ifNoneMatch != null && (ifNoneMatch.trim().equals("*") || List.of(ifNoneMatch.split(",")).stream()
        .map(String::trim).anyMatch(tag -> tag.equals(etag) || tag.equals("W/" + etag)))) {
      return Mono.just(ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).<Resource>build());
    }
    return Mono.fromCallable(() -> verified(name, version, artifact))
        .subscribeOn(Schedulers.boundedElastic())
        .map(path -> ResponseEntity.ok()
            .eTag(etag)
            .contentType(mediaType(artifact.getMediaType()))
            .contentLength(artifact.getSizeBytes())
            .header("Repr-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(artifact.getSha256())) + ":")
            .header("X-Kloop-Sha256", artifact.getSha256())
            .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name + "-v" + version + ".onnx").build().toString())
            .body((Resource) new FileSystemResource(path)));
  }

  private Path verified(String name, int version, ArtifactRef artifact) {
    try {
      return artifacts.verifiedPath(artifact.getSha256());
    } catch (ArtifactIntegrityException e) {
      if (e.getCause() instanceof NoSuchFileException) {
        throw new ResponseStatusException(HttpStatus.NOT_FOUND, "the artifact of " + name + " version " + version + " (SHA-256 "
            + artifact.getSha256() + ") is not in this registry's artifact store");
      }
      log.error("Refusing to serve {} version {}: {}", name, version, e.getMessage());
      throw new ResponseStatusException(HttpStatus.INTERNAL_SERVER_ERROR, "the artifact of " + name + " version " + version
          + " failed its integrity check and is not served");
    } catch (IllegalArgumentException e) {
      throw new ResponseStatusException(HttpStatus.INTERNAL_SERVER_ERROR, "the artifact of " + name + " version " + version
          + " was recorded with an invalid hash: " + e.getMessage());
    }
  }

  /** The media type training recorded, or {@code application/octet-stream} if it recorded none that parses. */
  private static MediaType mediaType(String recorded) {
    try {
      return MediaType.parseMediaType(recorded);
    } catch (InvalidMediaTypeException e) {
      return MediaType.APPLICATION_OCTET_STREAM;
    }
  }

  private static VersionStatus status(String status) {
    try {
      return VersionStatus.valueOf(status.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "unknown status '" + status + "'; one of "
          + List.of(VersionStatus.values()));
    }
  }
}
