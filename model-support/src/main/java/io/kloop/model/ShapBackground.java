package io.kloop.model;

import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Background rows for {@link KernelShap}, drawn from a model version's reference profile (the training
 * data's distribution, which the profile keeps per feature, not as joint rows): a numeric feature's value
 * from the profile's sample (whole numbers for a feature the model takes as INT64; the middle of the bin
 * edges when there is no sample); a categorical or boolean value by the profile's frequencies; a text
 * value is the empty string (the profile keeps tokens, not texts). Features are drawn independently, so
 * the explanations are interventional Shapley values under independent features. Seeded: the same profile
 * and seed give the same rows.
 */
public final class ShapBackground {

  private ShapBackground() {}

  /** {@code rows} background rows with a value for every input of the signature. */
  public static List<Map<String, Object>> draw(ModelSignature signature, ReferenceProfile profile, int rows, long seed) {
    Map<String, FeatureProfile> profiles = new HashMap<>();
    profile.getFeatures().forEach(feature -> profiles.put(feature.getName(), feature));
    Set<String> integers = new HashSet<>();
    for (SignatureTensor tensor : signature.getTensors()) {
      if (tensor.getElementType() == TensorElementType.INT64) {
        integers.addAll(tensor.getFeatures());
      }
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<Map<String, Object>> background = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      Map<String, Object> row = new HashMap<>();
      for (SignatureField input : signature.getInputs()) {
        row.put(input.getName(), value(input, profiles.get(input.getName()), integers.contains(input.getName()), random));
      }
      background.add(row);
    }
    return background;
  }

  private static Object value(SignatureField input, FeatureProfile profile, boolean integer, SplittableRandom random) {
    switch (input.getType()) {
      case TEXT -> {
        return "";
      }
      case NUMERIC -> {
        double value;
        if (profile != null && !profile.getSample().isEmpty()) {
          value = profile.getSample().get(random.nextInt(profile.getSample().size()));
        } else if (profile != null && !profile.getBinEdges().isEmpty()) {
          value = profile.getBinEdges().get(profile.getBinEdges().size() / 2);
        } else {
          value = 0;
        }
        return integer ? (Object) Math.round(value) : (Object) value;
      }
      default -> {
        String drawn = byFrequency(profile, random);
        if (input.getType() == FeatureType.BOOLEAN) {
          return drawn == null ? Boolean.FALSE : Boolean.valueOf(drawn);
        }
        return drawn != null ? drawn : input.getCategories().isEmpty() ? "" : input.getCategories().get(0);
      }
    }
  }

  private static String byFrequency(FeatureProfile profile, SplittableRandom random) {
    if (profile == null || profile.getCategoryFrequencies().isEmpty()) {
      return null;
    }
    double total = profile.getCategoryFrequencies().values().stream().mapToDouble(Double::doubleValue).sum();
    double u = random.nextDouble() * total;
    String last = null;
    // In the keys' order, so that the draw does not depend on the map's iteration order.
    for (Map.Entry<String, Double> entry : new TreeMap<>(profile.getCategoryFrequencies()).entrySet()) {
      last = entry.getKey();
      u -= entry.getValue();
      if (u < 0) {
        return last;
      }
    }
    return last;
  }
}
