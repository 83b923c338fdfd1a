package io.kloop.monitor.drift;

import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.FeatureProfiles;
import java.util.Arrays;
import java.util.List;

/**
 * Output and whole reference profiles made the way training-service's {@code ReferenceProfiles} makes them,
 * from the shared {@link FeatureProfiles}.
 */
public final class TrainingLikeProfiles {

  public static final String OUTPUT = "output";

  private TrainingLikeProfiles() {}

  /** The output profile of a two-class model: predicted-class shares, and bins and a sample of the second class's probability. */
  public static FeatureProfile binaryOutput(List<String> classes, double[] secondClassProbabilities, long seed) {
    List<String> predicted = Arrays.stream(secondClassProbabilities).mapToObj(p -> classes.get(p > 0.5 ? 1 : 0)).toList();
    FeatureProfile output = FeatureProfiles.categorical(OUTPUT, FeatureType.CATEGORICAL, classes, predicted);
    FeatureProfile positive = FeatureProfiles.numeric(OUTPUT, secondClassProbabilities, seed - 1);
    output.setBinEdges(positive.getBinEdges());
    output.setBinProportions(positive.getBinProportions());
    output.setSample(positive.getSample());
    return output;
  }

  public static ReferenceProfile profile(List<FeatureProfile> features, FeatureProfile output, long seed) {
    return ReferenceProfile.newBuilder().setFeatures(features).setOutput(output).setSampleSeed(seed).build();
  }
}
