package io.kloop.inference.api;

import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.inference.api.OpenInferenceController.InferInput;
import io.kloop.inference.api.OpenInferenceController.RequestedOutput;
import io.kloop.inference.serving.Instances;
import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.PredictionIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of an infer request turned into instances, checking everything about them: one tensor per
 * feature, named after it; a datatype of the protocol that fits the feature (any number type for a numeric
 * one, BOOL for a boolean one, BYTES for a categorical one); shape {@code [N]} or {@code [N, 1]} with N a
 * whole number from 1; {@code data} a list of N values, flat or, for {@code [N, 1]}, nested as
 * {@code [[v], [v], ...]}; every value of the datatype and of the feature ({@code null} is a missing value,
 * as in the named-feature API); and the same N for every tensor. Besides, an optional {@code prediction_id}
 * tensor of {@code BYTES} gives the rows' prediction ids ({@link PredictionIds}' rules), unless a feature has that
 * name. Errors name the tensor and the value.
 */
final class Tensors {

  private Tensors() {}

  /**
   * A request's instances, one per row (feature name to its normalised value), and their prediction ids: the
   * client's, from the optional {@code prediction_id} tensor, or the default ones.
   */
  record Batch(List<Map<String, Object>> instances, PredictionIds ids) {}

  /**
   * Whether a model's clients may give prediction ids in a {@code prediction_id} tensor: unless one of its input
   * tensors has that name (a feature's, or an imported model's own tensor).
   */
  static boolean takesPredictionIds(ModelSignature signature) {
    if (!signature.getTensors().isEmpty()) {
      return signature.getTensors().stream().noneMatch(tensor -> OpenInferenceController.PREDICTION_ID.equals(tensor.getName()));
    }
    return signature.getInputs().stream().noneMatch(input -> OpenInferenceController.PREDICTION_ID.equals(input.getName()));
  }

  /**
   * One instance per row: feature name to its (normalised) value; and the rows' prediction ids. An imported
   * model ({@code tensors} set) takes its own tensors ({@link RawTensors}); the platform's models one per feature.
   */
  static Batch instances(ModelSignature signature, List<InferInput> inputs) {
    if (!signature.getTensors().isEmpty()) {
      return RawTensors.instances(signature, inputs);
    }
    Map<String, SignatureField> fields = new HashMap<>();
    signature.getInputs().forEach(f -> fields.put(f.getName(), f));
    Map<String, Object[]> columns = new LinkedHashMap<>();
    List<Object> ids = null;
    String idsAt = null;
    long rows = -1;
    for (int k = 0; k < inputs.size(); k++) {
      InferInput input = inputs.get(k);
      if (input == null || input.name() == null) {
        throw new InvalidInputException("inputs[" + k + "]: every input needs a name");
      }
      String name = input.name();
      SignatureField field = fields.get(name);
      if (field == null && OpenInferenceController.PREDICTION_ID.equals(name)) {
        long n = predictionIdRows(input, k, ids != null);
        rows = sameRows(rows, n, k, name);
        ids = Arrays.asList(values(input, n, k));
        idsAt = where(k, name) + ".data";
        continue;
      }
      if (field == null) {
        if (name.length() > Identifiers.MAX_INPUT_NAME) {
          throw new InvalidInputException("inputs[" + k + "]: a name has at most " + Identifiers.MAX_INPUT_NAME + " characters, got "
              + name.length() + "; the model takes " + fields.keySet() + optionalInputs(signature));
        }
        throw new InvalidInputException("inputs[" + k + "] " + Instances.quoted(name) + ": unknown input; the model takes " + fields.keySet()
            + optionalInputs(signature));
      }
      if (columns.containsKey(name)) {
        throw new InvalidInputException(where(k, name) + ": given twice");
      }
      Datatype datatype = Datatype.of(input.datatype());
      if (datatype == null) {
        throw new InvalidInputException(where(k, name) + ": datatype " + (input.datatype() == null ? "missing" : Instances.quoted(input.datatype())
            + " is not one of the protocol's (BOOL, UINT8 to UINT64, INT8 to INT64, FP16, FP32, FP64, BYTES)") + "; use "
            + Datatype.declared(field.getType()));
      }
      if (!datatype.serves(field.getType())) {
        throw new InvalidInputException(where(k, name) + ": datatype '" + datatype + "' does not fit a " + field.getType() + " feature; use "
            + Datatype.declared(field.getType()));
      }
      long n = rows(input.shape(), k, name);
      rows = sameRows(rows, n, k, name);
      columns.put(name, column(field, datatype, input, n, k));
    }
    for (String feature : fields.keySet()) {
      if (!columns.containsKey(feature)) {
        throw new InvalidInputException("inputs: missing input '" + feature + "'");
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
    return new Batch(instances, ids == null ? PredictionIds.DEFAULT : PredictionIds.given(ids, instances.size(), idsAt));
  }

  static String optionalInputs(ModelSignature signature) {
    return takesPredictionIds(signature) ? " and an optional '" + OpenInferenceController.PREDICTION_ID + "'" : "";
  }

  /** N of a shape {@code [N]} or {@code [N, 1]}. */
  static long rows(List<Object> shape, int k, String name) {
    if (shape == null || shape.isEmpty() || shape.size() > 2 || !isWhole(shape.get(0)) || ((Number) shape.get(0)).longValue() < 1
        || (shape.size() == 2 && !(isWhole(shape.get(1)) && ((Number) shape.get(1)).longValue() == 1))) {
      throw new InvalidInputException(where(k, name) + ": shape must be [N] or [N, 1] with N a whole number from 1, not " + describe(shape));
    }
    return ((Number) shape.get(0)).longValue();
  }

  /** The tensor's values as a column of N normalised values (null for a missing one). */
  private static Object[] column(SignatureField field, Datatype datatype, InferInput input, long n, int k) {
    Object[] column = values(input, n, k);
    boolean nested = nested(input);
    for (int i = 0; i < column.length; i++) {
      Object value = column[i];
      if (value == null) {
        continue;
      }
      if (!datatype.fits(value)) {
        throw new InvalidInputException(where(k, input.name()) + ".data[" + i + (nested ? "][0]" : "]") + ": datatype " + datatype + " holds "
            + datatype.holds() + ", not " + describeValue(value));
      }
      try {
        column[i] = Instances.value(field, value);
      } catch (InvalidInputException e) {
        throw e.at(where(k, input.name()) + ".data[" + i + (nested ? "][0]" : "]"));
      }
    }
    return column;
  }

  /** The tensor's N values as sent: its data, flat or, for shape {@code [N, 1]}, nested one value per row. */
  static Object[] values(InferInput input, long n, int k) {
    if (!(input.data() instanceof List<?> data)) {
      throw new InvalidInputException(where(k, input.name()) + ": data must be a list of " + n + " value(s), "
          + (input.data() == null ? "it is missing" : "not " + describeValue(input.data())));
    }
    if (data.size() != n) {
      throw new InvalidInputException(where(k, input.name()) + ": shape " + describe(input.shape()) + " needs " + n + " value(s), got "
          + data.size());
    }
    boolean nested = nested(input);
    Object[] values = new Object[data.size()];
    for (int i = 0; i < values.length; i++) {
      Object value = data.get(i);
      if (nested) {
        if (!(value instanceof List<?> row) || row.size() != 1) {
          throw new InvalidInputException(where(k, input.name()) + ".data[" + i + "]: nested data of shape [N, 1] has one list of one value "
              + "per row, not " + describeValue(value));
        }
        value = row.get(0);
      }
      values[i] = value;
    }
    return values;
  }

  /** Whether the data of a tensor of shape {@code [N, 1]} (its data a list already checked) is nested, one list per row. */
  private static boolean nested(InferInput input) {
    return input.shape().size() == 2 && input.data() instanceof List<?> data && !data.isEmpty() && data.get(0) instanceof List<?>;
  }

  /** The outputs the client asks for: all when none are named. */
  static Set<String> wantedOutputs(ModelSignature signature, List<RequestedOutput> requested) {
    Set<String> known = new HashSet<>(List.of(signature.getProbabilityTensor(), OpenInferenceController.LABEL, OpenInferenceController.PREDICTION_ID));
    if (requested == null || requested.isEmpty()) {
      return known;
    }
    Set<String> wanted = new HashSet<>();
    for (int k = 0; k < requested.size(); k++) {
      String name = requested.get(k) == null ? null : requested.get(k).name();
      if (name == null || !known.contains(name)) {
        throw new InvalidInputException("outputs[" + k + "]: unknown output " + (name == null ? "(no name)" : Instances.quoted(name))
            + "; the model has " + known);
      }
      wanted.add(name);
    }
    return wanted;
  }

  static boolean isWhole(Object value) {
    return value instanceof Integer || value instanceof Long;
  }

  /** The rows of the prediction ids' tensor (BYTES, one string per row, given once), checked. */
  static long predictionIdRows(InferInput input, int k, boolean givenBefore) {
    String name = input.name();
    if (givenBefore) {
      throw new InvalidInputException(where(k, name) + ": given twice");
    }
    if (!"BYTES".equals(input.datatype())) {
      throw new InvalidInputException(where(k, name) + ": datatype " + (input.datatype() == null ? "missing" : Instances.quoted(input.datatype()))
          + "; the prediction ids are BYTES, one string per row");
    }
    return rows(input.shape(), k, name);
  }

  /** {@code n}, when it is the rows of the inputs before ({@code rows}, -1 for none). */
  static long sameRows(long rows, long n, int k, String name) {
    if (rows >= 0 && n != rows) {
      throw new InvalidInputException(where(k, name) + ": " + n + " value(s), but the inputs before it have " + rows);
    }
    return n;
  }

  static String where(int k, String name) {
    return "inputs[" + k + "] " + Instances.quoted(name);
  }

  /** A shape as sent, for a message: in full when short, else its rank. */
  static String describe(List<Object> shape) {
    if (shape == null) {
      return "missing";
    }
    if (shape.size() > 4) {
      return "a shape of " + shape.size() + " dimensions";
    }
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < shape.size(); i++) {
      text.append(i == 0 ? "" : ", ").append(describeValue(shape.get(i)));
    }
    return text.append(']').toString();
  }

  static String describeValue(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String text) {
      return "\"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
    }
    if (value instanceof List<?> list) {
      return "a list of " + list.size();
    }
    if (value instanceof Map<?, ?>) {
      return "an object";
    }
    String text = String.valueOf(value);
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }
}
