package io.kloop.producer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a data file in the layout of scikit-learn's bundled data sets ({@code sklearn/datasets/data/*.csv}), as
 * the shipped breast-cancer and wine files are: a first line {@code samples,features,class0,class1,...}, then one
 * line per sample with the feature values and the class index. The files stay as scikit-learn ships them, so their
 * hashes can be checked against the package; the feature names come from the dataset's spec.
 */
final class ScikitLearnCsv {

  private ScikitLearnCsv() {}

  /**
   * The records of a file, with the given feature names in column order and ids made from the row number (from 1)
   * by {@code idFormat}, e.g. {@code "wine-%03d"}.
   */
  static List<SourceRecord> read(Path file, List<String> featureNames, String idFormat) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IOException(file + " is empty");
    }
    String[] header = lines.get(0).split(",");
    int samples = Integer.parseInt(header[0].trim());
    int featureCount = Integer.parseInt(header[1].trim());
    if (featureCount != featureNames.size()) {
      throw new IOException(file + " has " + featureCount + " features, expected " + featureNames.size());
    }
    List<String> classes = List.of(header).subList(2, header.length).stream().map(String::trim).toList();
    List<SourceRecord> records = new ArrayList<>();
    for (int row = 1; row < lines.size(); row++) {
      String line = lines.get(row).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] values = line.split(",");
      if (values.length != featureCount + 1) {
        throw new IOException(file + " line " + (row + 1) + " has " + values.length + " values, expected " + (featureCount + 1));
      }
      Map<String, Object> features = new LinkedHashMap<>();
      for (int i = 0; i < featureCount; i++) {
        features.put(featureNames.get(i), Double.parseDouble(values[i]));
      }
      String label = classes.get(Integer.parseInt(values[featureCount].trim()));
      records.add(new SourceRecord(String.format(idFormat, records.size() + 1), features, label));
    }
    if (records.size() != samples) {
      throw new IOException(file + " announces " + samples + " samples but holds " + records.size());
    }
    return records;
  }
}
