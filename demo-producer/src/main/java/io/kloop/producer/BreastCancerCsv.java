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
 * Reads the shipped Breast Cancer Wisconsin (Diagnostic) file in scikit-learn's layout: a first line
 * {@code samples,features,class0,class1}, then one line per sample with the feature values and the class
 * index. Feature names follow {@code data/breast_cancer.spec.json}.
 */
public final class BreastCancerCsv {

  public static final List<String> FEATURES = List.of(
      "mean_radius", "mean_texture", "mean_perimeter", "mean_area", "mean_smoothness", "mean_compactness",
      "mean_concavity", "mean_concave_points", "mean_symmetry", "mean_fractal_dimension",
      "radius_error", "texture_error", "perimeter_error", "area_error", "smoothness_error", "compactness_error",
      "concavity_error", "concave_points_error", "symmetry_error", "fractal_dimension_error",
      "worst_radius", "worst_texture", "worst_perimeter", "worst_area", "worst_smoothness", "worst_compactness",
      "worst_concavity", "worst_concave_points", "worst_symmetry", "worst_fractal_dimension");

  private BreastCancerCsv() {}

  public static List<SourceRecord> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String[] header = lines.get(0).split(",");
    int samples = Integer.parseInt(header[0].trim());
    int featureCount = Integer.parseInt(header[1].trim());
    if (featureCount != FEATURES.size()) {
      throw new IOException(file + " has " + featureCount + " features, expected " + FEATURES.size());
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
        features.put(FEATURES.get(i), Double.parseDouble(values[i]));
      }
      String label = classes.get(Integer.parseInt(values[featureCount].trim()));
      records.add(new SourceRecord(String.format("bc-%04d", records.size() + 1), features, label));
    }
    if (records.size() != samples) {
      throw new IOException(file + " announces " + samples + " samples but holds " + records.size());
    }
    return records;
  }
}
