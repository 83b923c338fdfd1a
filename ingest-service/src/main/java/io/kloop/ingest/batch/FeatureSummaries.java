package io.kloop.ingest.batch;

import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureSummary;
import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.schemas.TextFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.statistics.descriptive.DoubleStatistics;
import org.apache.commons.statistics.descriptive.Quantile;
import org.apache.commons.statistics.descriptive.Statistic;

/**
 * The per-feature summary of a batch (Apache Commons Statistics), gathered row by row as the batch fills:
 * count and missing for every feature; min, max, mean, standard deviation and the 5/25/50/75/95 % quantiles
 * for numeric ones, and the same of the length in characters (code points, {@link TextFeatures#length}) for
 * text ones; value counts for categorical and boolean ones. Numeric values and text lengths are kept in a
 * primitive array per feature, so the quantiles stay exact (and the summary the same as one computed from
 * the finished batch's rows); the texts themselves are not kept here.
 */
final class FeatureSummaries {

  static final double[] PROBABILITIES = {0.05, 0.25, 0.5, 0.75, 0.95};

  private final List<Feature> features = new ArrayList<>();
  private long rows;

  FeatureSummaries(DatasetSpec spec) {
    spec.features().forEach(feature -> features.add(new Feature(feature)));
  }

  /** Adds one row's normalised values (Double, Boolean, String (a category or a text) or null by feature name). */
  void add(Map<String, Object> values) {
    rows++;
    for (Feature feature : features) {
      Object value = values.get(feature.name);
      if (value != null) {
        feature.add(value);
      }
    }
  }

  List<FeatureSummary> summaries() {
    List<FeatureSummary> summaries = new ArrayList<>(features.size());
    for (Feature feature : features) {
      summaries.add(feature.summary(rows));
    }
    return summaries;
  }

  private static final class Feature {
    private final String name;
    private final FeatureSpec spec;
    private double[] numbers = new double[0];
    private final Map<String, Long> counts = new HashMap<>();
    private int present;

    Feature(FeatureSpec spec) {
      this.spec = spec;
      this.name = spec.getName();
    }

    void add(Object value) {
      switch (spec.getType()) {
        case NUMERIC -> {
          if (present == numbers.length) {
            numbers = Arrays.copyOf(numbers, Math.max(256, present * 2));
          }
          numbers[present] = ((Number) value).doubleValue();
        }
        case TEXT -> {
          if (present == numbers.length) {
            numbers = Arrays.copyOf(numbers, Math.max(256, present * 2));
          }
          numbers[present] = TextFeatures.length((CharSequence) value);
        }
        case CATEGORICAL, BOOLEAN -> counts.merge(value.toString(), 1L, Long::sum);
      }
      present++;
    }

    FeatureSummary summary(long rows) {
      FeatureSummary.Builder summary = FeatureSummary.newBuilder()
          .setName(name)
          .setType(spec.getType())
          .setCount(present)
          .setMissing(rows - present);
      switch (spec.getType()) {
        case NUMERIC, TEXT -> numeric(summary, Arrays.copyOf(numbers, present));
        case CATEGORICAL, BOOLEAN -> summary.setCategoryCounts(new TreeMap<>(counts));
      }
      return summary.build();
    }
  }

  private static void numeric(FeatureSummary.Builder summary, double[] values) {
    if (values.length == 0) {
      return;
    }
    DoubleStatistics stats = DoubleStatistics.of(
        EnumSet.of(Statistic.MIN, Statistic.MAX, Statistic.MEAN, Statistic.STANDARD_DEVIATION), values);
    summary.setMin(stats.getAsDouble(Statistic.MIN))
        .setMax(stats.getAsDouble(Statistic.MAX))
        .setMean(stats.getAsDouble(Statistic.MEAN))
        .setStdDev(values.length > 1 ? stats.getAsDouble(Statistic.STANDARD_DEVIATION) : null);
    // evaluate() reorders its input, which is a copy.
    double[] quantiles = Quantile.withDefaults().evaluate(values, PROBABILITIES);
    Map<String, Double> byProbability = new TreeMap<>();
    for (int i = 0; i < PROBABILITIES.length; i++) {
      byProbability.put(String.valueOf(PROBABILITIES[i]), quantiles[i]);
    }
    summary.setQuantiles(byProbability);
  }
}
