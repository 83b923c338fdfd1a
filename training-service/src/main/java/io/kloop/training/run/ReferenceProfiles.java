package io.kloop.training.run;

import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.Bins;
import io.kloop.model.ClassificationMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.statistics.descriptive.Quantile;

/**
 * What the monitor compares live traffic against: per numeric feature, inner bin edges at the training
 * split's deciles with the share of training values per bin, and a seeded random sample of at most
 * {@value #SAMPLE} values; per categorical or boolean feature, the share of each value; and the same for
 * the model's output on the test split (predicted-class shares; for a binary model also bins and a sample
 * of the second class's probability).
 */
final class ReferenceProfiles {

  static final int BINS = 10;
  static final int SAMPLE = 500;
  static final String OUTPUT = "output";

  private ReferenceProfiles() {}

  static ReferenceProfile of(DatasetSpecDeclared spec, List<Map<String, Object>> training, List<String> outputClasses,
      double[][] testProbabilities, long seed) {
    List<FeatureProfile> features = new ArrayList<>();
    for (int f = 0; f < spec.getFeatures().size(); f++) {
      FeatureSpec feature = spec.getFeatures().get(f);
      List<Object> values = new ArrayList<>();
      for (Map<String, Object> row : training) {
        Object value = row.get(feature.getName());
        // A feature whose type changed between spec versions: only values of the current type count.
        boolean usable = switch (feature.getType()) {
          case NUMERIC -> value instanceof Number;
          case BOOLEAN -> value instanceof Boolean;
          case CATEGORICAL -> value != null;
        };
        if (usable) {
          values.add(value);
        }
      }
      features.add(switch (feature.getType()) {
        case NUMERIC -> numeric(feature.getName(), values.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray(), seed + f);
        case BOOLEAN -> categorical(feature.getName(), FeatureType.BOOLEAN, List.of("false", "true"), values);
        case CATEGORICAL -> categorical(feature.getName(), FeatureType.CATEGORICAL, feature.getCategories(), values);
      });
    }
    List<Object> predicted = new ArrayList<>();
    for (double[] probabilities : testProbabilities) {
      predicted.add(outputClasses.get(ClassificationMetrics.argMax(probabilities)));
    }
    FeatureProfile output = categorical(OUTPUT, FeatureType.CATEGORICAL, outputClasses, predicted);
    if (outputClasses.size() == 2) {
      FeatureProfile positive = numeric(OUTPUT, Arrays.stream(testProbabilities).mapToDouble(p -> p[1]).toArray(), seed - 1);
      output.setBinEdges(positive.getBinEdges());
      output.setBinProportions(positive.getBinProportions());
      output.setSample(positive.getSample());
    }
    return ReferenceProfile.newBuilder().setFeatures(features).setOutput(output).setSampleSeed(seed).build();
  }

  static FeatureProfile numeric(String name, double[] values, long seed) {
    List<Double> edges = new ArrayList<>();
    if (values.length > 0) {
      double[] deciles = Quantile.withDefaults().evaluate(values, java.util.stream.IntStream.range(1, BINS).mapToDouble(i -> (double) i / BINS).toArray());
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

  private static FeatureProfile categorical(String name, FeatureType type, List<String> categories, List<Object> values) {
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
