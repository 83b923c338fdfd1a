package io.kloop.monitor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.FeatureProfile;
import io.kloop.events.ReferenceProfile;
import io.kloop.model.FeatureProfiles;
import io.kloop.monitor.drift.DriftAnalyzer;
import io.kloop.monitor.drift.DriftAssessment;
import io.kloop.monitor.drift.DriftSettings;
import io.kloop.monitor.drift.DriftWindowAccumulator;
import io.kloop.monitor.drift.KolmogorovSmirnov;
import io.kloop.monitor.drift.TrainingLikeProfiles;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.apache.commons.statistics.inference.PValueMethod;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Drift core throughput (a load driver, not a test of speed): input feature values per second through
 * {@link DriftWindowAccumulator#add} and {@link DriftAnalyzer#assess}, for a two-class model with 30 numeric
 * features (like the breast cancer data: half normal, half lognormal, scales from 0.001 to 1,000) in windows
 * of 1,000 predictions.
 *
 * <p>The predictions are generated up front (seeded, as {@code PredictionLogged} maps hold them) and
 * replayed window after window, on one thread and then on two, each thread filling and assessing windows
 * of its own. Each round processes {@code bench.windows} windows (default 400, so 12 million feature
 * values); {@code bench.warmup} rounds (default 3) are not counted, the median of {@code bench.rounds}
 * measured ones (default 5) is reported, with the same per CPU-second of the worker threads (which other load
 * on the machine disturbs less).
 *
 * <p>Run with {@code ./mvnw -B -ntp -pl monitor-service -am verify -Pbenchmark} (it is tagged so that surefire
 * never runs it). The figures are printed and written to
 * {@code monitor-service/target/benchmark/monitor-throughput.md}.
 */
@Tag("benchmark")
class DriftThroughputBenchmark {

  private static final int WINDOWS = Integer.getInteger("bench.windows", 400);
  private static final int WARMUP_ROUNDS = Integer.getInteger("bench.warmup", 3);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
  private static final int FEATURES = 30;
  private static final int WINDOW = 1000;
  private static final int DISTINCT_WINDOWS = 16;
  private static final List<String> CLASSES = List.of("malignant", "benign");

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private record Prediction(Map<String, Object> inputs, String predicted, Map<String, Double> probabilities, long time) {}

  @Test
  void measureFeatureValuesPerSecondThroughAccumulateAndAssess() throws Exception {
    Model model = new Model(new SplittableRandom(2024));
    ReferenceProfile reference = model.reference(new SplittableRandom(1), 5_000, 1_000);
    List<Prediction[]> windows = new ArrayList<>();
    SplittableRandom live = new SplittableRandom(3);
    for (int w = 0; w < DISTINCT_WINDOWS; w++) {
      Prediction[] window = new Prediction[WINDOW];
      for (int i = 0; i < WINDOW; i++) {
        window[i] = model.predict(live, 1_700_000_000_000L + (long) w * WINDOW + i);
      }
      windows.add(window);
    }
    DriftAnalyzer analyzer = new DriftAnalyzer();
    DriftSettings settings = DriftSettings.defaults();

    StringBuilder table = new StringBuilder(
        "| threads | feature values/s | per CPU-second | windows/s | ms per window and thread | of which assess |\n"
        + "| ---: | ---: | ---: | ---: | ---: | ---: |\n");
    double[] best = new double[3];
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int threads = 1; threads <= 2; threads++) {
        List<Double> measured = new ArrayList<>();
        long filling = 0;
        long assessing = 0;
        List<Double> perCpuSecond = new ArrayList<>();
        for (int round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
          long start = System.nanoTime();
          List<Future<long[]>> parts = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            int first = t * WINDOWS / threads;
            int last = (t + 1) * WINDOWS / threads;
            parts.add(pool.submit(() -> run(windows, reference, analyzer, settings, first, last)));
          }
          long assessed = 0;
          long drifting = 0;
          long cpuNanos = 0;
          for (Future<long[]> part : parts) {
            long[] counts = part.get(10, TimeUnit.MINUTES);
            assessed += counts[0];
            drifting += counts[1];
            filling += counts[2];
            assessing += counts[3];
            cpuNanos += counts[4];
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          assertThat(assessed).isEqualTo((long) WINDOWS);
          // Stationary traffic: hardly a window drifts (none of the first few, so a smoke run of 4 windows passes too).
          assertThat(drifting).as("stationary traffic: drifting windows").isLessThanOrEqualTo(WINDOWS / 10);
          double valuesPerSecond = (double) WINDOWS * WINDOW * FEATURES / seconds;
          double valuesPerCpuSecond = (double) WINDOWS * WINDOW * FEATURES / (cpuNanos / 1e9);
          boolean warmup = round < WARMUP_ROUNDS;
          System.out.printf(Locale.ROOT,
              "%d thread(s), %s round %d: %,.0f feature values/s, %,.0f per CPU-second of the workers (%d of %d windows drifting)%n",
              threads, warmup ? "warm-up" : "measured", round + 1, valuesPerSecond, valuesPerCpuSecond, drifting, WINDOWS);
          if (warmup) {
            filling = 0;
            assessing = 0;
          } else {
            measured.add(valuesPerSecond);
            perCpuSecond.add(valuesPerCpuSecond);
          }
        }
        double median = median(measured);
        best[threads] = median;
        double windowsPerSecond = median / WINDOW / FEATURES;
        table.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %,.0f | %.2f | %.0f %% |%n", threads, median,
            median(perCpuSecond), windowsPerSecond, 1000.0 * threads / windowsPerSecond, 100.0 * assessing / (filling + assessing)));
      }
    } finally {
      pool.shutdownNow();
    }
    String report = table + String.format(Locale.ROOT, """

        Input feature values per second through `DriftWindowAccumulator.add` and `DriftAnalyzer.assess`
        (default settings): a two-class model with %d numeric features, windows of %,d predictions, each window
        assessed on %d hypothesis tests (Kolmogorov-Smirnov per feature and on the probability, chi-square on
        the predicted class) plus PSI and Jensen-Shannon distance. Each thread fills and assesses windows of its
        own. Medians of %d measured rounds of %,d windows after %d warm-up rounds; "per CPU-second" divides by the
        CPU time of the worker threads, so it shows the cost without other load on the machine. %d cores,
        Java %s. Goal: 10,000,000 per second on 2 cores.
        """, FEATURES, WINDOW, FEATURES + 2, ROUNDS, WINDOWS, WARMUP_ROUNDS, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    report += kolmogorovSmirnovCost(windows, reference);
    System.out.println("\n" + report);
    Path out = Path.of("target/benchmark/monitor-throughput.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    assertThat(best[1]).isPositive();
    assertThat(best[2]).isPositive();
  }

  /**
   * What one Kolmogorov-Smirnov test of a window's feature against its reference sample costs, by p-value method,
   * on this benchmark's windows (every numeric feature of every distinct window; one thread, after a warm-up
   * pass): Commons' asymptotic p-value (the monitor's before it followed scipy), Commons' exact one (what scipy
   * computes at these sizes), and the monitor's ({@link KolmogorovSmirnov}: exact, remembered per sizes and
   * statistic). Each includes computing D (sorting both samples).
   */
  private static String kolmogorovSmirnovCost(List<Prediction[]> windows, ReferenceProfile reference) {
    List<double[]> values = new ArrayList<>();
    List<double[]> samples = new ArrayList<>();
    for (Prediction[] window : windows) {
      for (int f = 0; f < FEATURES; f++) {
        double[] column = new double[window.length];
        for (int i = 0; i < window.length; i++) {
          column[i] = (Double) window[i].inputs().get(reference.getFeatures().get(f).getName());
        }
        values.add(column);
        samples.add(reference.getFeatures().get(f).getSample().stream().mapToDouble(Double::doubleValue).toArray());
      }
    }
    KolmogorovSmirnovTest asymptotic = KolmogorovSmirnovTest.withDefaults().with(PValueMethod.ASYMPTOTIC);
    KolmogorovSmirnovTest exact = KolmogorovSmirnovTest.withDefaults().with(PValueMethod.EXACT);
    KolmogorovSmirnov monitor = new KolmogorovSmirnov();
    Map<String, java.util.function.ToDoubleBiFunction<double[], double[]>> methods = new java.util.LinkedHashMap<>();
    methods.put("Commons ASYMPTOTIC", (x, y) -> asymptotic.test(x, y).getPValue());
    methods.put("Commons EXACT", (x, y) -> exact.test(x, y).getPValue());
    methods.put("monitor (exact, remembered)", (x, y) -> monitor.test(x, y).pValue());
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT, """

        One Kolmogorov-Smirnov test of a window's feature (%,d values) against its reference sample (%,d values),
        by p-value method: mean over the %d feature columns of the %d distinct windows, median of %d passes after a
        warm-up pass, one thread.

        | p-value method | µs per test | per window of %d tests |
        | --- | ---: | ---: |
        """, WINDOW, samples.get(0).length, FEATURES, windows.size(), ROUNDS, FEATURES + 1));
    double sink = 0;
    for (Map.Entry<String, java.util.function.ToDoubleBiFunction<double[], double[]>> method : methods.entrySet()) {
      List<Double> micros = new ArrayList<>();
      for (int pass = 0; pass <= ROUNDS; pass++) {
        long start = System.nanoTime();
        for (int i = 0; i < values.size(); i++) {
          sink += method.getValue().applyAsDouble(values.get(i), samples.get(i));
        }
        if (pass > 0) {
          micros.add((System.nanoTime() - start) / 1e3 / values.size());
        }
      }
      double perTest = median(micros);
      table.append(String.format(Locale.ROOT, "| %s | %.1f | %.2f ms |%n", method.getKey(), perTest, perTest * (FEATURES + 1) / 1e3));
    }
    // Keeps the JIT from dropping the timed work, and checks the remembered p-values are the exact ones.
    assertThat(sink).isPositive();
    for (int i = 0; i < values.size(); i++) {
      assertThat(monitor.test(values.get(i), samples.get(i)).pValue()).isEqualTo(exact.test(values.get(i), samples.get(i)).getPValue());
    }
    return table.toString();
  }

  /**
   * Fills and assesses windows {@code first} (inclusive) to {@code last}; returns {assessed, drifting, fill ns,
   * assess ns, CPU ns of this thread}.
   */
  private static long[] run(List<Prediction[]> windows, ReferenceProfile reference, DriftAnalyzer analyzer,
      DriftSettings settings, int first, int last) {
    long cpu = THREADS.getCurrentThreadCpuTime();
    long drifting = 0;
    long filling = 0;
    long assessing = 0;
    for (int w = first; w < last; w++) {
      long start = System.nanoTime();
      DriftWindowAccumulator window = new DriftWindowAccumulator(reference, CLASSES);
      for (Prediction prediction : windows.get(w % windows.size())) {
        window.add(prediction.time(), prediction.inputs(), prediction.predicted(), prediction.probabilities());
      }
      long filled = System.nanoTime();
      DriftAssessment assessment = analyzer.assess(reference, window, settings);
      assessing += System.nanoTime() - filled;
      filling += filled - start;
      if (assessment.featureVerdicts().size() != FEATURES || assessment.hypothesisTests() != FEATURES + 2) {
        throw new IllegalStateException("not every feature was assessed: " + assessment.notes());
      }
      drifting += assessment.drifting() ? 1 : 0;
    }
    return new long[] {last - first, drifting, filling, assessing, THREADS.getCurrentThreadCpuTime() - cpu};
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Thirty features, half normal and half lognormal, and a logistic model over their standardised values. */
  private static final class Model {
    private final String[] names = new String[FEATURES];
    private final double[] location = new double[FEATURES];
    private final double[] scale = new double[FEATURES];
    private final double[] weight = new double[FEATURES];

    Model(SplittableRandom random) {
      for (int f = 0; f < FEATURES; f++) {
        names[f] = "feature_" + (f + 1);
        scale[f] = Math.pow(10, -3 + 6 * random.nextDouble());
        location[f] = scale[f] * (2 + 8 * random.nextDouble());
        weight[f] = random.nextGaussian() / Math.sqrt(FEATURES);
      }
    }

    private double value(SplittableRandom random, int f) {
      return f % 2 == 0 ? location[f] + scale[f] * random.nextGaussian() : scale[f] * Math.exp(0.5 * random.nextGaussian());
    }

    private double standardised(int f, double value) {
      return f % 2 == 0 ? (value - location[f]) / scale[f] : 2 * Math.log(value / scale[f]);
    }

    Prediction predict(SplittableRandom random, long time) {
      Map<String, Object> inputs = new HashMap<>();
      double logit = 0;
      for (int f = 0; f < FEATURES; f++) {
        double value = value(random, f);
        inputs.put(names[f], value);
        logit += weight[f] * standardised(f, value);
      }
      double benign = 1 / (1 + Math.exp(-logit));
      return new Prediction(inputs, CLASSES.get(benign > 0.5 ? 1 : 0), Map.of("malignant", 1 - benign, "benign", benign), time);
    }

    ReferenceProfile reference(SplittableRandom random, int rows, int testRows) {
      List<FeatureProfile> features = new ArrayList<>();
      double[][] columns = new double[FEATURES][rows];
      for (int r = 0; r < rows; r++) {
        Prediction row = predict(random, 0);
        for (int f = 0; f < FEATURES; f++) {
          columns[f][r] = (Double) row.inputs().get(names[f]);
        }
      }
      for (int f = 0; f < FEATURES; f++) {
        features.add(FeatureProfiles.numeric(names[f], columns[f], 7 + f));
      }
      double[] benign = new double[testRows];
      for (int r = 0; r < testRows; r++) {
        benign[r] = predict(random, 0).probabilities().get("benign");
      }
      return TrainingLikeProfiles.profile(features, TrainingLikeProfiles.binaryOutput(CLASSES, benign, 7), 7);
    }
  }
}
