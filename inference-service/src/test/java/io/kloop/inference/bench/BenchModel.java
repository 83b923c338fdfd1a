package io.kloop.inference.bench;

import ai.onnx.proto.OnnxMl;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmarks' model and traffic: the shipped breast cancer data's 30 numeric features, a logistic
 * regression over them shaped as the platform exports one (mean imputation, a linear layer, a softmax), and
 * one request body per data row.
 */
final class BenchModel {

  static final Path DATA = Path.of("../data/breast_cancer.csv");
  static final Path SPEC = Path.of("../data/breast_cancer.spec.json");

  final ModelSignature signature;
  final byte[] onnx;
  /** One instance per row of the data set, by feature name. */
  final List<Map<String, Object>> instances;

  BenchModel() {
    try {
      JsonNode spec = JsonMapper.builder().build().readTree(Files.readString(SPEC));
      List<SignatureField> inputs = new ArrayList<>();
      for (JsonNode feature : spec.get("features")) {
        inputs.add(SignatureField.newBuilder().setName(feature.get("name").asString()).setType(FeatureType.NUMERIC).build());
      }
      signature = ModelSignature.newBuilder().setInputs(inputs).setOutputClasses(List.of("malignant", "benign"))
          .setInputTensor("input").setProbabilityTensor("probabilities").build();
      List<String> lines = Files.readAllLines(DATA);
      instances = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] values = line.split(",");
        Map<String, Object> instance = new LinkedHashMap<>();
        for (int f = 0; f < inputs.size(); f++) {
          instance.put(inputs.get(f).getName(), Double.parseDouble(values[f]));
        }
        instances.add(instance);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    onnx = logisticRegression(signature.getInputs().size(), instances);
  }

  /** Seeded weights over standardised columns: what the model says does not matter here, only its shape and cost. */
  private static byte[] logisticRegression(int width, List<Map<String, Object>> instances) {
    float[] means = new float[width];
    float[] scales = new float[width];
    for (int f = 0; f < width; f++) {
      int column = f;
      double[] values = instances.stream().mapToDouble(i -> ((Number) i.values().toArray()[column]).doubleValue()).toArray();
      double mean = java.util.Arrays.stream(values).average().orElse(0);
      double variance = java.util.Arrays.stream(values).map(v -> (v - mean) * (v - mean)).average().orElse(1);
      means[f] = (float) mean;
      scales[f] = (float) (1 / Math.sqrt(variance));
    }
    SplittableRandom random = new SplittableRandom(42);
    float[] weights = new float[width * 2];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) random.nextDouble(-1, 1);
    }
    ONNXContext onnx = new ONNXContext();
    ONNXPlaceholder input = onnx.floatInput("input", width);
    ONNXPlaceholder output = onnx.floatOutput("probabilities", 2);
    var meanTensor = onnx.array("training_means", means);
    var present = input.apply(ONNXOperators.GREATER_OR_EQUAL, onnx.constant("negative_infinity", Float.NEGATIVE_INFINITY));
    present.apply(ONNXOperators.WHERE, List.of(input, meanTensor))
        .apply(ONNXOperators.SUB, meanTensor).apply(ONNXOperators.MUL, onnx.array("training_scales", scales))
        .apply(ONNXOperators.GEMM, List.of(onnx.floatTensor("weights", List.of(width, 2), buffer -> buffer.put(weights)),
            onnx.array("bias", new float[] {0.1f, -0.1f})))
        .apply(ONNXOperators.SOFTMAX, Map.of("axis", 1)).assignTo(output);
    return OnnxMl.ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13).build())
        .setGraph(onnx.buildGraph()).build().toByteArray();
  }
}
