package io.kloop.ingest.intake;

import io.kloop.ingest.IngestProperties;
import io.kloop.ingest.intake.IncomingRecords.Incoming;
import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.ingest.spec.DatasetSpecs;
import io.kloop.ingest.validation.RecordValidator;
import io.kloop.ingest.validation.Violation;
import io.kloop.service.web.ApiErrors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/datasets/{name}/records}: JSON (an object or an array), NDJSON or CSV. Every record is
 * validated against the dataset's current spec; good ones are stored in Kafka (acknowledged by all
 * in-sync replicas) before the answer, bad ones are answered with what is wrong. 202 when every record
 * was accepted, 400 when some were not (the answer says exactly which were accepted), 404 for an unknown
 * dataset, 413 for a body over {@code kloop.ingest.max-request-bytes}, 415 for another content type.
 */
@RestController
class RecordsController {

  static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

  private final DatasetSpecs specs;
  private final DataRecordPublisher publisher;
  private final JsonMapper mapper;
  private final IngestProperties properties;

  RecordsController(DatasetSpecs specs, DataRecordPublisher publisher, JsonMapper mapper, IngestProperties properties) {
    this.specs = specs;
    this.publisher = publisher;
    this.mapper = mapper;
    this.properties = properties;
  }

  /** What happened to one refused record. */
  record Refused(int index, String recordId, List<Violation> violations) {}

  /** The answer: counts, the ids accepted, and every refused record with its reasons. */
  record Outcome(String dataset, int specVersion, int received, List<String> accepted, List<Refused> refused) {}

  @PostMapping("/v1/datasets/{name}/records")
  Mono<ResponseEntity<Outcome>> post(@PathVariable String name,
      @RequestHeader(value = "Content-Type", required = false) MediaType contentType,
      @RequestBody(required = false) Flux<DataBuffer> body) {
    DatasetSpec spec = specs.current(name).orElseThrow(() ->
        new ResponseStatusException(HttpStatus.NOT_FOUND, "no dataset named " + name + "; declare it with PUT /v1/datasets/" + name));
    Parser parser = parser(contentType);
    Flux<DataBuffer> content = body == null ? Flux.empty() : body;
    return DataBufferUtils.join(content, properties.maxRequestBytes())
        .map(buffer -> {
          try {
            return buffer.toString(StandardCharsets.UTF_8);
          } finally {
            DataBufferUtils.release(buffer);
          }
        })
        .defaultIfEmpty("")
        .publishOn(Schedulers.boundedElastic())
        .map(text -> ingest(spec, parser.parse(text)));
  }

  private ResponseEntity<Outcome> ingest(DatasetSpec spec, List<Incoming> incoming) {
    if (incoming.isEmpty()) {
      throw new UnreadableBodyException("the body holds no records");
    }
    List<Refused> refused = new ArrayList<>();
    Map<String, Integer> seenInRequest = new HashMap<>();
    Map<Integer, CompletableFuture<?>> sends = new LinkedHashMap<>();
    Map<Integer, String> ids = new HashMap<>();
    for (Incoming record : incoming) {
      if (record.unreadable() != null) {
        refused.add(new Refused(record.index(), null, List.of(new Violation(null, record.unreadable()))));
        continue;
      }
      Map<String, Object> features = new LinkedHashMap<>(record.fields());
      Object id = features.remove(spec.idField());
      Object label = features.remove(spec.label().getName());
      String recordId = id == null ? null : id.toString().trim();
      RecordValidator.Result result = RecordValidator.validate(spec, recordId, features, label);
      List<Violation> violations = new ArrayList<>(result.violations());
      if (recordId != null && !recordId.isBlank()) {
        Integer first = seenInRequest.putIfAbsent(recordId, record.index());
        if (first != null) {
          violations.add(new Violation(spec.idField(), "duplicate record id " + recordId + " (also record " + first + " of this request)"));
        }
      }
      if (!violations.isEmpty()) {
        refused.add(new Refused(record.index(), recordId, violations));
        continue;
      }
      ids.put(record.index(), recordId);
      sends.put(record.index(), publisher.publish(spec.dataset(), recordId, result.features(), result.label()));
    }
    List<String> accepted = new ArrayList<>();
    boolean storeFailed = false;
    for (Map.Entry<Integer, CompletableFuture<?>> send : sends.entrySet()) {
      try {
        send.getValue().get(30, TimeUnit.SECONDS);
        accepted.add(ids.get(send.getKey()));
      } catch (Exception e) {
        storeFailed = true;
        refused.add(new Refused(send.getKey(), ids.get(send.getKey()),
            List.of(new Violation(null, "valid, but could not be stored in Kafka: " + rootMessage(e) + "; send it again"))));
      }
    }
    refused.sort((a, b) -> Integer.compare(a.index(), b.index()));
    HttpStatus status = storeFailed ? HttpStatus.SERVICE_UNAVAILABLE : refused.isEmpty() ? HttpStatus.ACCEPTED : HttpStatus.BAD_REQUEST;
    return ResponseEntity.status(status).body(new Outcome(spec.dataset(), spec.version(), incoming.size(), accepted, refused));
  }

  private interface Parser {
    List<Incoming> parse(String body);
  }

  private Parser parser(MediaType contentType) {
    if (contentType == null || MediaType.APPLICATION_JSON.isCompatibleWith(contentType)) {
      return body -> IncomingRecords.json(mapper, body);
    }
    if (NDJSON.isCompatibleWith(contentType) || MediaType.APPLICATION_NDJSON.isCompatibleWith(contentType)) {
      return body -> IncomingRecords.ndjson(mapper, body);
    }
    if (MediaType.parseMediaType("text/csv").isCompatibleWith(contentType)) {
      return IncomingRecords::csv;
    }
    throw new ResponseStatusException(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        "records must be application/json, application/x-ndjson or text/csv, not " + contentType);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  @ExceptionHandler(UnreadableBodyException.class)
  ResponseEntity<Map<String, Object>> unreadable(UnreadableBodyException e) {
    return ResponseEntity.badRequest().body(ApiErrors.error(e.getMessage()));
  }
}
