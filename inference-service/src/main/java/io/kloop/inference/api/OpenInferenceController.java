package io.kloop.inference.api;

import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.inference.serving.Predictions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Open Inference Protocol v2 REST API (KServe, Triton and MLServer clients work unchanged). A model
 * the platform trained takes one tensor per feature, named after it, of shape {@code [N]} or {@code [N, 1]}:
 * FP64 (or any number type) for numeric features, BOOL for boolean ones, BYTES for categorical and text ones.
 * An imported model takes its own input tensors ({@link RawTensors}): the metadata lists them with their
 * datatype (FP32, FP64, INT64 or BYTES), shape ({@code [-1, width]} or {@code [-1]}) and, under
 * {@code parameters.features}, the features of their columns. It answers the
 * class probabilities ({@code FP32 [N, classes]}, named as the model's probability tensor) and the
 * predicted class ({@code label}, {@code BYTES [N]}) and each prediction's id ({@code prediction_id},
 * {@code BYTES [N]}); a client may give its own ids in an extra input tensor {@code prediction_id}, which the
 * metadata lists under {@code parameters.optional_inputs}. The version segment is optional; a version other
 * than the one serving is 404. Infer itself is served by {@link ScoringRoutes}, with the checks of {@link Tensors}.
 */
@RestController
class OpenInferenceController {

  /** A tensor of an infer request. */
  record InferInput(String name, List<Object> shape, String datatype, Map<String, Object> parameters, Object data) {}

  /** An output the client asks for. */
  record RequestedOutput(String name, Map<String, Object> parameters) {}

  /** The infer request. */
  record InferRequest(String id, Map<String, Object> parameters, List<InferInput> inputs, List<RequestedOutput> outputs) {}

  static final String LABEL = "label";
  /**
   * The prediction ids: an optional input tensor ({@code BYTES [N]}, one id per row, not a feature of the model)
   * and an output tensor of the same shape (see {@link io.kloop.inference.serving.PredictionIds}). A model with a
   * feature of this name takes the tensor as that feature, and its clients cannot give ids of their own here.
   */
  static final String PREDICTION_ID = "prediction_id";

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
    Predictions.Served served = predictions.served(Identifiers.modelName(name), Identifiers.version(name, version));
    ModelSignature signature = served.signature();
    List<Map<String, Object>> inputs = new ArrayList<>();
    if (signature.getTensors().isEmpty()) {
      for (SignatureField input : signature.getInputs()) {
        inputs.add(tensor(input.getName(), Datatype.declared(input.getType()).name(), List.of(-1)));
      }
    } else {
      // An imported model's own tensors, each with the features of its columns, in order.
      for (SignatureTensor imported : signature.getTensors()) {
        Map<String, Object> tensor = tensor(imported.getName(), RawTensors.datatype(imported.getElementType()), RawTensors.shape(imported));
        tensor.put("parameters", Map.of("features", imported.getFeatures()));
        inputs.add(tensor);
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("versions", List.of(String.valueOf(served.version())));
    body.put("platform", "onnxruntime_onnx");
    body.put("inputs", inputs);
    body.put("outputs", List.of(
        tensor(signature.getProbabilityTensor(), "FP32", List.of(-1, signature.getOutputClasses().size())),
        tensor(LABEL, "BYTES", List.of(-1)),
        tensor(PREDICTION_ID, "BYTES", List.of(-1))));
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("output_classes", signature.getOutputClasses());
    if (Tensors.takesPredictionIds(signature)) {
      // Not among the inputs, which a client must all send.
      parameters.put("optional_inputs", List.of(tensor(PREDICTION_ID, "BYTES", List.of(-1))));
    }
    body.put("parameters", parameters);
    return body;
  }

  @GetMapping({"/v2/models/{name}/ready", "/v2/models/{name}/versions/{version}/ready"})
  Map<String, Object> modelReady(@PathVariable String name, @PathVariable(required = false) String version) {
    Predictions.Served served = predictions.served(Identifiers.modelName(name), Identifiers.version(name, version));
    return Map.of("name", name, "version", String.valueOf(served.version()), "ready", true);
  }

  static Map<String, Object> tensor(String name, String datatype, List<Integer> shape) {
    Map<String, Object> tensor = new LinkedHashMap<>();
    tensor.put("name", name);
    tensor.put("datatype", datatype);
    tensor.put("shape", shape);
    return tensor;
  }
}
