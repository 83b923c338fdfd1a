package io.kloop.monitor.drift;

import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.Bins;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.commons.statistics.descriptive.Quantile;

/**
 * Reference profiles made the way training-service's {@code ReferenceProfiles} makes them: inner edges at the
 * deciles (duplicates dropped), shares per bin by {@link Bins}, a sorted seeded sample of at most 500 values;
 * category shares in the declared order.
 */
public final class TrainingLikeProfiles {

  public static final String OUTPUT = "output";
  private static final int BINS = 10;
  private static final int SAMPLE = 500;

  private TrainingLikeProfiles() {}

  public static FeatureProfile numeric(String name, double[] values, long seed) {
    List<Double> edges = new ArrayList<>();
    if (values.length > 0) {
      double[] deciles = Quantile.withDefaults().evaluate(values,
          IntStream.range(1, BINS).mapToDouble(i -> (double) i / BINS).toArray());
      for (double edge : deciles) {
        if (edges.isEmpty() || edge > edges.get(edges.size() - 1)) {
          edges.add(edge);
        }
      }
    }
    return FeatureProfile.newBuilder()
        .setName(name)
        .setType(FeatureType.NUMERIC)
        .setCount(values.length)
        .setBinEdges(edges)
        .setBinProportions(Arrays.stream(Bins.proportions(edges, values)).boxed().toList())
        .setSample(sample(values, seed))
        .setCategoryFrequencies(Map.of())
        .build();
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

  /** The output profile of a two-class model: predicted-class shares, and bins and a sample of the second class's probability. */
  public static FeatureProfile binaryOutput(List<String> classes, double[] secondClassProbabilities, long seed) {
    List<String> predicted = Arrays.stream(secondClassProbabilities).mapToObj(p -> classes.get(p > 0.5 ? 1 : 0)).toList();
    FeatureProfile output = categorical(OUTPUT, FeatureType.CATEGORICAL, classes, predicted);
    FeatureProfile positive = numeric(OUTPUT, secondClassProbabilities, seed - 1);
    output.setBinEdges(positive.getBinEdges());
    output.setBinProportions(positive.getBinProportions());
    output.setSample(positive.getSample());
    return output;
  }

  public static ReferenceProfile profile(List<FeatureProfile> features, FeatureProfile output, long seed) {
    return ReferenceProfile.newBuilder().setFeatures(features).setOutput(output).setSampleSeed(seed).build();
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
}
