package io.kloop.monitor.drift;

import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureType;
import io.kloop.events.ReferenceProfile;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The predictions of one window of one model version, gathered for {@link DriftAnalyzer}: per numeric
 * feature its values, per categorical or boolean feature a count per value, per text feature the texts'
 * lengths and token counts against the reference ({@link TextTokenCounts}), and for the output a count per
 * predicted class and, for a two-class model, the probabilities of the second class.
 *
 * <p>Which features exist and how each is read comes from the serving version's {@link ReferenceProfile}:
 * a numeric feature takes any number (a null, NaN or non-number counts as missing); a categorical or
 * boolean feature takes any non-null value by its text ({@code true} becomes {@code "true"}), and a value the
 * reference does not know is counted as unseen, per value (the first {@value #MAX_UNSEEN_VALUES} distinct
 * ones, each known by at most its first {@value #MAX_UNSEEN_VALUE_CHARS} characters; any further ones share one
 * count), so a window holds a bounded amount of text whatever the predictions carry. A text feature takes
 * a string (a null, a blank string or a non-string counts as missing, as ingest does) and keeps no text: its
 * state is one length per prediction and a fixed number of counts. Inputs the profile does not name are
 * ignored.
 *
 * <p>Not thread-safe: one accumulator belongs to one window, filled by one thread and then assessed.
 */
public final class DriftWindowAccumulator {

  /** Distinct unseen values counted separately per feature; further ones share {@link #OTHER_UNSEEN}. */
  public static final int MAX_UNSEEN_VALUES = 64;
  /** The name under which unseen values beyond {@link #MAX_UNSEEN_VALUES} are counted together. */
  public static final String OTHER_UNSEEN = "(other unseen values)";
  /** An unseen value is kept by at most this many characters (longer ones by their beginning and "…"). */
  public static final int MAX_UNSEEN_VALUE_CHARS = 200;

  private final ReferenceProfile reference;
  private final List<String> outputClasses;
  private final String[] names;
  private final NumericValues[] numeric;
  private final CategoryCounts[] categorical;
  private final TextTokenCounts[] text;
  private final long[] missing;
  private final CategoryCounts predicted;
  private final String secondClass;
  private final NumericValues secondClassProbability;
  private long predictedMissing;
  private int count;
  private long earliest = Long.MAX_VALUE;
  private long latest = Long.MIN_VALUE;

  /**
   * @param reference the serving version's reference profile
   * @param outputClasses the model's class labels, in the order of its probabilities (the signature's)
   */
  public DriftWindowAccumulator(ReferenceProfile reference, List<String> outputClasses) {
    this.reference = Objects.requireNonNull(reference, "reference");
    this.outputClasses = List.copyOf(outputClasses);
    List<FeatureProfile> features = reference.getFeatures();
    int n = features.size();
    names = new String[n];
    numeric = new NumericValues[n];
    categorical = new CategoryCounts[n];
    text = new TextTokenCounts[n];
    missing = new long[n];
    for (int f = 0; f < n; f++) {
      FeatureProfile feature = features.get(f);
      names[f] = feature.getName();
      if (feature.getType() == FeatureType.NUMERIC) {
        numeric[f] = new NumericValues();
      } else if (feature.getType() == FeatureType.TEXT) {
        text[f] = new TextTokenCounts(feature);
      } else {
        categorical[f] = new CategoryCounts(feature.getCategoryFrequencies().keySet());
      }
    }
    predicted = new CategoryCounts(reference.getOutput().getCategoryFrequencies().keySet());
    secondClass = this.outputClasses.size() == 2 ? this.outputClasses.get(1) : null;
    secondClassProbability = secondClass == null ? null : new NumericValues();
  }

  /** Adds one prediction without an event time. */
  public void add(Map<String, ?> inputs, String predictedClass, Map<String, Double> probabilities) {
    for (int f = 0; f < names.length; f++) {
      Object value = inputs.get(names[f]);
      NumericValues values = numeric[f];
      if (values != null) {
        if (value instanceof Double) {
          double v = (Double) value;
          if (v == v) {
            values.add(v);
          } else {
            missing[f]++;
          }
        } else if (value instanceof Number) {
          double v = ((Number) value).doubleValue();
          if (v == v) {
            values.add(v);
          } else {
            missing[f]++;
          }
        } else {
          missing[f]++;
        }
      } else if (text[f] != null) {
        if (value instanceof CharSequence chars && !chars.toString().isBlank()) {
          text[f].add(chars);
        } else {
          missing[f]++;
        }
      } else if (value == null) {
        missing[f]++;
      } else {
        categorical[f].add(value);
      }
    }
    if (predictedClass == null) {
      predictedMissing++;
    } else {
      predicted.add(predictedClass);
    }
    if (secondClassProbability != null) {
      Double p = probabilities == null ? null : probabilities.get(secondClass);
      if (p != null && !p.isNaN()) {
        secondClassProbability.add(p);
      }
    }
    count++;
  }

  /**
   * Adds one prediction (a {@code PredictionLogged}'s inputs, predicted class and probabilities) made at
   * {@code eventTime} (epoch milliseconds).
   */
  public void add(long eventTime, Map<String, ?> inputs, String predictedClass, Map<String, Double> probabilities) {
    add(inputs, predictedClass, probabilities);
    earliest = Math.min(earliest, eventTime);
    latest = Math.max(latest, eventTime);
  }

  /** Predictions added. */
  public int count() {
    return count;
  }

  /** The earliest event time added, if any prediction came with one. */
  public OptionalLong earliestEventTime() {
    return latest == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(earliest);
  }

  /** The latest event time added, if any prediction came with one. */
  public OptionalLong latestEventTime() {
    return latest == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(latest);
  }

  /**
   * Predictions in which the feature was missing (or, for a numeric one, not a number; for a text one, not a
   * string or blank); 0 for unknown names.
   */
  public long missing(String feature) {
    for (int f = 0; f < names.length; f++) {
      if (names[f].equals(feature)) {
        return missing[f];
      }
    }
    return 0;
  }

  ReferenceProfile reference() {
    return reference;
  }

  List<String> outputClasses() {
    return outputClasses;
  }

  int features() {
    return names.length;
  }

  String name(int feature) {
    return names[feature];
  }

  /** The numeric feature's values, or null when the feature is not numeric. */
  NumericValues numeric(int feature) {
    return numeric[feature];
  }

  /** The text feature's lengths and token counts, or null when the feature is not text. */
  TextTokenCounts text(int feature) {
    return text[feature];
  }

  /** The categorical feature's counts, or null when the feature is numeric or text. */
  CategoryCounts categorical(int feature) {
    return categorical[feature];
  }

  long missing(int feature) {
    return missing[feature];
  }

  CategoryCounts predicted() {
    return predicted;
  }

  long predictedMissing() {
    return predictedMissing;
  }

  /** The second class's probabilities, or null when the model does not have exactly two classes. */
  NumericValues secondClassProbability() {
    return secondClassProbability;
  }

  String secondClass() {
    return secondClass;
  }

  /** A growable array of doubles. */
  static final class NumericValues {
    private double[] values = new double[1024];
    private int size;

    void add(double value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int size() {
      return size;
    }

    /** A copy of the values, exactly {@link #size()} long. */
    double[] copy() {
      return Arrays.copyOf(values, size);
    }
  }

  /** Counts per reference category, and per unseen value. */
  static final class CategoryCounts {
    private final String[] categories;
    private final Map<String, Integer> index;
    private final long[] counts;
    private final int falseIndex;
    private final int trueIndex;
    private Map<String, long[]> unseen = Map.of();
    private long unseenTotal;

    CategoryCounts(Collection<String> referenceCategories) {
      categories = referenceCategories.toArray(new String[0]);
      index = new HashMap<>(categories.length * 2);
      for (int i = 0; i < categories.length; i++) {
        index.put(categories[i], i);
      }
      counts = new long[categories.length];
      falseIndex = index.getOrDefault("false", -1);
      trueIndex = index.getOrDefault("true", -1);
    }

    void add(Object value) {
      int i;
      if (value instanceof Boolean) {
        i = (Boolean) value ? trueIndex : falseIndex;
      } else {
        Integer found = index.get(value instanceof String ? (String) value : value.toString());
        i = found == null ? -1 : found;
      }
      if (i >= 0) {
        counts[i]++;
      } else {
        addUnseen(value.toString());
      }
    }

    private void addUnseen(String text) {
      String value = text.length() <= MAX_UNSEEN_VALUE_CHARS ? text : text.substring(0, MAX_UNSEEN_VALUE_CHARS) + "…";
      if (unseen.isEmpty()) {
        unseen = new LinkedHashMap<>();
      }
      long[] slot = unseen.get(value);
      if (slot == null) {
        slot = unseen.computeIfAbsent(unseen.size() < MAX_UNSEEN_VALUES ? value : OTHER_UNSEEN, key -> new long[1]);
      }
      slot[0]++;
      unseenTotal++;
    }

    /** Reference categories, in the profile's order. */
    String[] categories() {
      return categories;
    }

    /** Count per reference category, in {@link #categories()} order (the live array: do not modify). */
    long[] counts() {
      return counts;
    }

    /** Count per unseen value, in order of first appearance. */
    Map<String, long[]> unseen() {
      return Collections.unmodifiableMap(unseen);
    }

    long unseenTotal() {
      return unseenTotal;
    }

    /** All values counted, seen and unseen. */
    long total() {
      long total = unseenTotal;
      for (long c : counts) {
        total += c;
      }
      return total;
    }
  }
}
