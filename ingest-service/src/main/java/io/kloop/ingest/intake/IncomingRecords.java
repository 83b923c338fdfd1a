package io.kloop.ingest.intake;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns an HTTP body into records: field name to value. JSON (one object or an array of objects),
 * NDJSON (one object per line) and CSV (a header row, then one record per row; every value is text and is
 * parsed by the declared type). A record that cannot be read at all (a bad NDJSON line, a CSV row with the
 * wrong number of columns) is kept as an error in its place, so the others still count.
 */
final class IncomingRecords {

  private IncomingRecords() {}

  /** One record of the body: its fields, or why it could not be read. Index counts from 0. */
  record Incoming(int index, Map<String, Object> fields, String unreadable) {}

  static List<Incoming> json(JsonMapper mapper, String body) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JacksonException e) {
      throw new UnreadableBodyException("body is not JSON: " + e.getOriginalMessage());
    }
    List<Incoming> records = new ArrayList<>();
    if (root != null && root.isObject()) {
      records.add(new Incoming(0, fields(root), null));
    } else if (root != null && root.isArray()) {
      for (int i = 0; i < root.size(); i++) {
        JsonNode element = root.get(i);
        records.add(element.isObject() ? new Incoming(i, fields(element), null)
            : new Incoming(i, Map.of(), "expected a JSON object, got " + element.getNodeType().name().toLowerCase()));
      }
    } else {
      throw new UnreadableBodyException("expected a JSON object or an array of objects");
    }
    return records;
  }

  static List<Incoming> ndjson(JsonMapper mapper, String body) {
    List<Incoming> records = new ArrayList<>();
    String[] lines = body.split("\r?\n");
    int index = 0;
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode node = mapper.readTree(line);
        records.add(node != null && node.isObject() ? new Incoming(index, fields(node), null)
            : new Incoming(index, Map.of(), "line is not a JSON object"));
      } catch (JacksonException e) {
        records.add(new Incoming(index, Map.of(), "line is not JSON: " + e.getOriginalMessage()));
      }
      index++;
    }
    return records;
  }

  static List<Incoming> csv(String body) {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
        .setIgnoreEmptyLines(true).get();
    List<Incoming> records = new ArrayList<>();
    try (CSVParser parser = CSVParser.parse(new StringReader(body), format)) {
      List<String> header = parser.getHeaderNames();
      if (header.isEmpty()) {
        throw new UnreadableBodyException("CSV needs a header row naming the columns");
      }
      int index = 0;
      for (CSVRecord row : parser) {
        if (row.size() != header.size()) {
          records.add(new Incoming(index++, Map.of(),
              "row has " + row.size() + " values but the header names " + header.size() + " columns"));
          continue;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
          fields.put(header.get(i), row.get(i).isEmpty() ? null : row.get(i));
        }
        records.add(new Incoming(index++, fields, null));
      }
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      throw new UnreadableBodyException("body is not CSV with a header row: " + e.getMessage());
    }
    return records;
  }

  private static Map<String, Object> fields(JsonNode object) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      fields.put(field.getKey(), value(field.getValue()));
    }
    return fields;
  }

  private static Object value(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isString()) {
      return node.stringValue();
    }
    // Objects and arrays are kept as such, so validation can say "expected a number, got an object".
    return node.isObject() ? Map.of("object", node.toString()) : List.of(node.toString());
  }
}
