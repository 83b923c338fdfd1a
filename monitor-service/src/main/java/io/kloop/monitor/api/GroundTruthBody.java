package io.kloop.monitor.api;

import io.kloop.monitor.truth.GroundTruthPublisher;
import io.kloop.monitor.truth.TruthLimits;
import io.kloop.service.web.ApiErrors;
import io.kloop.service.web.ClientText;
import io.kloop.service.web.UnknownKeys;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * The labels of a {@code POST /v1/models/{name}/ground-truth} body, read strictly: a JSON array, or NDJSON (one
 * object a line, blank lines skipped), of {@code {"predictionId", "label", "observedTime"?}}. Every item is checked
 * and every problem named (up to {@link ApiErrors#MAX_LISTED}, then counted, by {@link ApiErrors#error(String, String,
 * List)}), so that one answer tells the caller all that is wrong; the labels are taken only when none has a problem.
 * An item's observed time must pass {@link TruthLimits#observedTimeProblem} (from 1970 to a day ahead of the
 * monitor's clock), and no prediction id may come twice in one body (the second label would only be dead-lettered
 * as a duplicate after the 202).
 */
final class GroundTruthBody {

  /** Most labels one request may carry. */
  static final int MAX_LABELS = 10_000;

  /** One item as sent: text fields only, so a number or a boolean in their place is refused, not converted. */
  record Item(String predictionId, String label, String observedTime) {}

  /** The labels, or what is wrong with the body (then no label is taken). */
  record Read(List<GroundTruthPublisher.Label> labels, List<String> problems) {}

  private GroundTruthBody() {}

  static Read json(JsonMapper mapper, String body, Instant now) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JacksonException e) {
      return failed("body is not JSON: " + ApiErrors.describe(e));
    }
    if (root == null || !root.isArray()) {
      return failed("expected a JSON array of labels, each {\"predictionId\": ..., \"label\": ..., \"observedTime\"?: ...}");
    }
    if (root.size() > MAX_LABELS) {
      return failed(tooMany(root.size()));
    }
    Checked checked = new Checked(mapper, now);
    for (int i = 0; i < root.size(); i++) {
      checked.item("item " + i, root.get(i));
    }
    return checked.read();
  }

  static Read ndjson(JsonMapper mapper, String body, Instant now) {
    List<String> lines = body.lines().toList();
    long items = lines.stream().filter(line -> !line.isBlank()).count();
    if (items > MAX_LABELS) {
      return failed(tooMany(items));
    }
    Checked checked = new Checked(mapper, now);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String where = "line " + (i + 1);
      JsonNode node;
      try {
        node = mapper.readTree(line);
      } catch (JacksonException e) {
        checked.problems.add(where + ": not JSON: " + ApiErrors.describe(e));
        continue;
      }
      checked.item(where, node);
    }
    return checked.read();
  }

  private static String tooMany(long count) {
    return "at most " + MAX_LABELS + " labels per request, got " + count + "; send them in several requests";
  }

  private static Read failed(String problem) {
    return new Read(List.of(), List.of(problem));
  }

  /** The items read so far, and their problems. */
  private static final class Checked {
    private final JsonMapper mapper;
    private final Instant now;
    private final List<GroundTruthPublisher.Label> labels = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    /** Where each prediction id was first given. */
    private final Map<String, String> seen = new HashMap<>();

    Checked(JsonMapper mapper, Instant now) {
      this.mapper = mapper;
      this.now = now;
    }

    void item(String where, JsonNode node) {
      if (node == null || !node.isObject()) {
        problems.add(where + ": expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
        return;
      }
      UnknownKeys unknown = new UnknownKeys();
      Item item;
      try {
        ObjectReader reader = mapper.readerFor(Item.class).withAttribute(UnknownKeys.ATTRIBUTE, unknown);
        item = reader.readValue(node);
      } catch (JacksonException e) {
        problems.add(where + ": " + ApiErrors.describe(e));
        return;
      }
      if (!unknown.isEmpty()) {
        problems.add(where + ": " + unknown.message());
        return;
      }
      int before = problems.size();
      Optional<String> id = item.predictionId() == null ? Optional.of("predictionId is missing") : TruthLimits.predictionIdProblem(item.predictionId());
      id.ifPresent(problem -> problems.add(where + ": " + problem));
      if (id.isEmpty()) {
        String first = seen.putIfAbsent(item.predictionId(), where);
        if (first != null) {
          problems.add(where + ": predictionId '" + ClientText.echo(item.predictionId(), 100) + "' is given twice (also " + first
              + "); a prediction has one label, so the ids of a request must differ");
        }
      }
      Optional<String> label = item.label() == null ? Optional.of("label is missing") : TruthLimits.labelProblem(item.label());
      label.ifPresent(problem -> problems.add(where + ": " + problem));
      Instant observed = now;
      if (item.observedTime() != null) {
        try {
          observed = OffsetDateTime.parse(item.observedTime()).toInstant();
        } catch (DateTimeParseException e) {
          problems.add(where + ": observedTime '" + ClientText.echo(item.observedTime(), 40)
              + "' is not an ISO-8601 time with an offset, such as 2026-03-04T05:06:07Z");
        }
        TruthLimits.observedTimeProblem(observed, now).ifPresent(problem -> problems.add(where + ": " + problem));
      }
      if (problems.size() == before) {
        labels.add(new GroundTruthPublisher.Label(item.predictionId(), item.label(), observed));
      }
    }

    Read read() {
      if (problems.isEmpty() && labels.isEmpty()) {
        return failed("the body holds no labels");
      }
      return new Read(problems.isEmpty() ? List.copyOf(labels) : List.of(), List.copyOf(problems));
    }
  }
}
