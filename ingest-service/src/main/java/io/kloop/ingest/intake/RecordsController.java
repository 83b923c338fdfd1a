package io.kloop.ingest.intake;

import io.kloop.ingest.IngestProperties;
import io.kloop.ingest.intake.IncomingRecords.Incoming;
import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.ingest.spec.DatasetSpecs;
import io.kloop.ingest.validation.TextRules;
import io.kloop.service.web.ApiErrors;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
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
 * was accepted, 400 when some were not (the answer says exactly which were accepted, see {@link RecordsAnswer}),
 * 404 for an unknown dataset, 413 for a body over {@code kloop.ingest.max-request-bytes}, 415 for another content type, 503 when Kafka could not store a record.
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

  /**
   * Every check, even of the name and the content type, is made once the body is read (up to the limit):
   * an answer given before the body is consumed left the next request on the same connection without an
   * answer (found by {@code HostileRequestsIT}), and Reactor Netty's client waiting for such an early answer.
   */
  @PostMapping("/v1/datasets/{name}/records")
  Mono<ResponseEntity<RecordsAnswer.Outcome>> post(@PathVariable String name,
      @RequestHeader(value = "Content-Type", required = false) String contentType,
      @RequestBody(required = false) Flux<DataBuffer> body) {
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
        .map(text -> {
          String badName = DatasetSpec.nameProblem(name);
          if (badName != null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, badName);
          }
          DatasetSpec spec = specs.current(name).orElseThrow(() ->
              new ResponseStatusException(HttpStatus.NOT_FOUND, "no dataset named " + name + "; declare it with PUT /v1/datasets/" + name));
          return ingest(spec, parser(contentType).parse(text));
        });
  }

  /**
   * Checks every record, stores the valid ones up to {@link CheckedRecords#storeUntil()}, and answers. If
   * Kafka cannot store a record, nothing from that record on counts as stored (later ones may have been:
   * sent again, they are dead-lettered as duplicates by the pipeline, never sealed twice).
   */
  private ResponseEntity<RecordsAnswer.Outcome> ingest(DatasetSpec spec, List<Incoming> incoming) {
    if (incoming.isEmpty()) {
      throw new UnreadableBodyException("the body holds no records");
    }
    CheckedRecords checked = CheckedRecords.check(spec, incoming);
    int until = checked.storeUntil();
    Map<Integer, CompletableFuture<?>> sends = new LinkedHashMap<>();
    for (CheckedRecords.Checked record : checked.records()) {
      if (record.index() >= until) {
        break;
      }
      if (record.isValid()) {
        sends.put(record.index(), publisher.publish(spec.dataset(), record.recordId(), record.valid().features(), record.valid().label()));
      }
    }
    String why = until < incoming.size() ? "more than " + CheckedRecords.MAX_REFUSED_STORED + " records were refused: record "
        + until + " and every one after it were not stored; fix the refused records and send the records from " + until + " on again"
        : null;
    boolean storeFailed = false;
    for (Map.Entry<Integer, CompletableFuture<?>> send : sends.entrySet()) {
      try {
        send.getValue().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        storeFailed = true;
        until = send.getKey();
        why = "record " + until + " could not be stored in Kafka (" + TextRules.echo(rootMessage(e), 200)
            + "): send the records from " + until + " on again (those that were stored after all are dead-lettered as duplicates)";
        break;
      }
    }
    RecordsAnswer.Outcome outcome = RecordsAnswer.of(spec.dataset(), spec.version(), checked, until, why);
    HttpStatus status = storeFailed ? HttpStatus.SERVICE_UNAVAILABLE
        : outcome.refusedCount() == 0 && outcome.unprocessed() == null ? HttpStatus.ACCEPTED : HttpStatus.BAD_REQUEST;
    return ResponseEntity.status(status).body(outcome);
  }

  private interface Parser {
    List<Incoming> parse(String body);
  }

  private Parser parser(String contentTypeHeader) {
    MediaType contentType;
    try {
      contentType = contentTypeHeader == null ? null : MediaType.parseMediaType(contentTypeHeader);
    } catch (InvalidMediaTypeException e) {
      throw new ResponseStatusException(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "records must be application/json, application/x-ndjson or text/csv, not '" + TextRules.echo(contentTypeHeader) + "'");
    }
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
    return String.valueOf(root.getMessage());
  }

  @ExceptionHandler(UnreadableBodyException.class)
  ResponseEntity<Map<String, Object>> unreadable(UnreadableBodyException e) {
    return ResponseEntity.badRequest().body(ApiErrors.error(e.getMessage()));
  }
}
