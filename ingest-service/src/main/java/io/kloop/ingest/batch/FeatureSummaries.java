package io.kloop.ingest.batch;

import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureSummary;
import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.schemas.BatchFiles;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.statistics.descriptive.DoubleStatistics;
import org.apache.commons.statistics.descriptive.Quantile;
import org.apache.commons.statistics.descriptive.Statistic;

/**
 * The per-feature summary of a batch (Apache Commons Statistics): count and missing for every feature;
 * min, max, mean, standard deviation and the 5/25/50/75/95 % quantiles for numeric ones; value counts for
 * categorical and boolean ones.
 */
final class FeatureSummaries {

  static final double[] PROBABILITIES = {0.05, 0.25, 0.5, 0.75, 0.95};

  private FeatureSummaries() {}

  static List<FeatureSummary> of(DatasetSpec spec, List<BatchFiles.Row> rows) {
    List<FeatureSummary> summaries = new ArrayList<>();
    for (FeatureSpec feature : spec.features()) {
      List<Object> present = new ArrayList<>();
      for (BatchFiles.Row row : rows) {
        Object value = row.features().get(feature.getName());
        if (value != null) {
          present.add(value);
        }
      }
      FeatureSummary.Builder summary = FeatureSummary.newBuilder()
          .setName(feature.getName())
          .setType(feature.getType())
          .setCount(present.size())
          .setMissing(rows.size() - present.size());
      switch (feature.getType()) {
        case NUMERIC -> numeric(summary, present.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray());
        case CATEGORICAL, BOOLEAN -> {
          Map<String, Long> counts = new TreeMap<>();
          present.forEach(v -> counts.merge(v.toString(), 1L, Long::sum));
          summary.setCategoryCounts(counts);
        }
      }
      summaries.add(summary.build());
    }
    return summaries;
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
    double[] quantiles = Quantile.withDefaults().evaluate(values.clone(), PROBABILITIES);
    Map<String, Double> byProbability = new TreeMap<>();
    for (int i = 0; i < PROBABILITIES.length; i++) {
      byProbability.put(String.valueOf(PROBABILITIES[i]), quantiles[i]);
    }
    summary.setQuantiles(byProbability);
  }
}
