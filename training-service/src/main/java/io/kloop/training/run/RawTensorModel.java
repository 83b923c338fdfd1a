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
import io.kloop.model.OnnxClassifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model that takes feature values as they are ({@link ModelSignature#getTensors()} set: an imported model), run by
 * ONNX Runtime: rows of features in, class probabilities out in the order of the signature's output classes, from a
 * probability tensor or a ZipMap. Numeric and boolean values go into FLOAT, DOUBLE or INT64 tensors (booleans as 1 and
 * 0, a missing value as NaN, or 0 in an INT64 tensor, a fraction dropped), categorical and text values into STRING
 * tensors (a missing value as the empty string). Close it to free the native session.
 */
final class RawTensorModel implements AutoCloseable {

  /** Rows given to ONNX Runtime at once: bounds the native memory of a long test split. */
  static final int CHUNK = 1_000;

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final ModelSignature signature;

  private RawTensorModel(OrtEnvironment environment, OrtSession session, ModelSignature signature) {
    this.environment = environment;
    this.session = session;
    this.signature = signature;
  }

  /** Loads the model; throws {@link OnnxClassifier.ModelLoadException} when ONNX Runtime cannot. */
  static RawTensorModel load(byte[] onnx, ModelSignature signature) {
    return new RawTensorModel(OrtEnvironment.getEnvironment(), OnnxSessions.open(onnx), signature);
  }

  /** Wraps an open session, which it then owns. */
  static RawTensorModel of(OrtSession session, ModelSignature signature) {
    return new RawTensorModel(OrtEnvironment.getEnvironment(), session, signature);
  }

  /**
   * Per row, the probability of each output class. ZipMap keys that are not the output classes (strings) or their
   * indexes (int64) are refused with an {@link IllegalArgumentException} naming them.
   */
  double[][] probabilities(List<Map<String, Object>> rows) {
    double[][] probabilities = new double[rows.size()][];
    for (int start = 0; start < rows.size(); start += CHUNK) {
      double[][] chunk = run(rows.subList(start, Math.min(rows.size(), start + CHUNK)));
      System.arraycopy(chunk, 0, probabilities, start, chunk.length);
    }
    return probabilities;
  }

  private double[][] run(List<Map<String, Object>> rows) {
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    try {
      for (SignatureTensor tensor : signature.getTensors()) {
        inputs.put(tensor.getName(), OnnxTensor.createTensor(environment, values(tensor, rows)));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(signature.getProbabilityTensor()))) {
        OnnxValue output = result.get(0);
        return signature.getProbabilityFormat() == ProbabilityFormat.ZIPMAP ? zipMap(output, rows.size()) : tensor(output, rows.size());
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime cannot run the model: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private Object values(SignatureTensor tensor, List<Map<String, Object>> rows) {
    int width = tensor.getFeatures().size();
    int n = rows.size();
    boolean rank1 = tensor.getRank() == 1;
    switch (tensor.getElementType()) {
      case STRING -> {
        String[][] values = new String[n][width];
        for (int i = 0; i < n; i++) {
          for (int f = 0; f < width; f++) {
            Object value = rows.get(i).get(tensor.getFeatures().get(f));
            values[i][f] = value == null ? "" : value.toString();
          }
        }
        return rank1 ? column(values, new String[n]) : values;
      }
      case INT64 -> {
        long[][] values = new long[n][width];
        for (int i = 0; i < n; i++) {
          for (int f = 0; f < width; f++) {
            double value = number(rows.get(i).get(tensor.getFeatures().get(f)));
            values[i][f] = Double.isNaN(value) ? 0 : (long) value;
          }
        }
        if (rank1) {
          long[] column = new long[n];
          for (int i = 0; i < n; i++) {
            column[i] = values[i][0];
          }
          return column;
        }
        return values;
      }
      case DOUBLE -> {
        double[][] values = new double[n][width];
        for (int i = 0; i < n; i++) {
          for (int f = 0; f < width; f++) {
            values[i][f] = number(rows.get(i).get(tensor.getFeatures().get(f)));
          }
        }
        if (rank1) {
          double[] column = new double[n];
          for (int i = 0; i < n; i++) {
            column[i] = values[i][0];
          }
          return column;
        }
        return values;
      }
      default -> {
        float[][] values = new float[n][width];
        for (int i = 0; i < n; i++) {
          for (int f = 0; f < width; f++) {
            values[i][f] = (float) number(rows.get(i).get(tensor.getFeatures().get(f)));
          }
        }
        if (rank1) {
          float[] column = new float[n];
          for (int i = 0; i < n; i++) {
            column[i] = values[i][0];
          }
          return column;
        }
        return values;
      }
    }
  }

  private static String[] column(String[][] values, String[] column) {
    for (int i = 0; i < values.length; i++) {
      column[i] = values[i][0];
    }
    return column;
  }

  private static double number(Object value) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    if (value instanceof Boolean bool) {
      return bool ? 1 : 0;
    }
    return Double.NaN;
  }

  private double[][] tensor(OnnxValue output, int rows) throws OrtException {
    if (!(output instanceof OnnxTensor tensor) || !(tensor.getValue() instanceof float[][] values)) {
      throw new IllegalArgumentException("output '" + signature.getProbabilityTensor() + "' is not a FLOAT tensor [N, C]: " + output.getInfo());
    }
    int classes = signature.getOutputClasses().size();
    if (values.length != rows || (rows > 0 && values[0].length != classes)) {
      throw new IllegalArgumentException("output '" + signature.getProbabilityTensor() + "' has " + values.length + " rows of "
          + (values.length == 0 ? 0 : values[0].length) + " values for " + rows + " rows of the dataset's " + classes + " classes");
    }
    double[][] probabilities = new double[rows][classes];
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < classes; c++) {
        probabilities[i][c] = values[i][c];
      }
    }
    return probabilities;
  }

  private double[][] zipMap(OnnxValue output, int rows) throws OrtException {
    if (!(output instanceof OnnxSequence sequence)) {
      throw new IllegalArgumentException("output '" + signature.getProbabilityTensor() + "' is not a sequence of maps: " + output.getInfo());
    }
    List<String> classes = signature.getOutputClasses();
    List<? extends OnnxValue> maps = sequence.getValue();
    if (maps.size() != rows) {
      throw new IllegalArgumentException("output '" + signature.getProbabilityTensor() + "' has " + maps.size() + " maps for " + rows + " rows");
    }
    double[][] probabilities = new double[rows][classes.size()];
    for (int i = 0; i < rows; i++) {
      Map<?, ?> map = ((OnnxMap) maps.get(i)).getValue();
      boolean known = map.size() == classes.size();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        int c = entry.getKey() instanceof Long key ? (key >= 0 && key < classes.size() ? key.intValue() : -1) : classes.indexOf(String.valueOf(entry.getKey()));
        if (c < 0) {
          known = false;
        } else {
          probabilities[i][c] = ((Number) entry.getValue()).doubleValue();
        }
      }
      if (!known) {
        Set<String> keys = new TreeSet<>();
        map.keySet().forEach(key -> keys.add(String.valueOf(key)));
        throw new IllegalArgumentException("the ZipMap's keys " + keys + " are not the classes " + classes
            + " (string keys) nor their indexes 0.." + (classes.size() - 1) + " (int64 keys)");
      }
    }
    return probabilities;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      // nothing left to do with a session that cannot close
    }
  }
}
