package io.kloop.ingest.intake;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
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
    int index = 0;
    int start = 0;
    while (start < body.length()) {
      int newline = body.indexOf('\n', start);
      int end = newline < 0 ? body.length() : newline;
      String line = body.substring(start, end > start && body.charAt(end - 1) == '\r' ? end - 1 : end);
      start = end + 1;
      if (line.isBlank()) {
        continue;
      }
      Map<String, Object> flat = flatObject(mapper, line);
      if (flat != null) {
        records.add(new Incoming(index, flat, null));
      } else {
        try {
          JsonNode node = mapper.readTree(line);
          records.add(node != null && node.isObject() ? new Incoming(index, fields(node), null)
              : new Incoming(index, Map.of(), "line is not a JSON object"));
        } catch (JacksonException e) {
          records.add(new Incoming(index, Map.of(), "line is not JSON: " + e.getOriginalMessage()));
        }
      }
      index++;
    }
    return records;
  }

  /**
   * The common case read in one pass, without a tree: a line that is exactly one JSON object whose values
   * are all null, true, false, a number within a long or a double, or a string. Its fields are the same as
   * {@link #fields} would give. Anything else (nested values, big integers, more than one value, bad JSON)
   * is null: the caller reads the line as a tree and says what is wrong.
   */
  private static Map<String, Object> flatObject(JsonMapper mapper, String line) {
    try (JsonParser parser = mapper.createParser(line)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
        String name = parser.currentName();
        Object value;
        switch (parser.nextToken()) {
          case VALUE_NULL -> value = null;
          case VALUE_TRUE -> value = Boolean.TRUE;
          case VALUE_FALSE -> value = Boolean.FALSE;
          case VALUE_STRING -> value = parser.getString();
          case VALUE_NUMBER_INT -> {
            JsonParser.NumberType type = parser.getNumberType();
            if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
              return null;
            }
            value = parser.getLongValue();
          }
          case VALUE_NUMBER_FLOAT -> value = parser.getDoubleValue();
          default -> {
            return null;
          }
        }
        fields.put(name, value);
      }
      return parser.nextToken() == null ? fields : null;
    } catch (JacksonException e) {
      return null;
    }
  }

  static List<Incoming> csv(String body) {
    // A column named twice would leave one of its values unread: refused, as is a header with a blank name.
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
        .setIgnoreEmptyLines(true).setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW).setAllowMissingColumnNames(false).get();
    List<Incoming> records = new ArrayList<>();
    try (CSVParser parser = CSVParser.parse(new StringReader(body), format)) {
      List<String> header = parser.getHeaderNames();
      if (header.isEmpty()) {
        throw new UnreadableBodyException("CSV needs a header row naming the columns");
      }
      int index = 0;
      Iterator<CSVRecord> rows = parser.iterator();
      while (true) {
        CSVRecord row;
        try {
          if (!rows.hasNext()) {
            break;
          }
          row = rows.next();
        } catch (UncheckedIOException | IllegalStateException e) {
          // Broken quoting: the parser cannot find where the next row starts, so the rest of the body is one error.
          records.add(new Incoming(index, Map.of(), "the CSV cannot be read from here on: "
              + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage())));
          break;
        }
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
    } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
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
