package io.kloop.ingest.spec;

import io.kloop.ingest.validation.TextRules;
import io.kloop.service.web.ApiErrors;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** {@code /v1/datasets}: declare, list and show dataset specs. */
@RestController
@RequestMapping("/v1/datasets")
class DatasetSpecController {

  private final DatasetSpecs specs;

  DatasetSpecController(DatasetSpecs specs) {
    this.specs = specs;
  }

  /** 201 for a new dataset, 200 for a new version or an unchanged spec; 400 invalid; 409 conflicting. */
  @PutMapping("/{name}")
  ResponseEntity<SpecDocument> declare(@PathVariable String name, @RequestBody SpecDocument document) {
    checkName(name);
    if (document.dataset() != null && !document.dataset().equals(name)) {
      throw new InvalidSpecException(List.of("the body names dataset '" + TextRules.echo(document.dataset(), 64)
          + "' but the path names '" + name + "'"));
    }
    DatasetSpecs.Declared declared = specs.declare(document.toSpec(name), document.version(), "http");
    HttpStatus status = declared.outcome() == DatasetSpecs.Outcome.CREATED ? HttpStatus.CREATED : HttpStatus.OK;
    return ResponseEntity.status(status)
        .header("X-Kloop-Spec-Outcome", declared.outcome().name().toLowerCase())
        .body(SpecDocument.of(declared.spec(), specs.versions(name)));
  }

  @GetMapping
  List<SpecDocument> list() {
    return specs.all().stream().map(spec -> SpecDocument.of(spec, specs.versions(spec.dataset()))).toList();
  }

  @GetMapping("/{name}")
  SpecDocument show(@PathVariable String name, @RequestParam(required = false) Integer version) {
    checkName(name);
    DatasetSpec spec = (version == null ? specs.current(name) : specs.version(name, version))
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
            version == null ? "no dataset named " + name : "dataset " + name + " has no version " + version
                + " (known: " + specs.versions(name) + ")"));
    return SpecDocument.of(spec, specs.versions(name));
  }

  /** A name that no dataset can have is a 400 (not a 404), on every endpoint that takes one. */
  static void checkName(String name) {
    String problem = DatasetSpec.nameProblem(name);
    if (problem != null) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, problem);
    }
  }

  @ExceptionHandler(InvalidSpecException.class)
  ResponseEntity<Map<String, Object>> invalid(InvalidSpecException e) {
    return ResponseEntity.badRequest().body(ApiErrors.error("invalid dataset spec", "problems", e.problems()));
  }

  @ExceptionHandler(SpecConflictException.class)
  ResponseEntity<Map<String, Object>> conflict(SpecConflictException e) {
    return ResponseEntity.status(HttpStatus.CONFLICT).body(ApiErrors.error(e.getMessage(), "incompatibilities", e.incompatibilities()));
  }
}
