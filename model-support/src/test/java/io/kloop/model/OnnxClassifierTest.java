package io.kloop.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

class OnnxClassifierTest {

  /** x (numeric), colour (red or blue, one-hot): logits = [0, x + 2*red - blue]. */
  private static final float[] WEIGHTS = {0, 1, 0, 2, 0, -1};

  @Test
  void shouldRunAModelOnEncodedRecords() {
    try (OnnxClassifier classifier = OnnxClassifier.load(model(), signature("input", "probabilities"))) {
      Map<String, Object> red = Map.of("x", 0.5, "colour", "red");
      Map<String, Object> missingColour = new HashMap<>(Map.of("x", -1.0));
      float[][] probabilities = classifier.probabilities(classifier.encoding().encodeAll(List.of(red, missingColour)));

      assertThat(probabilities[0][1]).isCloseTo((float) sigmoid(0.5 + 2), within(1e-6f));
      assertThat(probabilities[1][1]).isCloseTo((float) sigmoid(-1), within(1e-6f));
      assertThat(probabilities[0][0] + probabilities[0][1]).isCloseTo(1f, within(1e-6f));
    }
    assertThat(System.getProperty(OnnxNativeLibraries.NATIVE_PATH)).isNotNull();
  }

  /** ONNX Runtime alone leaves an onnxruntime-java* directory in the temporary directory of every JVM. */
  @Test
  void shouldLeaveNoTemporaryDirectoryBehindWhenTheJvmExits(@TempDir Path temporary) throws Exception {
    // The class path goes in CLASSPATH, not on the command line: ONNX Runtime 1.29 crashes the JVM (SIGSEGV)
    // when creating its environment if the process's command line is long (a -cp of some 5,000 characters).
    ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + temporary, LoadOnnxRuntime.class.getName());
    child.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    Process jvm = child.redirectErrorStream(true).redirectOutput(Path.of("target/load-onnx-runtime.log").toFile()).start();
    // Loading ONNX Runtime takes seconds; a child that has not exited in two minutes hangs, and is killed.
    boolean exited = jvm.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      jvm.destroyForcibly();
    }
    assertThat(exited).as("the child JVM exited").isTrue();
    int exit = jvm.exitValue();
    String output = Files.readString(Path.of("target/load-onnx-runtime.log"));
    assertThat(exit).as(output).isZero();
    assertThat(output).contains("loaded");

    try (Stream<Path> left = Files.list(temporary)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("onnxruntime-java"));
    }
  }

  @Test
  void shouldRefuseAModelWithoutTheTensorsItsSignatureNames() {
    assertThatThrownBy(() -> OnnxClassifier.load(model(), signature("features", "probabilities")))
        .isInstanceOf(OnnxClassifier.ModelLoadException.class)
        .hasMessageContaining("no input tensor 'features'").hasMessageContaining("input");
    assertThatThrownBy(() -> OnnxClassifier.load(model(), signature("input", "scores")))
        .isInstanceOf(OnnxClassifier.ModelLoadException.class)
        .hasMessageContaining("no output tensor 'scores'");
  }

  @Test
  void shouldRefuseBytesThatAreNoModel() {
    assertThatThrownBy(() -> OnnxClassifier.load("not a model".getBytes(), signature("input", "probabilities")))
        .isInstanceOf(OnnxClassifier.ModelLoadException.class)
        .hasMessageContaining("cannot load");
  }

  static byte[] model() {
    ONNXContext onnx = new ONNXContext();
    ONNXPlaceholder input = onnx.floatInput("input", 3);
    ONNXPlaceholder output = onnx.floatOutput("probabilities", 2);
    var weights = onnx.floatTensor("weights", List.of(3, 2), buffer -> buffer.put(WEIGHTS));
    var bias = onnx.array("bias", new float[] {0, 0});
    input.apply(ONNXOperators.GEMM, List.of(weights, bias)).apply(ONNXOperators.SOFTMAX, Map.of("axis", 1)).assignTo(output);
    return ai.onnx.proto.OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13).build())
        .setGraph(onnx.buildGraph())
        .build().toByteArray();
  }

  static ModelSignature signature(String input, String output) {
    return ModelSignature.newBuilder()
        .setInputs(List.of(
            SignatureField.newBuilder().setName("x").setType(FeatureType.NUMERIC).setCategories(List.of()).build(),
            SignatureField.newBuilder().setName("colour").setType(FeatureType.CATEGORICAL).setCategories(List.of("red", "blue")).build()))
        .setOutputClasses(List.of("no", "yes")).setInputTensor(input).setProbabilityTensor(output).build();
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
