package io.kloop.monitor.api;

import io.kloop.monitor.ModelNames;
import io.kloop.monitor.truth.GroundTruthPublisher;
import io.kloop.monitor.window.ApprovedModels;
import io.kloop.service.web.ApiErrors;
import io.kloop.service.web.ClientText;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/models/{name}/ground-truth}: the true classes of served predictions, as a JSON array or NDJSON of
 * {@code {"predictionId", "label", "observedTime"?}} ({@link GroundTruthBody}). All or nothing: every label is
 * checked before any is taken, and the labels are written in one Kafka transaction ({@link GroundTruthPublisher});
 * 202 with their count. Whether a label joins its prediction (and is one of its version's classes) the join decides,
 * as for labels Kafka producers write. 400 for a name no model can have or a body with problems (each named), 404 for
 * a model the monitor has not seen approved, 413 for a body over the codec limit, 415 for another content type, 503
 * when Kafka did not take the labels (none was written).
 */
@RestController
class GroundTruthController {

  /** The caller, as the source of its labels: the monitor has no authentication. */
  static final String SOURCE = "http:anonymous";

  private static final Logger log = LoggerFactory.getLogger(GroundTruthController.class);
  private static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

  private final GroundTruthPublisher publisher;
  private final ApprovedModels approvals;
  private final JsonMapper mapper;
  private final Clock clock;

  GroundTruthController(GroundTruthPublisher publisher, ApprovedModels approvals, JsonMapper mapper, Clock clock) {
    this.publisher = publisher;
    this.approvals = approvals;
    this.mapper = mapper;
    this.clock = clock;
  }

  /** Every check is made once the body is read (an answer before it left the connection's next request unanswered in ingest). */
  @PostMapping("/v1/models/{name}/ground-truth")
  ResponseEntity<Map<String, Object>> post(@PathVariable String name, @RequestHeader(value = "Content-Type", required = false) String contentType,
      @RequestBody(required = false) String body) {
    ModelNames.problem(name).ifPresent(problem -> {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, problem);
    });
    boolean ndjson = ndjson(contentType);
    if (approvals.champion(name).isEmpty()) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no model named " + name + " has been approved");
    }
    GroundTruthBody.Read read = ndjson ? GroundTruthBody.ndjson(mapper, body == null ? "" : body, clock.instant())
        : GroundTruthBody.json(mapper, body == null ? "" : body, clock.instant());
    if (!read.problems().isEmpty()) {
      String message = read.problems().size() == 1 ? read.problems().get(0)
          : read.problems().size() + " problems in the labels; none was taken: see problems";
      return ResponseEntity.badRequest().body(ApiErrors.error(message, "problems", read.problems()));
    }
    try {
      publisher.publish(name, read.labels(), SOURCE, clock.instant());
    } catch (RuntimeException e) {
      log.warn("Labels of model {} could not be written to Kafka", name, e);
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(ApiErrors.error("the labels could not be stored in Kafka ("
          + ClientText.echo(String.valueOf(e.getMessage()), 200) + "); none was taken: send them again"));
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("model", name);
    answer.put("accepted", read.labels().size());
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(answer);
  }

  private static boolean ndjson(String header) {
    MediaType type;
    try {
      type = header == null ? MediaType.APPLICATION_JSON : MediaType.parseMediaType(header);
    } catch (InvalidMediaTypeException e) {
      throw new ResponseStatusException(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "labels must be application/json or application/x-ndjson, not '" + ClientText.echo(header, 100) + "'");
    }
    if (MediaType.APPLICATION_JSON.isCompatibleWith(type) && !type.isWildcardType()) {
      return false;
    }
    if (NDJSON.isCompatibleWith(type) && !type.isWildcardType() || MediaType.APPLICATION_NDJSON.isCompatibleWith(type) && !type.isWildcardType()) {
      return true;
    }
    throw new ResponseStatusException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "labels must be application/json or application/x-ndjson, not " + type);
  }
}
