package io.kloop.producer;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * Writes and reads review records as CSV (RFC 4180, UTF-8, {@code \n} line ends) with the header
 * {@code id,review,sentiment}: a field holding a comma, a quote or a line break is quoted. {@code data/reviews.csv}
 * is such a file, written by {@code ./kloop produce reviews --write=...}.
 */
public final class ReviewsCsv {

  static final String[] HEADER = {"id", SyntheticReviews.FEATURE, SyntheticReviews.LABEL};

  private static final CSVFormat WRITE = CSVFormat.RFC4180.builder().setHeader(HEADER).setRecordSeparator('\n').get();
  private static final CSVFormat READ = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();

  private ReviewsCsv() {}

  public static void write(Path file, List<SourceRecord> records) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8); CSVPrinter printer = new CSVPrinter(out, WRITE)) {
      for (SourceRecord record : records) {
        printer.printRecord(record.id(), record.features().get(SyntheticReviews.FEATURE), record.label());
      }
    }
  }

  public static List<SourceRecord> read(Path file) throws IOException {
    List<SourceRecord> records = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8); CSVParser parser = CSVParser.parse(in, READ)) {
      if (!parser.getHeaderNames().equals(List.of(HEADER))) {
        throw new IOException(file + " does not start with the header " + String.join(",", HEADER));
      }
      for (CSVRecord row : parser) {
        if (row.size() != HEADER.length) {
          throw new IOException(file + " line " + parser.getCurrentLineNumber() + " has " + row.size() + " fields, expected 3");
        }
        Map<String, Object> features = new LinkedHashMap<>();
        features.put(SyntheticReviews.FEATURE, row.get(1));
        records.add(new SourceRecord(row.get(0), features, row.get(2)));
      }
    }
    return records;
  }
}
