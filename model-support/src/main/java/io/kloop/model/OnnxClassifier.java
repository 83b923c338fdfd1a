package io.kloop.model;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ProbabilityFormat;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An ONNX classifier run by ONNX Runtime: records in, class probabilities out, in the order of the
 * signature's output classes. Thread-safe; close it to free the native session.
 *
 * <p>Inputs come in one of two ways, as the signature says:
 * <ul>
 *   <li>{@code ModelSignature.tensors} empty: the platform's own encoding, one FP32 tensor
 *       {@code inputTensor} of shape {@code [N, width]} made by {@link FeatureEncoding} (see
 *       {@link #probabilities(float[][])}).
 *   <li>{@code tensors} set (an imported model): each {@link SignatureTensor} is filled with the records'
 *       raw values, one column per feature it names, in its order; shape {@code [N, features]} for rank 2,
 *       {@code [N]} for rank 1. FLOAT and DOUBLE tensors take numbers as they are, booleans as 1 and 0, and
 *       NaN for a missing value; INT64 tensors take whole numbers and booleans as 1 and 0, and cannot hold a
 *       missing value or a fraction ({@link IllegalArgumentException} naming the feature: serving refuses
 *       such instances first); STRING tensors take categorical and text values as strings, and the empty
 *       string for a missing value.
 * </ul>
 *
 * <p>The probabilities are read from output {@code probabilityTensor}: with format TENSOR a FP32 (or FP64)
 * tensor {@code [N, classes]} in the order of the output classes; with ZIPMAP scikit-learn's ZipMap, a
 * sequence of one map per row whose keys are class names (strings) or int64 class labels. Int64 keys,
 * sorted ascending, correspond to the output classes in order: skl2onnx writes a classifier's
 * {@code classes_} as the keys ({@code classlabels_int64s}), and scikit-learn keeps {@code classes_} sorted,
 * so labels {-1, 1} or {1, 2, 3} work as well as 0..C-1. Every map must have exactly the keys of the first
 * one the model returned.
 */
public final class OnnxClassifier implements AutoCloseable {

  static {
    OnnxNativeLibraries.prepare();
  }

  private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  /**
   * Metadata key under which an exported model says that its class scores are additive in its inputs
   * ({@value #ADDITIVE_VALUE}), so each feature's contribution can be read off by setting it to its
   * training mean. See {@link #additive()}.
   */
  public static final String ADDITIVE_KEY = "kloop.additive-scores";
  public static final String ADDITIVE_VALUE = "true";

  private final ModelSignature signature;
  private final FeatureEncoding encoding;
  private final boolean additive;
  /** The raw input tensors with the types of their features; empty for the platform's encoding. */
  private final List<RawTensor> tensors;
  private final Set<String> outputs;

  /** One raw input tensor: its features (and their types) in column order. */
  private record RawTensor(String name, TensorElementType type, String[] features, boolean rank1) {}

  /** With a ZipMap output, whether its keys are class names (else int64 class labels). */
  private final boolean zipMapNames;
  /**
   * With int64 ZipMap keys, the keys of the model's first answer in ascending order: key {@code i} is output
   * class {@code i}. Learned once (the model's keys do not change); a benign race may learn them twice.
   */
  private volatile long[] zipMapKeys;

  private OnnxClassifier(OrtSession session, ModelSignature signature, boolean additive, List<RawTensor> tensors, boolean zipMapNames) {
    this.session = session;
    this.zipMapNames = zipMapNames;
    this.signature = signature;
    this.encoding = new FeatureEncoding(signature);
    this.additive = additive;
    this.tensors = tensors;
    this.outputs = Set.of(signature.getProbabilityTensor());
  }

  /**
   * Loads a model from its bytes and checks it against the signature: the input tensor of the platform's
   * encoding, or every raw tensor with its element type and rank and no other input; and the probability
   * output in the signature's format.
   *
   * @throws ModelLoadException when ONNX Runtime cannot load it or it does not match the signature; the
   *     message says what is wrong, in words fit for a client
   */
  public static OnnxClassifier load(byte[] model, ModelSignature signature) {
    OrtSession session;
    // The environment first: ONNX Runtime crashes the JVM when session options are made before it exists.
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      session = environment.createSession(model, options);
    } catch (OrtException e) {
      throw new ModelLoadException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
    try {
      List<RawTensor> tensors = signature.getTensors().isEmpty() ? List.of() : rawTensors(signature);
      String problem = signature.getTensors().isEmpty() ? encodedInputProblem(session, signature) : rawInputProblem(session, tensors);
      if (problem == null) {
        problem = outputProblem(session, signature);
      }
      if (problem != null) {
        throw new ModelLoadException(problem, null);
      }
      boolean additive = ADDITIVE_VALUE.equals(session.getMetadata().getCustomMetadata().get(ADDITIVE_KEY));
      boolean zipMapNames = session.getOutputInfo().get(signature.getProbabilityTensor()).getInfo() instanceof SequenceInfo sequence
          && sequence.mapInfo.keyType == OnnxJavaType.STRING;
      return new OnnxClassifier(session, signature, additive, tensors, zipMapNames);
    } catch (OrtException e) {
      closeQuietly(session);
      throw new ModelLoadException("ONNX Runtime cannot read the model's inputs, outputs or metadata: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(session);
      throw e instanceof ModelLoadException ? e : new ModelLoadException(e.getMessage(), e);
    }
  }

  public ModelSignature signature() {
    return signature;
  }

  /** The platform's encoding of the signature's inputs; only meaningful when {@link #rawTensors()} is false. */
  public FeatureEncoding encoding() {
    return encoding;
  }

  /** Whether the model takes raw input tensors ({@code ModelSignature.tensors} set) instead of the platform's encoding. */
  public boolean rawTensors() {
    return !tensors.isEmpty();
  }

  /**
   * Whether the model declares (metadata {@value #ADDITIVE_KEY}) that its class scores are additive in its
   * inputs and that the graph replaces a missing (NaN) input column by its training mean: the log-odds of
   * each class for two classes, the centred log-probabilities ({@code log p_c - mean_k log p_k}) for more.
   * Linear models with a softmax (or, for two classes, a sigmoid) output are; trees and factorization
   * machines are not. Only models of the platform's encoding can be: their contributions are computed on
   * encoded rows ({@link Contributions}).
   */
  public boolean additive() {
    return additive && tensors.isEmpty();
  }

  /**
   * Class probabilities per record, each in the order of {@link ModelSignature#getOutputClasses()}, with one
   * ONNX Runtime call. Values are expected to be checked already (numbers for numeric inputs, booleans for
   * boolean ones, strings for categorical and text ones); see the class comment for how they become tensors.
   *
   * @throws IllegalArgumentException when a value cannot go into its tensor (a missing or fractional value
   *     of an INT64 tensor)
   * @throws ModelOutputException when ONNX Runtime fails to run the model or its answer does not fit the
   *     signature
   */
  public float[][] probabilities(List<? extends Map<String, ?>> records) {
    if (tensors.isEmpty()) {
      return probabilities(encoding.encodeAll(records));
    }
    if (records.isEmpty()) {
      return new float[0][];
    }
    Map<String, OnnxTensor> inputs = new HashMap<>(tensors.size() * 2);
    try {
      for (RawTensor tensor : tensors) {
        inputs.put(tensor.name(), tensor(tensor, records));
      }
      try (OrtSession.Result result = session.run(inputs, outputs)) {
        return read(result.get(0), records.size());
      }
    } catch (OrtException e) {
      throw new ModelOutputException("ONNX Runtime failed to run the model: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /**
   * Class probabilities per encoded row ({@link FeatureEncoding}), each in the order of
   * {@link ModelSignature#getOutputClasses()}: for models of the platform's encoding only.
   *
   * @throws IllegalStateException when the model takes raw tensors
   * @throws ModelOutputException when ONNX Runtime fails to run the model or its answer does not fit the
   *     signature
   */
  public float[][] probabilities(float[][] rows) {
    if (!tensors.isEmpty()) {
      throw new IllegalStateException("the model takes raw input tensors, not encoded rows");
    }
    if (rows.length == 0) {
      return new float[0][];
    }
    try (OnnxTensor input = OnnxTensor.createTensor(environment, rows);
         OrtSession.Result result = session.run(Map.of(signature.getInputTensor(), input), outputs)) {
      return read(result.get(0), rows.length);
    } catch (OrtException e) {
      throw new ModelOutputException("ONNX Runtime failed to run the model: " + e.getMessage(), e);
    }
  }

  /**
   * The probabilities in an output of the model, checked against the signature: ONNX Runtime checks the
   * outputs' declared types at load but not the values it returns, and shape inference may not see through
   * every graph. Package-private for tests that hand it values of the wrong kind.
   */
  float[][] read(OnnxValue output, int rows) throws OrtException {
    int classes = signature.getOutputClasses().size();
    float[][] probabilities;
    if (signature.getProbabilityFormat() == ProbabilityFormat.ZIPMAP) {
      if (!(output instanceof OnnxSequence sequence)) {
        throw new ModelOutputException("the model's ZipMap output is " + describe(output) + ", not a sequence of maps");
      }
      probabilities = zipMap(sequence, classes);
    } else {
      // Checked before the value is copied out: a tensor of another rank or element type is a float[] or a long[][].
      Object value = output instanceof OnnxTensor tensor && tensor.getInfo().getShape().length == 2 ? tensor.getValue() : null;
      if (value instanceof float[][] floats) {
        probabilities = floats;
      } else if (value instanceof double[][] doubles) {
        probabilities = new float[doubles.length][];
        for (int r = 0; r < doubles.length; r++) {
          probabilities[r] = new float[doubles[r].length];
          for (int c = 0; c < doubles[r].length; c++) {
            probabilities[r][c] = (float) doubles[r][c];
          }
        }
      } else {
        throw new ModelOutputException("the model's probability output is " + describe(output) + ", not a FLOAT or DOUBLE tensor ["
            + rows + ", " + classes + "]");
      }
    }
    if (probabilities.length != rows) {
      throw new ModelOutputException("the model returned probabilities for " + probabilities.length + " rows, not for the " + rows + " it was given");
    }
    for (float[] row : probabilities) {
      if (row.length != classes) {
        throw new ModelOutputException("the model returned " + row.length + " probabilities per row, not one for each of its " + classes + " classes");
      }
    }
    return probabilities;
  }

  /** An output's kind, element type and actual shape, for a message. */
  private static String describe(OnnxValue output) {
    if (output instanceof OnnxTensor tensor) {
      TensorInfo info = tensor.getInfo();
      return "a tensor of " + OnnxModelInfo.typeName(info.type) + " " + OnnxModelInfo.shapeText(info.getShape());
    }
    return "a " + output.getType();
  }

  private float[][] zipMap(OnnxSequence sequence, int classes) throws OrtException {
    // Each map is a native value of its own, made by getValue(), which closing the sequence does not close.
    List<? extends OnnxValue> maps = sequence.getValue();
    try {
      float[][] probabilities = new float[maps.size()][];
      List<String> names = signature.getOutputClasses();
      for (int r = 0; r < probabilities.length; r++) {
        Map<?, ?> map = ((OnnxMap) maps.get(r)).getValue();
        probabilities[r] = zipMapNames ? byName(map, names) : byRank(map, classes);
      }
      return probabilities;
    } finally {
      maps.forEach(OnnxValue::close);
    }
  }

  private static float[] byName(Map<?, ?> map, List<String> names) {
    float[] row = new float[names.size()];
    for (int c = 0; c < row.length; c++) {
      if (!(map.get(names.get(c)) instanceof Number number)) {
        throw new ModelOutputException("the model's ZipMap has no probability for class " + names.get(c) + " (keys " + map.keySet() + ")");
      }
      row[c] = number.floatValue();
    }
    return row;
  }

  /** A map with int64 keys: the probability of the key of rank {@code c} is that of output class {@code c}. */
  private float[] byRank(Map<?, ?> map, int classes) {
    long[] keys = zipMapKeys;
    if (keys == null) {
      if (map.size() != classes) {
        throw new ModelOutputException("the model's ZipMap has int64 keys " + new TreeSet<>(map.keySet()) + " for "
            + classes + " classes " + signature.getOutputClasses() + "; it needs one key per class (sorted keys in the classes' order)");
      }
      keys = map.keySet().stream().mapToLong(key -> (Long) key).sorted().toArray();
      zipMapKeys = keys;
    }
    float[] row = new float[classes];
    for (int c = 0; c < classes; c++) {
      if (map.size() != classes || !(map.get(keys[c]) instanceof Number number)) {
        throw new ModelOutputException("the model's ZipMap has int64 keys " + new TreeSet<>(map.keySet())
            + ", not the keys " + Arrays.toString(keys) + " of its earlier answers");
      }
      row[c] = number.floatValue();
    }
    return row;
  }

  private OnnxTensor tensor(RawTensor tensor, List<? extends Map<String, ?>> records) throws OrtException {
    int n = records.size();
    int width = tensor.features().length;
    long[] shape = tensor.rank1() ? new long[] {n} : new long[] {n, width};
    switch (tensor.type()) {
      case STRING -> {
        String[] values = new String[n * width];
        for (int r = 0, i = 0; r < n; r++) {
          Map<String, ?> record = records.get(r);
          for (String feature : tensor.features()) {
            Object value = record.get(feature);
            values[i++] = value == null ? "" : value.toString();
          }
        }
        return OnnxTensor.createTensor(environment, values, shape);
      }
      case INT64 -> {
        // A direct buffer in native order: ONNX Runtime uses it as it is, without another copy.
        LongBuffer buffer = ByteBuffer.allocateDirect(n * width * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
        for (Map<String, ?> record : records) {
          for (String feature : tensor.features()) {
            buffer.put(whole(feature, record.get(feature)));
          }
        }
        return OnnxTensor.createTensor(environment, buffer.rewind(), shape);
      }
      case DOUBLE -> {
        DoubleBuffer buffer = ByteBuffer.allocateDirect(n * width * Double.BYTES).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        for (Map<String, ?> record : records) {
          for (String feature : tensor.features()) {
            buffer.put(number(record.get(feature)));
          }
        }
        return OnnxTensor.createTensor(environment, buffer.rewind(), shape);
      }
      default -> {
        FloatBuffer buffer = ByteBuffer.allocateDirect(n * width * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (Map<String, ?> record : records) {
          for (String feature : tensor.features()) {
            buffer.put((float) number(record.get(feature)));
          }
        }
        return OnnxTensor.createTensor(environment, buffer.rewind(), shape);
      }
    }
  }

  /** A numeric or boolean value as a double; NaN when missing. */
  private static double number(Object value) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    if (value instanceof Boolean flag) {
      return flag ? 1 : 0;
    }
    return Double.NaN;
  }

  private static long whole(String feature, Object value) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Boolean flag) {
      return flag ? 1 : 0;
    }
    if (value instanceof Number number) {
      double d = number.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
        return (long) d;
      }
      throw new IllegalArgumentException("feature " + feature + ": the model takes it as an integer (INT64), and " + value + " is not a whole number");
    }
    throw new IllegalArgumentException("feature " + feature + ": the model takes it as an integer (INT64), which cannot be missing");
  }

  private static List<RawTensor> rawTensors(ModelSignature signature) {
    Map<String, FeatureType> types = new LinkedHashMap<>();
    for (SignatureField input : signature.getInputs()) {
      types.put(input.getName(), input.getType());
    }
    Set<String> placed = new HashSet<>();
    List<RawTensor> tensors = new ArrayList<>();
    for (SignatureTensor tensor : signature.getTensors()) {
      List<String> features = tensor.getFeatures();
      if (features.isEmpty()) {
        throw new ModelLoadException("input tensor '" + tensor.getName() + "' names no feature", null);
      }
      if (tensor.getRank() != 1 && tensor.getRank() != 2) {
        throw new ModelLoadException("input tensor '" + tensor.getName() + "' has rank " + tensor.getRank() + "; 1 ([N]) or 2 ([N, features]) are served", null);
      }
      if (tensor.getRank() == 1 && features.size() != 1) {
        throw new ModelLoadException("input tensor '" + tensor.getName() + "' has rank 1 ([N]) and so holds one feature, not " + features.size(), null);
      }
      for (int i = 0; i < features.size(); i++) {
        String feature = features.get(i);
        FeatureType type = types.get(feature);
        if (type == null) {
          throw new ModelLoadException("input tensor '" + tensor.getName() + "' names feature " + feature + ", which is not among the signature's inputs " + types.keySet(), null);
        }
        if (!placed.add(feature)) {
          throw new ModelLoadException("feature " + feature + " is in more than one input tensor", null);
        }
        boolean text = type == FeatureType.CATEGORICAL || type == FeatureType.TEXT;
        if (text != (tensor.getElementType() == TensorElementType.STRING)) {
          throw new ModelLoadException("input tensor '" + tensor.getName() + "' is " + tensor.getElementType() + " and cannot hold " + type
              + " feature " + feature + " (STRING tensors hold categorical and text features; FLOAT, DOUBLE and INT64 tensors numeric and boolean ones)", null);
        }
      }
      tensors.add(new RawTensor(tensor.getName(), tensor.getElementType(), features.toArray(String[]::new), tensor.getRank() == 1));
    }
    Set<String> unplaced = new HashSet<>(types.keySet());
    unplaced.removeAll(placed);
    if (!unplaced.isEmpty()) {
      throw new ModelLoadException("features " + unplaced + " are in no input tensor", null);
    }
    return List.copyOf(tensors);
  }

  private static String encodedInputProblem(OrtSession session, ModelSignature signature) throws OrtException {
    if (!session.getInputNames().contains(signature.getInputTensor())) {
      return "the model has no input tensor '" + signature.getInputTensor() + "' (it has " + session.getInputNames() + ")";
    }
    return null;
  }

  private static String rawInputProblem(OrtSession session, List<RawTensor> tensors) throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    Set<String> named = new HashSet<>();
    for (RawTensor tensor : tensors) {
      named.add(tensor.name());
      NodeInfo node = inputs.get(tensor.name());
      if (node == null) {
        return "the model has no input tensor '" + tensor.name() + "' (it has " + inputs.keySet() + ")";
      }
      if (!(node.getInfo() instanceof TensorInfo info)) {
        return "the model's input '" + tensor.name() + "' is not a tensor (" + node.getInfo() + ")";
      }
      OnnxJavaType expected = switch (tensor.type()) {
        case FLOAT -> OnnxJavaType.FLOAT;
        case DOUBLE -> OnnxJavaType.DOUBLE;
        case INT64 -> OnnxJavaType.INT64;
        case STRING -> OnnxJavaType.STRING;
      };
      if (info.type != expected) {
        return "the model's input tensor '" + tensor.name() + "' holds " + OnnxModelInfo.typeName(info.type) + ", not " + tensor.type();
      }
      long[] shape = info.getShape();
      int rank = tensor.rank1() ? 1 : 2;
      if (shape.length != rank) {
        return "the model's input tensor '" + tensor.name() + "' has rank " + shape.length + " " + OnnxModelInfo.shapeText(shape)
            + ", not " + rank;
      }
      if (rank == 2 && shape[1] >= 0 && shape[1] != tensor.features().length) {
        return "the model's input tensor '" + tensor.name() + "' has " + shape[1] + " columns " + OnnxModelInfo.shapeText(shape)
            + ", but the signature puts " + tensor.features().length + " features in it";
      }
    }
    Set<String> others = new HashSet<>(inputs.keySet());
    others.removeAll(named);
    if (!others.isEmpty()) {
      return "the model has inputs the signature does not fill: " + others;
    }
    return null;
  }

  private static String outputProblem(OrtSession session, ModelSignature signature) throws OrtException {
    NodeInfo node = session.getOutputInfo().get(signature.getProbabilityTensor());
    if (node == null) {
      return "the model has no output tensor '" + signature.getProbabilityTensor() + "' (it has " + session.getOutputNames() + ")";
    }
    ValueInfo info = node.getInfo();
    int classes = signature.getOutputClasses().size();
    if (signature.getProbabilityFormat() == ProbabilityFormat.ZIPMAP) {
      if (!(info instanceof SequenceInfo sequence) || !sequence.isSequenceOfMaps()) {
        return "the model's output '" + node.getName() + "' is not a ZipMap (a sequence of maps from class to probability): it is " + info;
      }
      MapInfo map = sequence.mapInfo;
      if (map.keyType != OnnxJavaType.STRING && map.keyType != OnnxJavaType.INT64) {
        return "the model's ZipMap output '" + node.getName() + "' has keys of type " + map.keyType + "; string or int64 keys are served";
      }
      if (map.valueType != OnnxJavaType.FLOAT && map.valueType != OnnxJavaType.DOUBLE) {
        return "the model's ZipMap output '" + node.getName() + "' has values of type " + map.valueType + ", not probabilities (float)";
      }
      return null;
    }
    if (!(info instanceof TensorInfo tensor)) {
      return "the model's output '" + node.getName() + "' is not a tensor of probabilities: it is " + info
          + (info instanceof SequenceInfo ? " (a ZipMap output needs probability format ZIPMAP)" : "");
    }
    if (tensor.type != OnnxJavaType.FLOAT && tensor.type != OnnxJavaType.DOUBLE) {
      return "the model's output tensor '" + node.getName() + "' holds " + OnnxModelInfo.typeName(tensor.type) + ", not probabilities (float or double)";
    }
    long[] shape = tensor.getShape();
    if (shape.length != 2 || (shape[1] >= 0 && shape[1] != classes)) {
      return "the model's output tensor '" + node.getName() + "' has shape " + OnnxModelInfo.shapeText(shape) + ", not [N, " + classes + "] for "
          + classes + " classes";
    }
    return null;
  }

  @Override
  public void close() {
    closeQuietly(session);
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      // nothing left to do with a session that cannot close
    }
  }

  /**
   * A model that does not answer as its signature says (an output of another kind, element type or shape, a
   * ZipMap without one key per class) or that ONNX Runtime fails to run: a fault of the model, not of the
   * records it was given.
   */
  public static final class ModelOutputException extends IllegalStateException {
    public ModelOutputException(String message) {
      super(message);
    }

    public ModelOutputException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A model file that cannot be served. */
  public static final class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
