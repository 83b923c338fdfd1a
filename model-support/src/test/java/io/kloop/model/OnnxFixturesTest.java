package io.kloop.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

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
import io.kloop.test.OnnxFixtures;
import io.kloop.test.OnnxFixtures.Expected;
import io.kloop.test.OnnxFixtures.Fixture;
import io.kloop.test.OnnxFixtures.Port;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every ONNX fixture of {@code test-support}, run by ONNX Runtime itself (no Kloop code between): it loads, its
 * inputs and outputs are the ones the manifest announces, and its probabilities are scikit-learn's own for the same
 * rows within the manifest's tolerance (1e-5). That is the evidence that the hand-written graphs compute what the
 * exporters' would, and that ONNX Runtime Java runs their operators (the text model's com.microsoft Tokenizer
 * among them).
 */
class OnnxFixturesTest {

  private static OrtEnvironment environment;

  @BeforeAll
  static void runtime() {
    OnnxNativeLibraries.prepare();
    environment = OrtEnvironment.getEnvironment();
  }

  static List<String> fixtures() {
    return OnnxFixtures.names();
  }

  static List<String> classifiers() {
    return OnnxFixtures.names().stream().filter(n -> OnnxFixtures.fixture(n).probabilityOutput() != null).toList();
  }

  @Test
  void shouldListTheSevenFixturesMadeFromTheShippedData() throws Exception {
    assertThat(OnnxFixtures.names()).containsExactlyInAnyOrder(OnnxFixtures.WINE_SKLEARN_LOGREG,
        OnnxFixtures.WINE_SKLEARN_PER_FEATURE, OnnxFixtures.WINE_XGBOOST, OnnxFixtures.WINE_PYTORCH_MLP,
        OnnxFixtures.REVIEWS_SKLEARN_TFIDF, OnnxFixtures.WINE_SKLEARN_REGRESSOR, OnnxFixtures.WINE_SCORES_NOT_PROBABILITIES);
    OnnxFixtures.Manifest manifest = OnnxFixtures.manifest();
    // The fixtures were trained on the data files this repository ships, byte for byte.
    assertThat(manifest.data()).containsOnlyKeys("data/wine.csv", "data/reviews.csv");
    for (Map.Entry<String, String> data : manifest.data().entrySet()) {
      assertThat(OnnxFixtures.sha256(Files.readAllBytes(Path.of("..").resolve(data.getKey())))).as(data.getKey())
          .isEqualTo(data.getValue());
    }
    assertThat(OnnxFixtures.sha256(Files.readAllBytes(Path.of("../tools/onnx-fixtures/make_fixtures.py"))))
        .as("the script that wrote the fixtures is the one in tools/onnx-fixtures").isEqualTo(manifest.scriptSha256());
    assertThat(manifest.versions()).containsKeys("numpy", "scikit-learn", "onnx", "python");
    assertThat(manifest.tolerance()).isEqualTo(1e-5);
  }

  @Test
  void shouldRefuseAnUnknownFixture() {
    assertThatThrownBy(() -> OnnxFixtures.bytes("iris.onnx")).hasMessageContaining("no ONNX fixture iris.onnx");
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void shouldLoadWithTheInputsAndOutputsTheManifestAnnounces(String name) throws Exception {
    Fixture fixture = OnnxFixtures.fixture(name);
    byte[] bytes = OnnxFixtures.bytes(name);
    assertThat(bytes.length).isEqualTo(fixture.bytes()).isLessThan(200_000);

    try (OrtSession session = environment.createSession(bytes, new OrtSession.SessionOptions())) {
      assertThat(session.getMetadata().getProducerName()).isEqualTo(fixture.producerName());
      assertThat(session.getInputNames()).containsExactlyElementsOf(fixture.inputs().stream().map(Port::name).toList());
      assertThat(session.getOutputNames()).containsExactlyElementsOf(fixture.outputs().stream().map(Port::name).toList());
      for (Port port : fixture.inputs()) {
        assertPort(session.getInputInfo().get(port.name()), port);
      }
      for (Port port : fixture.outputs()) {
        assertPort(session.getOutputInfo().get(port.name()), port);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("classifiers")
  void shouldAnswerScikitLearnsOwnProbabilities(String name) throws Exception {
    Fixture fixture = OnnxFixtures.fixture(name);
    List<Expected> rows = fixture.expected();
    assertThat(rows).hasSize(5);

    try (OrtSession session = environment.createSession(OnnxFixtures.bytes(name), new OrtSession.SessionOptions());
         Inputs inputs = inputs(fixture, rows);
         OrtSession.Result result = session.run(inputs.tensors())) {
      double[][] probabilities = probabilities(fixture, result.get(fixture.probabilityOutput()).orElseThrow());
      for (int row = 0; row < rows.size(); row++) {
        List<Double> expected = rows.get(row).probabilities();
        assertThat(probabilities[row]).as("%s row %d", name, row).hasSize(fixture.classOrder().size());
        double sum = 0;
        for (int k = 0; k < expected.size(); k++) {
          assertThat(probabilities[row][k]).as("%s row %d class %s", name, row, fixture.classOrder().get(k))
              .isCloseTo(expected.get(k), offset(OnnxFixtures.manifest().tolerance()));
          sum += probabilities[row][k];
        }
        assertThat(sum).isCloseTo(1.0, offset(1e-5));
      }
      if (fixture.labelOutput() != null) {
        Object labels = ((OnnxTensor) result.get(fixture.labelOutput()).orElseThrow()).getValue();
        for (int row = 0; row < rows.size(); row++) {
          Object label = labels instanceof String[] strings ? strings[row] : (Object) (int) ((long[]) labels)[row];
          assertThat(label).as("%s row %d: the label is the most probable class's key", name, row)
              .isEqualTo(fixture.classKeys().get(argmax(rows.get(row).probabilities())));
        }
      }
    }
  }

  @Test
  void shouldAnswerTheBadFixturesWithoutProbabilities() throws Exception {
    for (String name : List.of(OnnxFixtures.WINE_SKLEARN_REGRESSOR, OnnxFixtures.WINE_SCORES_NOT_PROBABILITIES)) {
      Fixture fixture = OnnxFixtures.fixture(name);
      assertThat(fixture.probabilityOutput()).isNull();
      try (OrtSession session = environment.createSession(OnnxFixtures.bytes(name), new OrtSession.SessionOptions());
           Inputs inputs = inputs(fixture, fixture.expected());
           OrtSession.Result result = session.run(inputs.tensors())) {
        float[][] outputs = (float[][]) result.get(0).getValue();
        for (int row = 0; row < outputs.length; row++) {
          List<Double> expected = fixture.expected().get(row).outputs();
          assertThat(outputs[row]).hasSize(expected.size());
          double sum = 0;
          for (int k = 0; k < expected.size(); k++) {
            assertThat((double) outputs[row][k]).isCloseTo(expected.get(k), offset(1e-4));
            sum += outputs[row][k];
          }
          if (name.equals(OnnxFixtures.WINE_SCORES_NOT_PROBABILITIES)) {
            assertThat(Math.abs(sum - 1)).as("raw scores, not probabilities").isGreaterThan(0.01);
          }
        }
      }
    }
  }

  @Test
  void shouldLowerCaseAndSkipUnseenWordsInTheTextModel() throws Exception {
    Fixture fixture = OnnxFixtures.fixture(OnnxFixtures.REVIEWS_SKLEARN_TFIDF);
    try (OrtSession session = environment.createSession(OnnxFixtures.bytes(fixture.file()), new OrtSession.SessionOptions());
         OnnxTensor upper = OnnxTensor.createTensor(environment, new String[] {"GREAT KETTLE. Zoomtab!", "great kettle zoomtab"},
             new long[] {2, 1});
         OrtSession.Result result = session.run(Map.of("input", upper))) {
      double[][] probabilities = probabilities(fixture, result.get("output_probability").orElseThrow());
      // Case, punctuation and a word outside the vocabulary change nothing: both rows are "great kettle".
      assertThat(probabilities[0][1]).isCloseTo(probabilities[1][1], offset(1e-7)).isGreaterThan(0.5);
    }
  }

  private static void assertPort(NodeInfo node, Port port) {
    assertThat(node).as(port.name()).isNotNull();
    if (port.kind().equals("SEQUENCE_OF_MAPS")) {
      SequenceInfo sequence = (SequenceInfo) node.getInfo();
      assertThat(sequence.isSequenceOfMaps()).isTrue();
      MapInfo map = sequence.mapInfo;
      assertThat(map.keyType).isEqualTo(OnnxJavaType.valueOf(port.keyType()));
      assertThat(map.valueType).isEqualTo(OnnxJavaType.valueOf(port.valueType()));
      return;
    }
    assertThat(port.kind()).isEqualTo("TENSOR");
    TensorInfo tensor = (TensorInfo) node.getInfo();
    assertThat(tensor.type).as(port.name()).isEqualTo(OnnxJavaType.valueOf(port.type()));
    long[] shape = tensor.getShape();
    assertThat(shape).as(port.name()).hasSize(port.shape().size());
    for (int i = 0; i < shape.length; i++) {
      Object dimension = port.shape().get(i);
      if (dimension instanceof Number size) {
        assertThat(shape[i]).as("%s dimension %d", port.name(), i).isEqualTo(size.longValue());
      } else {
        assertThat(shape[i]).as("%s dimension %d is dynamic", port.name(), i).isEqualTo(-1);
        assertThat(tensor.getDimensionNames()[i]).isEqualTo(dimension == null ? "" : dimension);
      }
    }
  }

  /** Input tensors by name, closed together. */
  private record Inputs(Map<String, OnnxTensor> tensors) implements AutoCloseable {
    @Override
    public void close() {
      tensors.values().forEach(OnnxTensor::close);
    }
  }

  /** The rows' features as the fixture's input tensors: one [N, F] tensor, or one [N, 1] per feature. */
  private static Inputs inputs(Fixture fixture, List<Expected> rows) throws OrtException {
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    int n = rows.size();
    for (Port port : fixture.inputs()) {
      List<String> features = port.features();
      OnnxTensor tensor = switch (port.type()) {
        case "FLOAT" -> {
          float[][] values = new float[n][features.size()];
          for (int r = 0; r < n; r++) {
            for (int f = 0; f < features.size(); f++) {
              values[r][f] = ((Number) rows.get(r).features().get(features.get(f))).floatValue();
            }
          }
          yield OnnxTensor.createTensor(environment, values);
        }
        case "DOUBLE" -> {
          double[][] values = new double[n][1];
          for (int r = 0; r < n; r++) {
            values[r][0] = ((Number) rows.get(r).features().get(features.get(0))).doubleValue();
          }
          yield OnnxTensor.createTensor(environment, values);
        }
        case "INT64" -> {
          long[][] values = new long[n][1];
          for (int r = 0; r < n; r++) {
            values[r][0] = ((Number) rows.get(r).features().get(features.get(0))).longValue();
          }
          yield OnnxTensor.createTensor(environment, values);
        }
        case "STRING" -> {
          String[] values = new String[n];
          for (int r = 0; r < n; r++) {
            values[r] = (String) rows.get(r).features().get(features.get(0));
          }
          yield OnnxTensor.createTensor(environment, values, new long[] {n, 1});
        }
        default -> throw new IllegalArgumentException(port.type());
      };
      inputs.put(port.name(), tensor);
    }
    return new Inputs(inputs);
  }

  /** Probabilities in the fixture's class order, from a [N, K] tensor or a ZipMap keyed by the class keys. */
  private static double[][] probabilities(Fixture fixture, OnnxValue output) throws OrtException {
    if (fixture.probabilityFormat().equals("TENSOR")) {
      float[][] values = (float[][]) output.getValue();
      double[][] probabilities = new double[values.length][];
      for (int r = 0; r < values.length; r++) {
        probabilities[r] = new double[values[r].length];
        for (int k = 0; k < values[r].length; k++) {
          probabilities[r][k] = values[r][k];
        }
      }
      return probabilities;
    }
    assertThat(fixture.probabilityFormat()).isEqualTo("ZIPMAP");
    List<double[]> rows = new ArrayList<>();
    for (OnnxValue value : ((OnnxSequence) output).getValue()) {
      Map<? extends Object, ? extends Object> map = ((OnnxMap) value).getValue();
      assertThat(map).hasSize(fixture.classKeys().size());
      double[] row = new double[fixture.classKeys().size()];
      for (int k = 0; k < row.length; k++) {
        Object key = fixture.classKeys().get(k);
        Object mapKey = key instanceof Number number ? (Object) number.longValue() : key;
        row[k] = ((Number) map.get(mapKey)).doubleValue();
      }
      rows.add(row);
    }
    return rows.toArray(double[][]::new);
  }

  private static int argmax(List<Double> values) {
    int best = 0;
    for (int i = 1; i < values.size(); i++) {
      best = values.get(i) > values.get(best) ? i : best;
    }
    return best;
  }
}
