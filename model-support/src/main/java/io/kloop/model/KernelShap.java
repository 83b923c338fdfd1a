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
 * <p>The cost is bounded:
 * <ul>
 *   <li>at most {@code maxEvaluations} model evaluations per explained row (the row itself, the background
 *       rows and every coalition times every background row). When all {@code 2^M - 2} proper coalitions of
 *       the M features fit, the values are exact (Shapley's formula, which is KernelSHAP's limit);
 *   <li>otherwise KernelSHAP (Lundberg and Lee, 2017): every coalition of one feature and its complement
 *       (M complementary pairs, which alone determine the fit) with their Shapley kernel weights, and further
 *       complementary pairs of 2 to M - 2 features sampled with the kernel's weights, which share the rest of
 *       the kernel's weight; a weighted least-squares fit with the sum constrained. The fit's work, about
 *       {@code coalitions * (M - 1)^2 + (M - 1)^3} multiply-adds per explained row, is held to
 *       {@value #FIT_OPERATIONS}, which caps the coalitions (about 2,450 for 100 features). When the
 *       evaluations do not pay for 4M coalitions, fewer background rows are used; when they do not pay for
 *       the 2M the fit needs even with one background row, or the model has more than {@value #MAX_FEATURES}
 *       inputs, the explanation is refused ({@link #refusal}, {@link RefusedException}) rather than answered
 *       from an underdetermined fit;
 *   <li>memory: the evaluations go to ONNX Runtime in calls of at most {@value #CALL_BYTES} bytes of input
 *       ({@link OnnxClassifier#inputBytes}), and a call's explanations together may give it at most
 *       {@value #REQUEST_BYTES} bytes, counted as each evaluation carrying its row's values and the largest
 *       background row's (a long text is copied into about half of its row's evaluations).
 * </ul>
 *
 * <p>The sampling is seeded per explained row, from the seed given here mixed with a hash of the row's
 * values: the same row gets the same explanation from the same {@code KernelShap} settings in any request
 * and at any position in it.
 */
public final class KernelShap {

  /** Most inputs of a model explained approximately; more are refused ({@link #refusal}). */
  public static final int MAX_FEATURES = 100;

  /** Most multiply-adds of one explained row's least-squares fit (normal equations and their solution). */
  public static final long FIT_OPERATIONS = 25_000_000L;

  /** Most bytes of input ({@link OnnxClassifier#inputBytes}) in one ONNX Runtime call: 16 MB. */
  public static final long CALL_BYTES = 16L << 20;

  /** Most bytes of input all evaluations of one {@link #explain} call may give ONNX Runtime: 128 MB. */
  public static final long REQUEST_BYTES = 128L << 20;

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
   * @throws RefusedException when the explanations cannot be given within the limits ({@link #refusal})
   */
  public Explanation[] explain(OnnxClassifier classifier, List<? extends Map<String, ?>> rows, int[] classes,
      List<? extends Map<String, ?>> background) {
    if (background.isEmpty()) {
      throw new IllegalArgumentException("no background rows");
    }
    String refused = refusal(classifier, rows, background);
    if (refused != null) {
      throw new RefusedException(refused);
    }
    List<SignatureField> inputs = classifier.signature().getInputs();
    int features = inputs.size();
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < features; i++) {
      index.put(inputs.get(i).getName(), i);
    }
    Plan plan = plan(features, background.size());
    List<? extends Map<String, ?>> used = background.subList(0, plan.backgroundRows());
    long[][] usedBytes = used.stream().map(classifier::inputBytes).toArray(long[][]::new);

    // Probes: the background rows, then per row the row itself and each coalition with each background row.
    int probeCount = used.size() + rows.size() * (1 + plan.coalitions() * used.size());
    List<Map<String, ?>> probes = new ArrayList<>(probeCount);
    long[] probeBytes = new long[probeCount];
    long fixed = classifier.fixedInputBytes();
    for (long[] bytes : usedBytes) {
      probeBytes[probes.size()] = fixed + sum(bytes);
      probes.add(used.get(probes.size()));
    }
    List<Coalitions> coalitions = new ArrayList<>(rows.size());
    Coalitions all = plan.exact() ? new Coalitions(allCoalitions(features), null) : null;
    for (Map<String, ?> row : rows) {
      Coalitions drawn = plan.exact() ? all : sampledCoalitions(features, plan.coalitions(), new SplittableRandom(rowSeed(row, inputs)));
      coalitions.add(drawn);
      long[] rowBytes = classifier.inputBytes(row);
      probeBytes[probes.size()] = fixed + sum(rowBytes);
      probes.add(row);
      for (boolean[] mask : drawn.masks()) {
        for (int b = 0; b < used.size(); b++) {
          long bytes = fixed;
          for (int f = 0; f < features; f++) {
            bytes += mask[f] ? rowBytes[f] : usedBytes[b][f];
          }
          probeBytes[probes.size()] = bytes;
          probes.add(new Probe(index, mask, row, used.get(b)));
        }
      }
    }
    float[][] probabilities = evaluate(classifier, probes, probeBytes);

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
      Coalitions drawn = coalitions.get(r);
      boolean[][] masks = drawn.masks();
      double[] values = new double[masks.length];
      for (int m = 0; m < masks.length; m++) {
        double sum = 0;
        for (int b = 0; b < k; b++) {
          sum += probabilities[next++][c];
        }
        values[m] = sum / k;
      }
      double[] contributions = plan.exact() ? shapley(features, values, baseline, value)
          : regression(features, masks, drawn.weights(), values, baseline, value);
      explanations[r] = new Explanation(value, baseline, contributions, k + 1 + masks.length * k, plan.exact());
    }
    return explanations;
  }

  /**
   * Why these rows cannot be explained within the limits (too many inputs, too few evaluations for a
   * determined fit, too many bytes for ONNX Runtime), in words fit for a client; null when they can.
   */
  public String refusal(OnnxClassifier classifier, List<? extends Map<String, ?>> rows, List<? extends Map<String, ?>> background) {
    int features = classifier.signature().getInputs().size();
    String problem = refusal(features);
    if (problem != null || background.isEmpty()) {
      return problem;
    }
    Plan plan = plan(features, background.size());
    long largestBackground = 0;
    for (Map<String, ?> reference : background.subList(0, plan.backgroundRows())) {
      largestBackground = Math.max(largestBackground, sum(classifier.inputBytes(reference)));
    }
    int evaluations = plan.backgroundRows() + 1 + plan.coalitions() * plan.backgroundRows();
    long total = 0;
    for (Map<String, ?> row : rows) {
      total += evaluations * (classifier.fixedInputBytes() + sum(classifier.inputBytes(row)) + largestBackground);
    }
    if (total > REQUEST_BYTES) {
      return "approximate explanations may give the model at most " + (REQUEST_BYTES >> 20) + " MB of input per request (each of an "
          + "instance's " + evaluations + " evaluations counted with its values and the largest background row's); these " + rows.size()
          + " instances would give it " + (total + (1 << 20) - 1 >> 20) + " MB: send fewer instances, or shorter texts, per request";
    }
    return null;
  }

  /** Why a model of this many inputs cannot be explained with this budget; null when it can. */
  String refusal(int features) {
    if (features > MAX_FEATURES) {
      return "approximate explanations take at most " + MAX_FEATURES + " inputs; this model has " + features;
    }
    Plan plan = plan(features, 1);
    if (!plan.exact() && plan.coalitions() < 2 * features) {
      long needed = 2 + Math.min(features >= 31 ? Long.MAX_VALUE : (1L << features) - 2, 2L * features);
      return "approximate explanations of a model with " + features + " inputs need at least " + needed
          + " model evaluations per instance (one complementary pair of coalitions per input, for a determined fit); the budget is "
          + maxEvaluations;
    }
    return null;
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
    long n = features - 1;
    long fitCap = n == 0 ? fit : Math.max(0, (FIT_OPERATIONS - n * n * n) / (n * n));
    long coalitions = Math.min(fit, fitCap);
    return new Plan(k, (int) Math.max(2, coalitions - coalitions % 2), false);
  }

  private static long sum(long[] values) {
    long sum = 0;
    for (long value : values) {
      sum += value;
    }
    return sum;
  }

  /**
   * The row's sampling seed: the seed mixed with a hash of its values in signature order (numbers by their
   * double value, so 2 and 2.0 agree), so a row's explanation does not depend on the request it came in.
   */
  long rowSeed(Map<String, ?> row, List<SignatureField> inputs) {
    long hash = seed;
    for (SignatureField input : inputs) {
      Object value = row.get(input.getName());
      long h = value instanceof Number number ? Double.hashCode(number.doubleValue()) : java.util.Objects.hashCode(value);
      hash = mix(hash * 0x9E3779B97F4A7C15L + h);
    }
    return hash;
  }

  /** SplitMix64's finalizer: spreads every bit of the input over the output. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** ONNX Runtime calls of at most {@link #CALL_BYTES} bytes of input each. */
  private static float[][] evaluate(OnnxClassifier classifier, List<Map<String, ?>> probes, long[] bytes) {
    float[][] probabilities = new float[probes.size()][];
    int from = 0;
    for (int to : callEnds(bytes, CALL_BYTES)) {
      float[][] part = classifier.probabilities(probes.subList(from, to));
      System.arraycopy(part, 0, probabilities, from, part.length);
      from = to;
    }
    return probabilities;
  }

  /**
   * Where each call's rows end (exclusive), in order: as many rows as fit in {@code limit} bytes, and at least
   * one (a single row larger than the limit goes alone).
   */
  static int[] callEnds(long[] bytes, long limit) {
    List<Integer> ends = new ArrayList<>();
    int from = 0;
    while (from < bytes.length) {
      int to = from + 1;
      long call = bytes[from];
      while (to < bytes.length && call + bytes[to] <= limit) {
        call += bytes[to++];
      }
      ends.add(to);
      from = to;
    }
    return ends.stream().mapToInt(Integer::intValue).toArray();
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

  /** Coalitions to evaluate and, for a sampled set, each one's weight in the fit (null for all coalitions). */
  private record Coalitions(boolean[][] masks, double[] weights) {}

  /**
   * {@code count} coalitions in complementary pairs: first each single feature and its complement (weight
   * 1/M each: the kernel's weight of size 1 and of size M - 1, split over their M coalitions), then pairs of a
   * size from 2 to M - 2 drawn with the Shapley kernel's weights {@code (M - 1) / (s (M - s))}, their
   * features drawn uniformly, which share the kernel's weight of those sizes equally. {@code count} is at
   * least 2M ({@link #refusal(int)}).
   */
  private static Coalitions sampledCoalitions(int features, int count, SplittableRandom random) {
    boolean[][] masks = new boolean[count][];
    double[] weights = new double[count];
    int m = 0;
    for (int f = 0; f < features; f++, m += 2) {
      masks[m] = new boolean[features];
      masks[m][f] = true;
      masks[m + 1] = complement(masks[m]);
      weights[m] = 1.0 / features;
      weights[m + 1] = 1.0 / features;
    }
    // Sizes 2 .. M - 2, by their kernel weight; the rest of the kernel's weight is shared by the drawn pairs.
    double[] cumulative = new double[features];
    for (int s = 2; s <= features - 2; s++) {
      cumulative[s] = cumulative[s - 1] + (features - 1.0) / (s * (double) (features - s));
    }
    double rest = features >= 4 ? cumulative[features - 2] : 0;
    int drawn = count - m - (count - m) % 2;
    int[] order = new int[features];
    for (; m + 1 < count && drawn > 0; m += 2) {
      double u = random.nextDouble() * rest;
      int size = 2;
      while (size < features - 2 && cumulative[size] < u) {
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
      masks[m] = mask;
      masks[m + 1] = complement(mask);
      weights[m] = rest / drawn;
      weights[m + 1] = rest / drawn;
    }
    return m == count ? new Coalitions(masks, weights)
        : new Coalitions(java.util.Arrays.copyOf(masks, m), java.util.Arrays.copyOf(weights, m));
  }

  private static boolean[] complement(boolean[] mask) {
    boolean[] complement = new boolean[mask.length];
    for (int f = 0; f < mask.length; f++) {
      complement[f] = !mask[f];
    }
    return complement;
  }

  /**
   * KernelSHAP's fit: the contributions that best explain the coalitions' values (least squares, each
   * coalition with its weight), constrained to sum to {@code full - empty} by writing the last feature's as
   * the rest. The single-feature pairs make the normal matrix positive definite: feature {@code i < M - 1}
   * alone gives the unit vector {@code e_i}.
   */
  private static double[] regression(int features, boolean[][] masks, double[] weights, double[] values, double empty, double full) {
    int n = features - 1;
    double total = full - empty;
    double[][] normal = new double[n][n];
    double[] right = new double[n];
    double[] x = new double[n];
    for (int m = 0; m < masks.length; m++) {
      boolean[] mask = masks[m];
      double w = weights[m];
      double last = mask[n] ? 1 : 0;
      for (int i = 0; i < n; i++) {
        x[i] = (mask[i] ? 1 : 0) - last;
      }
      double y = values[m] - empty - last * total;
      for (int i = 0; i < n; i++) {
        if (x[i] == 0) {
          continue;
        }
        double wx = w * x[i];
        right[i] += wx * y;
        for (int j = 0; j <= i; j++) {
          normal[i][j] += wx * x[j];
        }
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < i; j++) {
        normal[j][i] = normal[i][j];
      }
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

  /**
   * Gaussian elimination with partial pivoting; the matrix is symmetric positive definite here. Written out
   * because no linear-algebra library is on model-support's classpath (Apache Commons Numbers has none, and
   * a library such as Commons Math or EJML would be a dependency of every service for this one small
   * solve); at most {@value #MAX_FEATURES} - 1 unknowns.
   */
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

  /** Explanations that the limits do not allow; the message says which limit, in words fit for a client. */
  public static final class RefusedException extends IllegalArgumentException {
    public RefusedException(String message) {
      super(message);
    }
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
