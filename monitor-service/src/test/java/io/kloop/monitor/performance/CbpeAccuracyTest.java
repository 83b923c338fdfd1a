package io.kloop.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.Calibration;
import io.kloop.model.ClassificationMetrics;
import io.kloop.model.IsotonicCalibration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 24's "Done when": on seeded synthetic traffic with calibrated probabilities, CBPE's estimated accuracy is
 * within 2 points of the realized one over windows of 500.
 *
 * <p>The traffic: a two-class model whose true probability of class b is q = sigmoid(0.3 + b·z), z standard normal;
 * each label is drawn from q. The model reports overconfident probabilities sigmoid(2·logit q), so the estimate is
 * right only if the calibration works (the raw probabilities overstate accuracy by 3 to 6 points, asserted). The
 * calibration is fitted with {@link IsotonicCalibration#fit} on a separate seeded test split of 5,000 predictions,
 * as training fits it; then 200 windows of 500 predictions are estimated and their labels counted.
 *
 * <p>What is asserted, and why: the realized accuracy of 500 outcomes has a spread of its own (its standard
 * deviation is sqrt(a(1 - a)/500): 0.010 at a = 0.95, 0.015 at a = 0.87), and the calibration, fitted on 5,000
 * outcomes, carries a fixed error of about a third of that into every window of the version. No estimate can
 * therefore be within 2 points of every window's realized accuracy. At the demo's accuracy level (about 0.95):
 * the mean absolute difference is under 2 points (about 0.8 expected), the mean difference (the estimate's bias)
 * under 1 point, and at least 90 % of the windows are within 2 points (about 95 % expected). At 0.87 the same with
 * the looser bounds the wider spread implies. Seeded, so the figures are the same on every run: nothing here is
 * flaky; the bounds leave room for other seeds too (checked with six seeds when written: mean absolute difference
 * 0.007 to 0.008 at 0.95 and 0.010 to 0.014 at 0.87; bias -0.001 to 0.004 and -0.001 to 0.010; windows within
 * 2 points 92 % to 99 % and 72 % to 88 %).
 */
class CbpeAccuracyTest {

  private static final List<String> CLASSES = List.of("a", "b");
  private static final int WINDOWS = 200;
  private static final int WINDOW = 500;

  /** How the estimate followed the realized accuracy over the windows. */
  record Tracking(double meanAccuracy, double meanDifference, double meanAbsoluteDifference, double withinTwoPoints, double rawMeanDifference) {}

  @Test
  void shouldEstimateAccuracyWithinTwoPointsAtTheDemosAccuracyLevel() {
    Tracking tracking = track(10, 24);

    assertThat(tracking.meanAccuracy()).as("the accuracy level").isBetween(0.93, 0.96);
    assertThat(tracking.meanAbsoluteDifference()).isLessThan(0.02);
    assertThat(Math.abs(tracking.meanDifference())).isLessThan(0.01);
    assertThat(tracking.withinTwoPoints()).isGreaterThanOrEqualTo(0.90);
    assertThat(tracking.rawMeanDifference()).as("uncalibrated, the overconfident probabilities overstate accuracy").isGreaterThan(0.02);
  }

  @Test
  void shouldEstimateAccuracyWithinTheSpreadOfFiveHundredOutcomesAtALowerAccuracy() {
    Tracking tracking = track(4, 25);

    assertThat(tracking.meanAccuracy()).as("the accuracy level").isBetween(0.85, 0.89);
    assertThat(tracking.meanAbsoluteDifference()).isLessThan(0.02);
    assertThat(Math.abs(tracking.meanDifference())).isLessThan(0.015);
    assertThat(tracking.withinTwoPoints()).isGreaterThanOrEqualTo(0.65);
    assertThat(tracking.rawMeanDifference()).as("uncalibrated, the overconfident probabilities overstate accuracy").isGreaterThan(0.04);
  }

  /** Fits the calibration on a test split, then estimates and measures {@value #WINDOWS} windows of served traffic. */
  private static Tracking track(double b, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Traffic split = Traffic.draw(random, 5_000, b);
    Calibration calibration = IsotonicCalibration.fit(CLASSES, split.truth, split.probabilities);
    Cbpe cbpe = new Cbpe(200);
    double accuracy = 0;
    double difference = 0;
    double absolute = 0;
    double raw = 0;
    int within = 0;
    for (int w = 0; w < WINDOWS; w++) {
      Traffic window = Traffic.draw(random, WINDOW, b);
      double estimated = cbpe.estimate(calibration, new WindowData(CLASSES, null, window.predicted, window.probabilities), w).getAccuracy().getValue();
      double realized = window.accuracy();
      accuracy += realized;
      difference += estimated - realized;
      absolute += Math.abs(estimated - realized);
      raw += window.meanConfidence() - realized;
      within += Math.abs(estimated - realized) <= 0.02 ? 1 : 0;
    }
    return new Tracking(accuracy / WINDOWS, difference / WINDOWS, absolute / WINDOWS, within / (double) WINDOWS, raw / WINDOWS);
  }

  /** Predictions of the synthetic model with labels drawn from their true probabilities. */
  private record Traffic(int[] truth, int[] predicted, double[][] probabilities) {

    static Traffic draw(SplittableRandom random, int n, double b) {
      int[] truth = new int[n];
      int[] predicted = new int[n];
      double[][] probabilities = new double[n][];
      for (int i = 0; i < n; i++) {
        double z = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
        double logit = 0.3 + b * z;
        double q = 1 / (1 + Math.exp(-logit));
        double reported = 1 / (1 + Math.exp(-2 * logit));
        probabilities[i] = new double[] {1 - reported, reported};
        predicted[i] = ClassificationMetrics.argMax(probabilities[i]);
        truth[i] = random.nextDouble() < q ? 1 : 0;
      }
      return new Traffic(truth, predicted, probabilities);
    }

    double accuracy() {
      int right = 0;
      for (int i = 0; i < truth.length; i++) {
        right += truth[i] == predicted[i] ? 1 : 0;
      }
      return right / (double) truth.length;
    }

    double meanConfidence() {
      double sum = 0;
      for (int i = 0; i < predicted.length; i++) {
        sum += probabilities[i][predicted[i]];
      }
      return sum / predicted.length;
    }
  }
}
