package io.kloop.monitor.drift;

import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.SignatureField;
import io.kloop.model.FeatureProfiles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded synthetic model and its traffic: five numeric features (four normal with different means and
 * standard deviations, one of them whole numbers sent as {@code Long}; one lognormal), a categorical
 * {@code colour} with unequal shares, a boolean {@code flag}, and a two-class output whose probability is the
 * logistic of a linear combination of the features. Its reference profile is built from a "training" draw
 * the way training builds it.
 */
public final class SyntheticModel {

  public static final List<String> CLASSES = List.of("no", "yes");
  public static final List<String> NUMERIC = List.of("x1", "x2", "x3", "x4", "skewed");
  public static final List<String> COLOURS = List.of("red", "green", "blue");
  static final double[] MEANS = {0, 10, -5, 100};
  static final double[] SDS = {1, 2, 0.5, 15};

  /**
   * How the traffic departs from training.
   *
   * @param meanShift per normal feature (x1..x4), its mean shift in standard deviations
   * @param colourShares shares of red, green, blue
   * @param flagShare share of true
   * @param interceptShift added to the model's log-odds (moves the output, not the inputs)
   * @param unseenColourShare share of colours outside the reference ("purple")
   */
  public record Scenario(double[] meanShift, double[] colourShares, double flagShare, double interceptShift,
      double unseenColourShare) {

    public static Scenario stationary() {
      return new Scenario(new double[4], new double[] {0.5, 0.3, 0.2}, 0.3, 0, 0);
    }

    public Scenario withMeanShift(int feature, double sds) {
      double[] shift = meanShift.clone();
      shift[feature] = sds;
      return new Scenario(shift, colourShares, flagShare, interceptShift, unseenColourShare);
    }

    public Scenario withColours(double red, double green, double blue) {
      return new Scenario(meanShift, new double[] {red, green, blue}, flagShare, interceptShift, unseenColourShare);
    }

    Scenario withFlagShare(double share) {
      return new Scenario(meanShift, colourShares, share, interceptShift, unseenColourShare);
    }

    Scenario withInterceptShift(double shift) {
      return new Scenario(meanShift, colourShares, flagShare, shift, unseenColourShare);
    }

    Scenario withUnseenColours(double share) {
      return new Scenario(meanShift, colourShares, flagShare, interceptShift, share);
    }
  }

  private final SplittableRandom random;
  private final Map<String, Object> inputs = new HashMap<>();
  private final Map<String, Double> probabilities = new HashMap<>();
  private String predicted;

  public SyntheticModel(long seed) {
    random = new SplittableRandom(seed);
  }

  /** The reference profile of a training draw of {@code rows} rows and a test split of {@code testRows}. */
  public static ReferenceProfile reference(long seed, int rows, int testRows) {
    SyntheticModel training = new SyntheticModel(seed);
    Scenario stationary = Scenario.stationary();
    double[][] numeric = new double[NUMERIC.size()][rows];
    List<Object> colours = new ArrayList<>();
    List<Object> flags = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      Map<String, Object> row = training.next(stationary);
      for (int f = 0; f < NUMERIC.size(); f++) {
        numeric[f][r] = ((Number) row.get(NUMERIC.get(f))).doubleValue();
      }
      colours.add(row.get("colour"));
      flags.add(row.get("flag"));
    }
    List<FeatureProfile> features = new ArrayList<>();
    for (int f = 0; f < NUMERIC.size(); f++) {
      features.add(FeatureProfiles.numeric(NUMERIC.get(f), numeric[f], seed + f));
    }
    features.add(FeatureProfiles.categorical("colour", FeatureType.CATEGORICAL, COLOURS, colours));
    features.add(FeatureProfiles.categorical("flag", FeatureType.BOOLEAN, List.of("false", "true"), flags));
    double[] test = new double[testRows];
    for (int r = 0; r < testRows; r++) {
      training.next(stationary);
      test[r] = training.probabilities.get("yes");
    }
    return TrainingLikeProfiles.profile(features, TrainingLikeProfiles.binaryOutput(CLASSES, test, seed), seed);
  }

  /** Draws the next prediction; the returned map is reused by the next call. */
  public Map<String, Object> next(Scenario scenario) {
    double logit = -0.5 + scenario.interceptShift();
    for (int f = 0; f < 4; f++) {
      double z = random.nextGaussian() + scenario.meanShift()[f];
      double value = MEANS[f] + SDS[f] * z;
      if (f == 3) {
        long whole = Math.round(value);
        inputs.put(NUMERIC.get(f), whole);
        logit += 0.02 * (whole - MEANS[f]);
      } else {
        inputs.put(NUMERIC.get(f), value);
        logit += (f == 0 ? 1.0 : 0.3) * (value - MEANS[f]) / SDS[f];
      }
    }
    double skewed = Math.exp(0.75 * random.nextGaussian());
    inputs.put("skewed", skewed);
    logit += 0.5 * Math.log(skewed);
    String colour;
    double u = random.nextDouble();
    if (u < scenario.unseenColourShare()) {
      colour = "purple";
    } else {
      double v = random.nextDouble();
      double[] shares = scenario.colourShares();
      colour = v < shares[0] ? "red" : v < shares[0] + shares[1] ? "green" : "blue";
    }
    inputs.put("colour", colour);
    logit += colour.equals("red") ? 0.8 : 0;
    boolean flag = random.nextDouble() < scenario.flagShare();
    inputs.put("flag", flag);
    logit -= flag ? 0.6 : 0;
    double yes = 1 / (1 + Math.exp(-logit));
    probabilities.put("no", 1 - yes);
    probabilities.put("yes", yes);
    predicted = yes > 0.5 ? "yes" : "no";
    return inputs;
  }

  /** The class predicted for the last instance drawn. */
  public String predicted() {
    return predicted;
  }

  /** The class probabilities of the last instance drawn (reused by the next call). */
  public Map<String, Double> probabilities() {
    return probabilities;
  }

  /** The model's signature: its inputs in profile order. */
  public static ModelSignature signature() {
    List<SignatureField> inputs = new ArrayList<>();
    NUMERIC.forEach(name -> inputs.add(SignatureField.newBuilder().setName(name).setType(FeatureType.NUMERIC).build()));
    inputs.add(SignatureField.newBuilder().setName("colour").setType(FeatureType.CATEGORICAL).setCategories(COLOURS).build());
    inputs.add(SignatureField.newBuilder().setName("flag").setType(FeatureType.BOOLEAN).build());
    return ModelSignature.newBuilder().setInputs(inputs).setOutputClasses(CLASSES).setInputTensor("input").setProbabilityTensor("probabilities")
        .build();
  }

  /** A window of {@code size} predictions of the scenario. */
  DriftWindowAccumulator window(ReferenceProfile reference, Scenario scenario, int size) {
    DriftWindowAccumulator window = new DriftWindowAccumulator(reference, CLASSES);
    for (int i = 0; i < size; i++) {
      addNext(window, scenario);
    }
    return window;
  }

  /** Draws the next prediction into {@code window}. */
  void addNext(DriftWindowAccumulator window, Scenario scenario) {
    Map<String, Object> row = next(scenario);
    window.add(row, predicted, probabilities);
  }
}
