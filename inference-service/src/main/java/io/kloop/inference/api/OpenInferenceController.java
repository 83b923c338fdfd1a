package io.kloop.inference.api;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.inference.serving.Instances;
import io.kloop.inference.serving.InvalidInputException;
import io.kloop.inference.serving.Predictions;
import io.kloop.inference.serving.UnknownModelException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Open Inference Protocol v2 REST API (KServe, Triton and MLServer clients work unchanged). A model
 * takes one tensor per feature, named after it, of shape {@code [N]} or {@code [N, 1]}: FP64 (or any
 * number type) for numeric features, BOOL for boolean ones, BYTES for categorical ones. It answers the
 * class probabilities ({@code FP32 [N, classes]}, named as the model's probability tensor) and the
 * predicted class ({@code label}, {@code BYTES [N]}). The version segment is optional; a version other
 * than the one serving is 404. Infer itself is served by {@link ScoringRoutes}, with the checks here.
 */
@RestController
class OpenInferenceController {

  /** A tensor of an infer request. */
  record InferInput(String name, List<Long> shape, String datatype, Map<String, Object> parameters, Object data) {}

  /** An output the client asks for. */
  record RequestedOutput(String name, Map<String, Object> parameters) {}

  /** The infer request. */
  record InferRequest(String id, Map<String, Object> parameters, List<InferInput> inputs, List<RequestedOutput> outputs) {}

  static final String LABEL = "label";
  private static final Set<String> NUMBER_TYPES = Set.of("FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16",
      "UINT32", "UINT64");

  private final Predictions predictions;
  private final ApplicationAvailability availability;

  OpenInferenceController(Predictions predictions, ApplicationAvailability availability) {
    this.predictions = predictions;
    this.availability = availability;
  }

  @GetMapping("/v2/health/live")
  Map<String, Object> live() {
    return Map.of("live", true);
  }

  @GetMapping("/v2/health/ready")
  ResponseEntity<Map<String, Object>> ready() {
    boolean ready = availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
    return ResponseEntity.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("ready", ready));
  }

  @GetMapping("/v2")
  Map<String, Object> server() {
    String version = OpenInferenceController.class.getPackage().getImplementationVersion();
    return Map.of("name", "kloop-inference", "version", version == null ? "dev" : version, "extensions", List.of());
  }

  @GetMapping({"/v2/models/{name}", "/v2/models/{name}/versions/{version}"})
  Map<String, Object> metadata(@PathVariable String name, @PathVariable(required = false) String version) {
    Integer wanted = version(name, version);
    Predictions.Served served = predictions.served(name, wanted);
    ModelSignature signature = served.signature();
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (SignatureField input : signature.getInputs()) {
      inputs.add(tensor(input.getName(), datatype(input.getType()), List.of(-1)));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("versions", List.of(String.valueOf(served.version())));
    body.put("platform", "onnxruntime_onnx");
    body.put("inputs", inputs);
    body.put("outputs", List.of(
        tensor(signature.getProbabilityTensor(), "FP32", List.of(-1, signature.getOutputClasses().size())),
        tensor(LABEL, "BYTES", List.of(-1))));
    body.put("parameters", Map.of("output_classes", signature.getOutputClasses()));
    return body;
  }

  @GetMapping({"/v2/models/{name}/ready", "/v2/models/{name}/versions/{version}/ready"})
  Map<String, Object> modelReady(@PathVariable String name, @PathVariable(required = false) String version) {
    Predictions.Served served = predictions.served(name, version(name, version));
    return Map.of("name", name, "version", String.valueOf(served.version()), "ready", true);
  }

  /** Turns one tensor per feature into instances, checking names, shapes, datatypes and values. */
  static List<Map<String, Object>> instances(ModelSignature signature, List<InferInput> inputs) {
    Map<String, SignatureField> fields = new HashMap<>();
    signature.getInputs().forEach(f -> fields.put(f.getName(), f));
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    int rows = -1;
    for (int k = 0; k < inputs.size(); k++) {
      InferInput input = inputs.get(k);
      String where = "inputs[" + k + "]" + (input == null || input.name() == null ? "" : " '" + input.name() + "'");
      if (input == null || input.name() == null) {
        throw new InvalidInputException(where + ": every input needs a name");
      }
      SignatureField field = fields.get(input.name());
      if (field == null) {
        throw new InvalidInputException(where + ": unknown input; the model takes " + fields.keySet());
      }
      if (columns.containsKey(input.name())) {
        throw new InvalidInputException(where + ": given twice");
      }
      String expected = datatype(field.getType());
      String datatype = input.datatype() == null ? "" : input.datatype();
      boolean fits = field.getType() == FeatureType.NUMERIC ? NUMBER_TYPES.contains(datatype) : expected.equals(datatype);
      if (!fits) {
        throw new InvalidInputException(where + ": datatype '" + datatype + "' does not fit a " + field.getType() + " feature; use " + expected);
      }
      List<Long> shape = input.shape();
      if (shape == null || shape.isEmpty() || shape.size() > 2 || (shape.size() == 2 && shape.get(1) != 1) || shape.get(0) < 1) {
        throw new InvalidInputException(where + ": shape must be [N] or [N, 1] with N >= 1, not " + shape);
      }
      List<Object> values = new ArrayList<>();
      flatten(input.data(), values);
      if (values.size() != shape.get(0)) {
        throw new InvalidInputException(where + ": shape " + shape + " needs " + shape.get(0) + " value(s), got " + values.size());
      }
      if (rows >= 0 && values.size() != rows) {
        throw new InvalidInputException(where + ": " + values.size() + " value(s), but the inputs before it have " + rows);
      }
      rows = values.size();
      for (int i = 0; i < values.size(); i++) {
        values.set(i, Instances.value(field, values.get(i), where + ".data[" + i + "]"));
      }
      columns.put(input.name(), values);
    }
    for (String feature : fields.keySet()) {
      if (!columns.containsKey(feature)) {
        throw new InvalidInputException("inputs: missing input '" + feature + "'");
      }
    }
    List<Map<String, Object>> instances = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      Map<String, Object> instance = new HashMap<>();
      for (Map.Entry<String, List<Object>> column : columns.entrySet()) {
        instance.put(column.getKey(), column.getValue().get(i));
      }
      instances.add(instance);
    }
    return instances;
  }

  static Set<String> wantedOutputs(ModelSignature signature, List<RequestedOutput> requested) {
    Set<String> known = Set.of(signature.getProbabilityTensor(), LABEL);
    if (requested == null || requested.isEmpty()) {
      return known;
    }
    Set<String> wanted = new HashSet<>();
    for (int k = 0; k < requested.size(); k++) {
      String name = requested.get(k) == null ? null : requested.get(k).name();
      if (!known.contains(name)) {
        throw new InvalidInputException("outputs[" + k + "]: unknown output '" + name + "'; the model has " + known);
      }
      wanted.add(name);
    }
    return wanted;
  }

  private static void flatten(Object data, List<Object> into) {
    if (data instanceof List<?> list) {
      list.forEach(item -> flatten(item, into));
    } else if (data == null && into.isEmpty()) {
      throw new InvalidInputException("data is missing");
    } else {
      into.add(data);
    }
  }

  /** The version segment of a path as a number; anything else names no version of the model (404). */
  static Integer version(String name, String version) {
    if (version == null) {
      return null;
    }
    try {
      return Integer.valueOf(version);
    } catch (NumberFormatException e) {
      throw new UnknownModelException("model " + name + " has no version '" + version + "'");
    }
  }

  private static String datatype(FeatureType type) {
    return switch (type) {
      case NUMERIC -> "FP64";
      case BOOLEAN -> "BOOL";
      case CATEGORICAL -> "BYTES";
    };
  }

  static Map<String, Object> tensor(String name, String datatype, List<Integer> shape) {
    Map<String, Object> tensor = new LinkedHashMap<>();
    tensor.put("name", name);
    tensor.put("datatype", datatype);
    tensor.put("shape", shape);
    return tensor;
  }
}
