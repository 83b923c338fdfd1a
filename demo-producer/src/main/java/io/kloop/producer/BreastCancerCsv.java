package io.kloop.producer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
    return ScikitLearnCsv.read(file, FEATURES, "bc-%04d");
  }
}
