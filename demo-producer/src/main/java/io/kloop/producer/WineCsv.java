package io.kloop.producer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the shipped wine data ({@code data/wine.csv}, scikit-learn's {@code wine_data.csv} unchanged): 178 wines,
 * 13 chemical measurements, the cultivar {@code class_0}, {@code class_1} or {@code class_2}. Feature names
 * follow {@code data/wine.spec.json}; record ids are {@code wine-001} to {@code wine-178}, by row.
 */
public final class WineCsv {

  public static final List<String> FEATURES = List.of(
      "alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
      "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280_od315_of_diluted_wines", "proline");

  public static final List<String> CLASSES = List.of("class_0", "class_1", "class_2");

  private WineCsv() {}

  public static List<SourceRecord> read(Path file) throws IOException {
    return ScikitLearnCsv.read(file, FEATURES, "wine-%03d");
  }
}
