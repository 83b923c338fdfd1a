package io.kloop.training.api;

import io.kloop.service.web.ApiErrors;
import io.kloop.service.web.AvroJson;
import io.kloop.training.TrainingProperties;
import io.kloop.training.imports.ImportAdmission;
import io.kloop.training.imports.ImportMetadata;
import io.kloop.training.imports.ImportRefusedException;
import io.kloop.training.run.ImportRuns;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Imports of models trained elsewhere ({@code POST /v1/models/{name}/imports}, {@code multipart/form-data} with the parts
 * {@code model} and {@code metadata}): 202 with the run's id once the file loads, fits the model's dataset and outputs
 * probabilities; 400 with the reason (and the failed run's id) when it does not; 404 or 409 when the model cannot take
 * an import, and 429 when the service takes no more imports now, both answered before the body is read.
 */
@RestController
class ImportsController {

  /** Room for the multipart framing and the metadata beside the file, when a request's declared length is checked. */
  static final long FRAMING_BYTES = 64 * 1024;

  private final ImportRuns imports;
  private final ImportAdmission admission;
  private final long maxModelBytes;

  ImportsController(ImportRuns imports, ImportAdmission admission, TrainingProperties properties) {
    this.imports = imports;
    this.admission = admission;
    this.maxModelBytes = properties.maxImportSize().toBytes();
  }

  /**
   * Before the body is read: its declared length and a free upload permit and pending slot ({@link ImportAdmission}),
   * refused with the connection closed (413, 429); then whether the model can take an import (404, 409: the server
   * discards the unread body, whose file the client sent in vain, but holds none of it). The permit is held until the
   * answer, the slot until the accepted import ends.
   */
  @PostMapping(value = "/v1/models/{name}/imports", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  Mono<ResponseEntity<Map<String, Object>>> importModel(@PathVariable String name,
      @RequestHeader(name = "Content-Length", required = false) Long length, @RequestBody Flux<PartEvent> parts) {
    if (length != null && length > maxModelBytes + ImportMetadata.MAX_BYTES + FRAMING_BYTES) {
      return Mono.error(new ImportUpload.Refused(HttpStatus.CONTENT_TOO_LARGE, "the request has " + length + " bytes; an import's model "
          + "part may have at most " + maxModelBytes + " bytes (kloop.training.max-import-size) and its metadata " + ImportMetadata.MAX_BYTES));
    }
    return Mono.usingWhen(Mono.fromCallable(this::admit), ticket -> Mono.fromRunnable(() -> imports.check(name))
            .then(ImportUpload.read(parts, maxModelBytes))
            .publishOn(Schedulers.boundedElastic())
            .map(upload -> accepted(name, imports.start(name, ImportMetadata.parse(upload.metadata()), upload.model(), ticket))),
        ticket -> Mono.fromRunnable(ticket::close));
  }

  private ImportAdmission.Ticket admit() {
    try {
      return admission.admit();
    } catch (ImportAdmission.Full e) {
      throw new ImportUpload.Refused(HttpStatus.TOO_MANY_REQUESTS, e.getMessage());
    }
  }

  private static ResponseEntity<Map<String, Object>> accepted(String model, ImportRuns.Accepted accepted) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("runId", accepted.runId());
    body.put("model", model);
    body.put("dataset", accepted.dataset());
    body.put("status", "RUNNING");
    body.put("signature", AvroJson.tree(accepted.signature()));
    body.put("unusedFeatures", accepted.unusedFeatures());
    body.put("origin", AvroJson.tree(accepted.origin()));
    body.put("runs", "/v1/models/" + model + "/runs");
    return ResponseEntity.accepted().body(body);
  }

  /** A body refused before its end: the connection is closed after the answer, so that the client does not reuse it. */
  @ExceptionHandler(ImportUpload.Refused.class)
  ResponseEntity<Map<String, Object>> refusedEarly(ImportUpload.Refused e) {
    return ResponseEntity.status(e.status()).header(HttpHeaders.CONNECTION, "close").body(ApiErrors.error(e.getMessage()));
  }

  @ExceptionHandler(ImportRefusedException.class)
  ResponseEntity<Map<String, Object>> refused(ImportRefusedException e) {
    return ResponseEntity.badRequest().body(ApiErrors.error(e.getMessage()));
  }

  /** The file was refused: its run failed with the reason, which the answer gives with the run's id. */
  @ExceptionHandler(ImportRuns.Failed.class)
  ResponseEntity<Map<String, Object>> failed(ImportRuns.Failed e) {
    Map<String, Object> body = new LinkedHashMap<>(ApiErrors.error(e.getMessage()));
    body.put("runId", e.runId());
    body.put("phase", ImportRuns.PHASE);
    return ResponseEntity.badRequest().body(body);
  }

  @ExceptionHandler(ImportRuns.Unavailable.class)
  ResponseEntity<Map<String, Object>> unavailable(ImportRuns.Unavailable e) {
    return ResponseEntity.status(e.unknownModel() ? HttpStatus.NOT_FOUND : HttpStatus.CONFLICT).body(ApiErrors.error(e.getMessage()));
  }
}
