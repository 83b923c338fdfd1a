package io.kloop.training.run;

import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.ClassificationMetrics;
import io.kloop.model.FeatureProfiles;
import io.kloop.model.IsotonicCalibration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the monitor compares live traffic against, profiled by {@link FeatureProfiles}: per numeric feature,
 * inner bin edges at the training split's deciles with the share of training values per bin, and a seeded
 * random sample; per categorical or boolean feature, the share of each value; and the same for
 * the model's output on the test split (predicted-class shares; for a binary model also bins and a sample
 * of the second class's probability). It also holds the model's calibration on the test split (isotonic, one map per
 * output class, by {@link IsotonicCalibration}), from which the monitor estimates performance while labels are missing
 * (CBPE): fitted on the same test rows and probabilities as the test metrics and the output profile.
 */
final class ReferenceProfiles {

  static final String OUTPUT = "output";

  private ReferenceProfiles() {}

  /**
   * @param testProbabilities per test row, the model's probability of each output class, in {@code outputClasses} order
   * @param testTruth per test row, the index into {@code outputClasses} of its true class
   */
  static ReferenceProfile of(DatasetSpecDeclared spec, List<Map<String, Object>> training, List<String> outputClasses,
      double[][] testProbabilities, int[] testTruth, long seed) {
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
          case TEXT -> value instanceof CharSequence;
        };
        if (usable) {
          values.add(value);
        }
      }
      features.add(switch (feature.getType()) {
        case NUMERIC -> FeatureProfiles.numeric(feature.getName(), values.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray(), seed + f);
        case BOOLEAN -> FeatureProfiles.categorical(feature.getName(), FeatureType.BOOLEAN, List.of("false", "true"), values);
        case CATEGORICAL -> FeatureProfiles.categorical(feature.getName(), FeatureType.CATEGORICAL, feature.getCategories(), values);
        case TEXT -> FeatureProfiles.text(feature.getName(), values.stream().map(Object::toString).toList(), seed + f);
      });
    }
    List<Object> predicted = new ArrayList<>();
    for (double[] probabilities : testProbabilities) {
      predicted.add(outputClasses.get(ClassificationMetrics.argMax(probabilities)));
    }
    FeatureProfile output = FeatureProfiles.categorical(OUTPUT, FeatureType.CATEGORICAL, outputClasses, predicted);
    if (outputClasses.size() == 2) {
      FeatureProfile positive = FeatureProfiles.numeric(OUTPUT, Arrays.stream(testProbabilities).mapToDouble(p -> p[1]).toArray(), seed - 1);
      output.setBinEdges(positive.getBinEdges());
      output.setBinProportions(positive.getBinProportions());
      output.setSample(positive.getSample());
    }
    return ReferenceProfile.newBuilder().setFeatures(features).setOutput(output)
        .setCalibration(IsotonicCalibration.fit(outputClasses, testTruth, testProbabilities)).setSampleSeed(seed).build();
  }
}
