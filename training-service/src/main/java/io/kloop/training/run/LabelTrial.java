package io.kloop.training.run;

import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kloop.events.ModelSignature;
import io.kloop.events.ProbabilityFormat;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import io.kloop.service.web.ClientText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether an imported model's label output (skl2onnx's {@code output_label}, onnxmltools' {@code label}) names, on each
 * trial row, the class its probabilities make most probable. A model whose probability columns are read in the wrong
 * class order disagrees with its own labels, which the probabilities alone cannot show.
 *
 * <p>A STRING label is a class name. An INT64 label is mapped the way the probabilities are: beside a ZipMap with int64
 * keys, the keys sorted ascending correspond to the classes in order (skl2onnx writes {@code classlabels_int64s =
 * model.classes_}), so a label is the class at its key's place; beside a tensor output, a label is used only when every
 * label is a column index 0..C-1 (what onnxmltools writes), and the check is skipped otherwise. A row whose most probable
 * classes tie agrees with any of them.
 */
final class LabelTrial {

  /** How much less probable than the most probable class a label's class may be (float rounding of a tie). */
  static final double TIE_TOLERANCE = 1e-6;

  private LabelTrial() {}

  /**
   * Runs the model on the rows and compares its labels with the probabilities, which are in the order of the
   * signature's output classes.
   *
   * @return why they disagree, naming the first row that shows it; empty when they agree or the labels cannot be read as classes
   * @throws IllegalStateException when ONNX Runtime cannot run the model
   */
  static Optional<String> problem(byte[] onnx, ModelSignature signature, String labelOutput, List<Map<String, Object>> rows,
      double[][] probabilities) {
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
         OrtSession session = environment.createSession(onnx, options)) {
      for (SignatureTensor tensor : signature.getTensors()) {
        inputs.put(tensor.getName(), tensor(environment, tensor, rows));
      }
      boolean zipMap = signature.getProbabilityFormat() == ProbabilityFormat.ZIPMAP;
      Set<String> wanted = zipMap ? Set.of(labelOutput, signature.getProbabilityTensor()) : Set.of(labelOutput);
      try (OrtSession.Result result = session.run(inputs, wanted)) {
        Object[] labels = labels(result.get(labelOutput).orElseThrow().getValue());
        List<Long> keys = zipMap ? int64Keys((OnnxSequence) result.get(signature.getProbabilityTensor()).orElseThrow()) : null;
        return disagreement(signature.getOutputClasses(), probabilities, labels, keys, zipMap);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to run the model for its label output: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /**
   * The first row whose label is not its most probable class.
   *
   * @param labels per row, a String (a class name) or a Long
   * @param zipMapKeys the ZipMap's int64 keys sorted ascending; null when it has string keys or the output is a tensor
   * @param zipMap whether the probabilities come from a ZipMap (whose string keys are class names)
   */
  static Optional<String> disagreement(List<String> classes, double[][] probabilities, Object[] labels, List<Long> zipMapKeys, boolean zipMap) {
    int rows = Math.min(labels.length, probabilities.length);
    if (!zipMap && labels.length > 0 && labels[0] instanceof Long) {
      for (int i = 0; i < rows; i++) {
        long index = (Long) labels[i];
        if (index < 0 || index >= classes.size()) {
          // Not column indices: nothing says how these labels map to classes.
          return Optional.empty();
        }
      }
    }
    if (zipMap && zipMapKeys == null && labels.length > 0 && labels[0] instanceof Long) {
      // Int64 labels beside string keys: no rule maps one to the other.
      return Optional.empty();
    }
    for (int i = 0; i < rows; i++) {
      int best = 0;
      for (int c = 1; c < probabilities[i].length; c++) {
        if (probabilities[i][c] > probabilities[i][best]) {
          best = c;
        }
      }
      Object label = labels[i];
      int labelled;
      String shown;
      if (label instanceof Long value) {
        int index = zipMapKeys != null ? zipMapKeys.indexOf(value) : (int) (long) value;
        labelled = index >= 0 && index < classes.size() ? index : -1;
        shown = value + (labelled >= 0 ? " = " + classes.get(labelled) : "");
      } else {
        labelled = classes.indexOf(String.valueOf(label));
        shown = ClientText.clip(String.valueOf(label), 60);
      }
      if (labelled < 0 || probabilities[i][labelled] < probabilities[i][best] - TIE_TOLERANCE) {
        return Optional.of("the model's label output disagrees with its probabilities on row " + i + " (label " + shown + ", most probable "
            + classes.get(best) + "): the classes' order is probably wrong; give it in metadata classes");
      }
    }
    return Optional.empty();
  }

  private static Object[] labels(Object value) {
    if (value instanceof String[] strings) {
      return strings;
    }
    if (value instanceof long[] longs) {
      Object[] labels = new Object[longs.length];
      for (int i = 0; i < longs.length; i++) {
        labels[i] = longs[i];
      }
      return labels;
    }
    if (value instanceof String[][] strings) {
      Object[] labels = new Object[strings.length];
      for (int i = 0; i < strings.length; i++) {
        labels[i] = strings[i][0];
      }
      return labels;
    }
    if (value instanceof long[][] longs) {
      Object[] labels = new Object[longs.length];
      for (int i = 0; i < longs.length; i++) {
        labels[i] = longs[i][0];
      }
      return labels;
    }
    throw new IllegalStateException("the model's label output holds " + value.getClass().getSimpleName() + ", not labels");
  }

  /** The ZipMap's int64 keys, sorted ascending; null when its keys are strings. */
  private static List<Long> int64Keys(OnnxSequence sequence) throws OrtException {
    List<? extends OnnxValue> maps = sequence.getValue();
    try {
      TreeSet<Long> keys = new TreeSet<>();
      for (OnnxValue map : maps) {
        for (Object key : ((OnnxMap) map).getValue().keySet()) {
          if (!(key instanceof Long value)) {
            return null;
          }
          keys.add(value);
        }
      }
      return new ArrayList<>(keys);
    } finally {
      maps.forEach(OnnxValue::close);
    }
  }

  /** The rows' features as the model's input tensor, the way the platform fills it when it serves the model. */
  private static OnnxTensor tensor(OrtEnvironment environment, SignatureTensor tensor, List<Map<String, Object>> rows) throws OrtException {
    int n = rows.size();
    List<String> features = tensor.getFeatures();
    int width = features.size();
    long[] shape = tensor.getRank() == 1 ? new long[] {n} : new long[] {n, width};
    TensorElementType type = tensor.getElementType();
    if (type == TensorElementType.STRING) {
      String[] values = new String[n * width];
      int i = 0;
      for (Map<String, Object> row : rows) {
        for (String feature : features) {
          Object value = row.get(feature);
          values[i++] = value == null ? "" : value.toString();
        }
      }
      return OnnxTensor.createTensor(environment, values, shape);
    }
    double[] numbers = new double[n * width];
    int i = 0;
    for (Map<String, Object> row : rows) {
      for (String feature : features) {
        Object value = row.get(feature);
        numbers[i++] = value instanceof Number number ? number.doubleValue() : value instanceof Boolean flag ? (flag ? 1 : 0) : Double.NaN;
      }
    }
    return switch (type) {
      case INT64 -> {
        long[] longs = new long[numbers.length];
        for (int k = 0; k < numbers.length; k++) {
          longs[k] = (long) numbers[k];
        }
        yield OnnxTensor.createTensor(environment, java.nio.LongBuffer.wrap(longs), shape);
      }
      case DOUBLE -> OnnxTensor.createTensor(environment, java.nio.DoubleBuffer.wrap(numbers), shape);
      default -> {
        float[] floats = new float[numbers.length];
        for (int k = 0; k < numbers.length; k++) {
          floats[k] = (float) numbers[k];
        }
        yield OnnxTensor.createTensor(environment, java.nio.FloatBuffer.wrap(floats), shape);
      }
    };
  }
}
