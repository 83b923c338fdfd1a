package io.kloop.model;

import io.kloop.events.SignatureField;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Model-agnostic explanations of any classifier ({@link OnnxClassifier}, whatever its graph): each input
 * feature's Shapley value for the probability of a class, against a background of reference rows. The
 * value of a set S of features is the mean probability over the background rows with the features of S
 * taken from the explained row and the others from the background row (interventional Shapley values);
 * the features' values sum to {@code f(x) - E[f(background)]}.
 *
 * <p>The cost is bounded: at most {@code maxEvaluations} model evaluations per explained row (the row
 * itself, the background rows and every coalition times every background row). When all {@code 2^M - 2}
 * proper coalitions of the M features fit, the values are exact (computed with Shapley's formula, which is
 * KernelSHAP's limit); otherwise KernelSHAP (Lundberg and Lee, 2017) samples coalitions in complementary
 * pairs, their sizes drawn with the Shapley kernel's weights {@code (M - 1) / (s (M - s))}, and solves the
 * least-squares fit with the sum constrained. A complementary pair tells the fit one thing, so it needs
 * more than M pairs: when the background times {@code 4M} coalitions does not fit, fewer background rows
 * are used. The sampling is seeded, so the same request
 * gets the same answer. All evaluations of a call go to ONNX Runtime together, in batches of at most
 * {@link #BATCH} rows.
 */
public final class KernelShap {

  /** Most rows given to ONNX Runtime in one call. */
  public static final int BATCH = 65_536;

  /**
   * One row's explanation of one class's probability.
   *
   * @param value the class's probability for the row
   * @param baseline its mean probability over the background rows
   * @param contributions each input's Shapley value, in signature order; they sum to {@code value - baseline}
   * @param evaluations model evaluations spent on this row (the background's shared ones included)
   * @param exact whether every coalition was evaluated (exact Shapley values for this background)
   */
  public record Explanation(double value, double baseline, double[] contributions, int evaluations, boolean exact) {}

  private final int maxEvaluations;
  private final long seed;

  /**
   * @param maxEvaluations most model evaluations per explained row; at least 3
   * @param seed seed of the coalitions' sampling
   */
  public KernelShap(int maxEvaluations, long seed) {
    if (maxEvaluations < 3) {
      throw new IllegalArgumentException("maxEvaluations must be at least 3, not " + maxEvaluations);
    }
    this.maxEvaluations = maxEvaluations;
    this.seed = seed;
  }

  /**
   * Explains each row for the class at the same index of {@code classes}.
   *
   * @param rows checked records, as {@link OnnxClassifier#probabilities(List)} takes them
   * @param classes for each row, the index (in the signature's output classes) of the class to explain
   * @param background reference rows with a value (or null) for every input; at least one
   */
  public Explanation[] explain(OnnxClassifier classifier, List<? extends Map<String, ?>> rows, int[] classes,
      List<? extends Map<String, ?>> background) {
    if (background.isEmpty()) {
      throw new IllegalArgumentException("no background rows");
    }
    List<SignatureField> inputs = classifier.signature().getInputs();
    int features = inputs.size();
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < features; i++) {
      index.put(inputs.get(i).getName(), i);
    }
    Plan plan = plan(features, background.size());
    List<? extends Map<String, ?>> used = background.subList(0, plan.backgroundRows());
    SplittableRandom random = new SplittableRandom(seed);

    // Probes: the background rows, then per row the row itself and each coalition with each background row.
    List<Map<String, ?>> probes = new ArrayList<>(used.size() + rows.size() * (1 + plan.coalitions() * used.size()));
    probes.addAll(used);
    List<boolean[][]> coalitions = new ArrayList<>(rows.size());
    boolean[][] all = plan.exact() ? allCoalitions(features) : null;
    for (Map<String, ?> row : rows) {
      boolean[][] masks = plan.exact() ? all : sampledCoalitions(features, plan.coalitions(), random);
      coalitions.add(masks);
      probes.add(row);
      for (boolean[] mask : masks) {
        for (Map<String, ?> reference : used) {
          probes.add(new Probe(index, mask, row, reference));
        }
      }
    }
    float[][] probabilities = evaluate(classifier, probes);

    int k = used.size();
    Explanation[] explanations = new Explanation[rows.size()];
    int next = k;
    for (int r = 0; r < rows.size(); r++) {
      int c = classes[r];
      double baseline = 0;
      for (int b = 0; b < k; b++) {
        baseline += probabilities[b][c];
      }
      baseline /= k;
      double value = probabilities[next++][c];
      boolean[][] masks = coalitions.get(r);
      double[] values = new double[masks.length];
      for (int m = 0; m < masks.length; m++) {
        double sum = 0;
        for (int b = 0; b < k; b++) {
          sum += probabilities[next++][c];
        }
        values[m] = sum / k;
      }
      double[] contributions = plan.exact() ? shapley(features, values, baseline, value) : regression(features, masks, values, baseline, value);
      explanations[r] = new Explanation(value, baseline, contributions, k + 1 + masks.length * k, plan.exact());
    }
    return explanations;
  }

  /** How many background rows and coalitions per explained row fit in the budget. */
  record Plan(int backgroundRows, int coalitions, boolean exact) {}

  Plan plan(int features, int backgroundSize) {
    long proper = features >= 31 ? Long.MAX_VALUE : (1L << features) - 2;
    // Each row costs itself, the background (k) and k per coalition: k + 1 + coalitions * k.
    int fewest = (int) Math.min(proper, 4L * features);
    int k = Math.max(1, Math.min(backgroundSize, fewest == 0 ? maxEvaluations - 1 : (maxEvaluations - 1) / (fewest + 1)));
    long fit = (maxEvaluations - 1 - k) / k;
    if (proper <= fit) {
      return new Plan(k, (int) proper, true);
    }
    int coalitions = (int) Math.max(2, fit - fit % 2);
    return new Plan(k, coalitions, false);
  }

  private static float[][] evaluate(OnnxClassifier classifier, List<Map<String, ?>> probes) {
    if (probes.size() <= BATCH) {
      return classifier.probabilities(probes);
    }
    float[][] probabilities = new float[probes.size()][];
    for (int from = 0; from < probes.size(); from += BATCH) {
      float[][] part = classifier.probabilities(probes.subList(from, Math.min(probes.size(), from + BATCH)));
      System.arraycopy(part, 0, probabilities, from, part.length);
    }
    return probabilities;
  }

  /** Every coalition but the empty and the full one, as masks: coalition {@code s} is the bits of {@code s}. */
  private static boolean[][] allCoalitions(int features) {
    int count = (1 << features) - 2;
    boolean[][] masks = new boolean[count][features];
    for (int s = 1; s <= count; s++) {
      for (int f = 0; f < features; f++) {
        masks[s - 1][f] = (s & (1 << f)) != 0;
      }
    }
    return masks;
  }

  /** Shapley's formula over all coalitions; {@code values[s - 1]} is the value of coalition {@code s} (its bits). */
  private static double[] shapley(int features, double[] values, double empty, double full) {
    double[] weights = new double[features];
    // weight(s) = s! (M - s - 1)! / M!, for a coalition of s features without the one explained.
    for (int s = 0; s < features; s++) {
      weights[s] = Math.exp(logFactorial(s) + logFactorial(features - s - 1) - logFactorial(features));
    }
    int all = (1 << features) - 1;
    double[] phi = new double[features];
    for (int f = 0; f < features; f++) {
      for (int s = 0; s <= all; s++) {
        if ((s & (1 << f)) != 0) {
          continue;
        }
        int with = s | (1 << f);
        double without = s == 0 ? empty : values[s - 1];
        double within = with == all ? full : values[with - 1];
        phi[f] += weights[Integer.bitCount(s)] * (within - without);
      }
    }
    return phi;
  }

  private static double logFactorial(int n) {
    double sum = 0;
    for (int i = 2; i <= n; i++) {
      sum += Math.log(i);
    }
    return sum;
  }

  /** Coalitions in complementary pairs, each of a size drawn with the Shapley kernel's weights. */
  private static boolean[][] sampledCoalitions(int features, int count, SplittableRandom random) {
    double[] cumulative = new double[features];
    for (int s = 1; s < features; s++) {
      cumulative[s] = cumulative[s - 1] + (features - 1.0) / (s * (double) (features - s));
    }
    int[] order = new int[features];
    boolean[][] masks = new boolean[count][];
    for (int m = 0; m + 1 < count; m += 2) {
      double u = random.nextDouble() * cumulative[features - 1];
      int size = 1;
      while (size < features - 1 && cumulative[size] < u) {
        size++;
      }
      for (int f = 0; f < features; f++) {
        order[f] = f;
      }
      boolean[] mask = new boolean[features];
      for (int i = 0; i < size; i++) {
        int j = i + random.nextInt(features - i);
        int chosen = order[j];
        order[j] = order[i];
        order[i] = chosen;
        mask[chosen] = true;
      }
      boolean[] complement = new boolean[features];
      for (int f = 0; f < features; f++) {
        complement[f] = !mask[f];
      }
      masks[m] = mask;
      masks[m + 1] = complement;
    }
    return masks;
  }

  /**
   * KernelSHAP's fit: the contributions that best explain the coalitions' values (least squares; the
   * coalitions were drawn with the kernel's weights, so each counts once), constrained to sum to
   * {@code full - empty} by writing the last feature's as the rest.
   */
  private static double[] regression(int features, boolean[][] masks, double[] values, double empty, double full) {
    int n = features - 1;
    double total = full - empty;
    double[][] normal = new double[n][n];
    double[] right = new double[n];
    double[] x = new double[n];
    for (int m = 0; m < masks.length; m++) {
      boolean[] mask = masks[m];
      double last = mask[n] ? 1 : 0;
      for (int i = 0; i < n; i++) {
        x[i] = (mask[i] ? 1 : 0) - last;
      }
      double y = values[m] - empty - last * total;
      for (int i = 0; i < n; i++) {
        right[i] += x[i] * y;
        for (int j = 0; j < n; j++) {
          normal[i][j] += x[i] * x[j];
        }
      }
    }
    // A touch of ridge keeps the system solvable when few coalitions leave a feature's column undetermined.
    for (int i = 0; i < n; i++) {
      normal[i][i] += 1e-9 * masks.length;
    }
    double[] solution = solve(normal, right);
    double[] phi = new double[features];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      phi[i] = solution[i];
      sum += solution[i];
    }
    phi[n] = total - sum;
    return phi;
  }

  /** Gaussian elimination with partial pivoting; the matrix is symmetric positive definite here. */
  private static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int row = col + 1; row < n; row++) {
        if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
          pivot = row;
        }
      }
      double[] swap = a[col];
      a[col] = a[pivot];
      a[pivot] = swap;
      double t = b[col];
      b[col] = b[pivot];
      b[pivot] = t;
      for (int row = col + 1; row < n; row++) {
        double factor = a[row][col] / a[col][col];
        b[row] -= factor * b[col];
        for (int k = col; k < n; k++) {
          a[row][k] -= factor * a[col][k];
        }
      }
    }
    double[] x = new double[n];
    for (int row = n - 1; row >= 0; row--) {
      double sum = b[row];
      for (int k = row + 1; k < n; k++) {
        sum -= a[row][k] * x[k];
      }
      x[row] = sum / a[row][row];
    }
    return x;
  }

  /**
   * A row of a coalition: a feature's value from the explained row when the feature is in the coalition,
   * from the background row otherwise. A view, so a probe costs one small object.
   */
  private static final class Probe extends AbstractMap<String, Object> {
    private final Map<String, Integer> index;
    private final boolean[] mask;
    private final Map<String, ?> row;
    private final Map<String, ?> reference;

    Probe(Map<String, Integer> index, boolean[] mask, Map<String, ?> row, Map<String, ?> reference) {
      this.index = index;
      this.mask = mask;
      this.row = row;
      this.reference = reference;
    }

    @Override
    public Object get(Object key) {
      Integer feature = index.get(key);
      if (feature == null) {
        return null;
      }
      return mask[feature] ? row.get(key) : reference.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      Map<String, Object> copy = new LinkedHashMap<>();
      index.keySet().forEach(name -> copy.put(name, get(name)));
      return copy.entrySet();
    }
  }
}
