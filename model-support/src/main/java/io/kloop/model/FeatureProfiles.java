package io.kloop.model;

import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.commons.statistics.descriptive.Quantile;

/**
 * How one feature's (or the output's) expected distribution is profiled, for training to record and the
 * monitor to compare against: a numeric profile has inner bin edges at the values' deciles (repeated edges
 * dropped), the share of values per bin ({@link Bins}) and a seeded, sorted random sample of at most
 * {@value #SAMPLE} values; a categorical or boolean profile has the share of each value, in the declared
 * order.
 */
public final class FeatureProfiles {

  public static final int BINS = 10;
  public static final int SAMPLE = 500;

  private FeatureProfiles() {}

  public static FeatureProfile numeric(String name, double[] values, long seed) {
    List<Double> edges = new ArrayList<>();
    if (values.length > 0) {
      double[] deciles = Quantile.withDefaults().evaluate(values, IntStream.range(1, BINS).mapToDouble(i -> (double) i / BINS).toArray());
      for (double edge : deciles) {
        if (edges.isEmpty() || edge > edges.get(edges.size() - 1)) {
          edges.add(edge);
        }
      }
    }
    double[] proportions = Bins.proportions(edges, values);
    return FeatureProfile.newBuilder()
        .setName(name)
        .setType(FeatureType.NUMERIC)
        .setCount(values.length)
        .setBinEdges(edges)
        .setBinProportions(Arrays.stream(proportions).boxed().toList())
        .setSample(sample(values, seed))
        .setCategoryFrequencies(Map.of())
        .build();
  }

  private static List<Double> sample(double[] values, long seed) {
    double[] copy = values.clone();
    SplittableRandom random = new SplittableRandom(seed);
    int size = Math.min(SAMPLE, copy.length);
    for (int i = 0; i < size; i++) {
      int j = i + random.nextInt(copy.length - i);
      double swap = copy[i];
      copy[i] = copy[j];
      copy[j] = swap;
    }
    double[] chosen = Arrays.copyOf(copy, size);
    Arrays.sort(chosen);
    return Arrays.stream(chosen).boxed().toList();
  }

  public static FeatureProfile categorical(String name, FeatureType type, List<String> categories, List<?> values) {
    Map<String, Double> shares = new LinkedHashMap<>();
    categories.forEach(category -> shares.put(category, 0.0));
    for (Object value : values) {
      shares.merge(value.toString(), 1.0, Double::sum);
    }
    if (!values.isEmpty()) {
      shares.replaceAll((category, count) -> count / values.size());
    }
    return FeatureProfile.newBuilder()
        .setName(name)
        .setType(type)
        .setCount(values.size())
        .setBinEdges(List.of())
        .setBinProportions(List.of())
        .setSample(List.of())
        .setCategoryFrequencies(shares)
        .build();
  }
}
