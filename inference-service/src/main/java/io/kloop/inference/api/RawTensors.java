package io.kloop.inference.api;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import io.kloop.inference.api.OpenInferenceController.InferInput;
import io.kloop.inference.serving.Instances;
import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.PredictionIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of an infer request to an imported model ({@code ModelSignature.tensors} set), which takes
 * the model's own input tensors rather than one per feature: each named as the model's input, of the
 * datatype its metadata declares ({@link #datatype}: FP32, FP64, INT64 or BYTES; a numeric tensor also
 * takes any other number type), shape {@code [N, width]} (or {@code [N]} when the width is 1) for a tensor
 * of rank 2 and {@code [N]} (or {@code [N, 1]}) for one of rank 1; {@code data} row-major, flat or nested
 * one list per row. The columns are split back into feature values, checked as the named-feature API checks
 * them ({@link Instances}): the prediction log and the monitor see features, not tensors. A boolean feature
 * in a numeric tensor is 0 or 1. The optional {@code prediction_id} tensor is as for the platform's models.
 */
final class RawTensors {

  private RawTensors() {}

  /** The datatype the metadata declares for a tensor of this element type. */
  static String datatype(TensorElementType type) {
    return switch (type) {
      case FLOAT -> "FP32";
      case DOUBLE -> "FP64";
      case INT64 -> "INT64";
      case STRING -> "BYTES";
    };
  }

  /** The shape the metadata declares for a tensor: {@code [-1, width]} or {@code [-1]}. */
  static List<Integer> shape(SignatureTensor tensor) {
    return tensor.getRank() == 1 ? List.of(-1) : List.of(-1, tensor.getFeatures().size());
  }

  static Tensors.Batch instances(ModelSignature signature, List<InferInput> inputs) {
    Map<String, SignatureTensor> tensors = new LinkedHashMap<>();
    signature.getTensors().forEach(tensor -> tensors.put(tensor.getName(), tensor));
    Map<String, SignatureField> fields = new HashMap<>();
    signature.getInputs().forEach(field -> fields.put(field.getName(), field));
    Set<String> integers = Instances.integerFeatures(signature);
    Map<String, Object[]> columns = new LinkedHashMap<>();
    Set<String> given = new java.util.HashSet<>();
    List<Object> ids = null;
    String idsAt = null;
    long rows = -1;
    for (int k = 0; k < inputs.size(); k++) {
      InferInput input = inputs.get(k);
      if (input == null || input.name() == null) {
        throw new InvalidInputException("inputs[" + k + "]: every input needs a name");
      }
      String name = input.name();
      SignatureTensor tensor = tensors.get(name);
      if (tensor == null && OpenInferenceController.PREDICTION_ID.equals(name)) {
        long n = Tensors.predictionIdRows(input, k, ids != null);
        rows = sameRows(rows, n, k, name);
        ids = Arrays.asList(Tensors.values(input, n, k));
        idsAt = Tensors.where(k, name) + ".data";
        continue;
      }
      if (tensor == null) {
        String shown = name.length() > Identifiers.MAX_INPUT_NAME ? "a name of " + name.length() + " characters" : Instances.quoted(name);
        throw new InvalidInputException("inputs[" + k + "] " + shown + ": unknown input; the model takes " + tensors.keySet()
            + Tensors.optionalInputs(signature));
      }
      if (!given.add(name)) {
        throw new InvalidInputException(Tensors.where(k, name) + ": given twice");
      }
      Datatype datatype = Datatype.of(input.datatype());
      String declared = datatype(tensor.getElementType());
      boolean strings = tensor.getElementType() == TensorElementType.STRING;
      if (datatype == null || (strings ? datatype != Datatype.BYTES : !datatype.serves(FeatureType.NUMERIC))) {
        throw new InvalidInputException(Tensors.where(k, name) + ": datatype " + (input.datatype() == null ? "missing" : Instances.quoted(input.datatype()))
            + " does not fit the model's " + tensor.getElementType() + " tensor; use " + declared);
      }
      int width = tensor.getFeatures().size();
      long n = rows(input.shape(), width, k, name);
      rows = sameRows(rows, n, k, name);
      Object[] values = values(input, n, width, k);
      boolean nested = values.length > 0 && input.data() instanceof List<?> data && !data.isEmpty() && data.get(0) instanceof List<?>;
      for (int j = 0; j < width; j++) {
        String feature = tensor.getFeatures().get(j);
        SignatureField field = fields.get(feature);
        Object[] column = new Object[(int) n];
        for (int i = 0; i < n; i++) {
          int at = i * width + j;
          String where = Tensors.where(k, name) + ".data" + (nested ? "[" + i + "][" + j + "]" : "[" + at + "]") + " (feature '" + feature + "')";
          column[i] = value(field, datatype, values[at], integers.contains(feature), where);
        }
        columns.put(feature, column);
      }
    }
    for (String tensor : tensors.keySet()) {
      if (!given.contains(tensor)) {
        throw new InvalidInputException("inputs: missing input '" + tensor + "'");
      }
    }
    List<Map<String, Object>> instances = new ArrayList<>((int) rows);
    for (int i = 0; i < rows; i++) {
      Map<String, Object> instance = new HashMap<>();
      for (Map.Entry<String, Object[]> column : columns.entrySet()) {
        instance.put(column.getKey(), column.getValue()[i]);
      }
      instances.add(instance);
    }
    return new Tensors.Batch(instances, ids == null ? PredictionIds.DEFAULT : PredictionIds.given(ids, instances.size(), idsAt));
  }

  private static long sameRows(long rows, long n, int k, String name) {
    if (rows >= 0 && n != rows) {
      throw new InvalidInputException(Tensors.where(k, name) + ": " + n + " row(s), but the inputs before it have " + rows);
    }
    return n;
  }

  /** N of a shape {@code [N, width]}, or {@code [N]} or {@code [N, 1]} for a tensor of one column. */
  private static long rows(List<Object> shape, int width, int k, String name) {
    boolean fits = shape != null && (shape.size() == 1 || shape.size() == 2) && Tensors.isWhole(shape.get(0))
        && ((Number) shape.get(0)).longValue() >= 1;
    if (fits && shape.size() == 1) {
      fits = width == 1;
    } else if (fits) {
      fits = Tensors.isWhole(shape.get(1)) && ((Number) shape.get(1)).longValue() == width;
    }
    if (!fits) {
      throw new InvalidInputException(Tensors.where(k, name) + ": shape must be [N, " + width + "]" + (width == 1 ? " or [N]" : "")
          + " with N a whole number from 1, not " + Tensors.describe(shape));
    }
    return ((Number) shape.get(0)).longValue();
  }

  /** The tensor's N * width values as sent, row-major: its data flat, or nested one list of width values per row. */
  private static Object[] values(InferInput input, long n, int width, int k) {
    if (!(input.data() instanceof List<?> data)) {
      throw new InvalidInputException(Tensors.where(k, input.name()) + ": data must be a list of " + n * width + " value(s), "
          + (input.data() == null ? "it is missing" : "not " + Tensors.describeValue(input.data())));
    }
    boolean nested = !data.isEmpty() && data.get(0) instanceof List<?>;
    if (!nested) {
      if (data.size() != n * width) {
        throw new InvalidInputException(Tensors.where(k, input.name()) + ": shape " + Tensors.describe(input.shape()) + " needs " + n * width
            + " value(s), got " + data.size());
      }
      return data.toArray();
    }
    if (data.size() != n) {
      throw new InvalidInputException(Tensors.where(k, input.name()) + ": shape " + Tensors.describe(input.shape()) + " needs " + n
          + " row(s), got " + data.size());
    }
    Object[] values = new Object[(int) (n * width)];
    for (int i = 0; i < n; i++) {
      if (!(data.get(i) instanceof List<?> row) || row.size() != width) {
        throw new InvalidInputException(Tensors.where(k, input.name()) + ".data[" + i + "]: nested data has one list of " + width
            + " value(s) per row, not " + Tensors.describeValue(data.get(i)));
      }
      for (int j = 0; j < width; j++) {
        values[i * width + j] = row.get(j);
      }
    }
    return values;
  }

  private static Object value(SignatureField field, Datatype datatype, Object value, boolean integer, String where) {
    if (value != null && !datatype.fits(value)) {
      throw new InvalidInputException(where + ": datatype " + datatype + " holds " + datatype.holds() + ", not " + Tensors.describeValue(value));
    }
    Object feature = value;
    if (value != null && field.getType() == FeatureType.BOOLEAN) {
      double number = ((Number) value).doubleValue();
      if (number != 0 && number != 1) {
        throw new InvalidInputException(where + ": a boolean feature is 1 (true) or 0 (false) in a numeric tensor, not "
            + Tensors.describeValue(value));
      }
      feature = number == 1;
    }
    try {
      return Instances.value(field, feature, integer);
    } catch (InvalidInputException e) {
      throw e.at(where);
    }
  }
}
