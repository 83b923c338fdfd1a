package io.kloop.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The ONNX models of the shapes real exporters write (skl2onnx, onnxmltools for XGBoost, torch.onnx.export), made by
 * {@code tools/onnx-fixtures/make_fixtures.py} from the shipped data and kept as resources under
 * {@code io/kloop/test/onnx/}, with {@code manifest.json}: each file's hash, inputs, outputs, class order and the
 * probabilities scikit-learn itself gave for a few rows, so a test can hold ONNX Runtime (and the platform) to the
 * exporter's own numbers without Python. See {@code tools/onnx-fixtures/README.md} for what each model is.
 */
public final class OnnxFixtures {

  /** skl2onnx's StandardScaler + LogisticRegression: {@code float_input} FLOAT [N, 13], ZipMap by class name. */
  public static final String WINE_SKLEARN_LOGREG = "wine-sklearn-logreg.onnx";
  /** skl2onnx with one input [N, 1] per feature (INT64, DOUBLE and FLOAT), ZipMap by class index (int64 keys). */
  public static final String WINE_SKLEARN_PER_FEATURE = "wine-sklearn-per-feature.onnx";
  /** onnxmltools' XGBoost: a TreeEnsembleClassifier, {@code input} FLOAT [N, 13], {@code probabilities} [N, 3]. */
  public static final String WINE_XGBOOST = "wine-xgboost.onnx";
  /** torch.onnx.export's MLP: {@code input} FLOAT [batch_size, 13], Gemm-Relu-Gemm-Softmax, {@code output} [batch_size, 3]. */
  public static final String WINE_PYTORCH_MLP = "wine-pytorch-mlp.onnx";
  /** skl2onnx's TfidfVectorizer + LogisticRegression: {@code input} STRING [N, 1], ZipMap by sentiment. */
  public static final String REVIEWS_SKLEARN_TFIDF = "reviews-sklearn-tfidf.onnx";
  /** A bad import: a LinearRegressor, {@code variable} FLOAT [N, 1], no probabilities. */
  public static final String WINE_SKLEARN_REGRESSOR = "wine-sklearn-regressor.onnx";
  /** A bad import: raw scores FLOAT [batch_size, 3] that do not sum to 1. */
  public static final String WINE_SCORES_NOT_PROBABILITIES = "wine-scores-not-probabilities.onnx";

  private static final String DIRECTORY = "/io/kloop/test/onnx/";
  private static final JsonMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  private static Manifest manifest;

  private OnnxFixtures() {}

  /** The script that wrote the fixtures, the versions it ran with, the hashes of the data and the fixtures. */
  public record Manifest(String script, String scriptVersion, String scriptSha256, Map<String, String> versions,
      double tolerance, Map<String, String> data, List<Fixture> fixtures) {}

  /**
   * One fixture as the manifest describes it. {@code probabilityOutput} is null for the bad fixtures (no
   * probabilities); {@code probabilityFormat} is {@code ZIPMAP} or {@code TENSOR}; {@code classOrder} names the
   * dataset's classes in the order of the model's probabilities, {@code classKeys} the labels the model itself uses
   * for them (the class names, or the indexes 0, 1, 2), null where it has none.
   */
  public record Fixture(String file, String sha256, long bytes, String producerName, String producerVersion,
      Map<String, Integer> opsetImports, List<String> operators, String imitates, String dataset, List<Port> inputs,
      List<Port> outputs, String labelOutput, String probabilityOutput, String probabilityFormat, List<String> classOrder,
      List<Object> classKeys, List<Expected> expected) {}

  /**
   * An input or output: {@code kind} {@code TENSOR} (with {@code type} FLOAT, DOUBLE, INT64 or STRING and
   * {@code shape}, whose entries are a size, null for a dimension without a name, or the dimension's name) or
   * {@code SEQUENCE_OF_MAPS} (ZipMap, with {@code keyType} STRING or INT64 and {@code valueType} FLOAT);
   * {@code features}: the dataset's features an input carries, in column order.
   */
  public record Port(String name, String kind, String type, List<Object> shape, List<String> features, String keyType,
      String valueType) {}

  /**
   * A row and what the exporter's own library (scikit-learn) computed for it: {@code probabilities} in
   * {@code classOrder} for the classifiers, {@code outputs} (the regression value, the raw scores) for the bad
   * fixtures. {@code recordId} and {@code label} are null for a text that is not from the data set.
   */
  public record Expected(String recordId, Map<String, Object> features, String label, List<Double> probabilities,
      List<Double> outputs) {}

  /** The file names of every fixture, in the manifest's order. */
  public static List<String> names() {
    return manifest().fixtures().stream().map(Fixture::file).toList();
  }

  /** A fixture's description from the manifest. */
  public static Fixture fixture(String name) {
    return manifest().fixtures().stream().filter(f -> f.file().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no ONNX fixture " + name + "; there are " + names()));
  }

  /** The bytes of a fixture, checked against the manifest's sha256. */
  public static byte[] bytes(String name) {
    Fixture fixture = fixture(name);
    byte[] bytes = resource(name);
    String sha256 = sha256(bytes);
    if (!sha256.equals(fixture.sha256())) {
      throw new IllegalStateException("ONNX fixture " + name + " has sha256 " + sha256 + ", the manifest says "
          + fixture.sha256() + ": run tools/onnx-fixtures/make_fixtures.py again instead of editing fixtures");
    }
    return bytes;
  }

  /** Writes a fixture's bytes to {@code directory} under its own name, for APIs that take a file. */
  public static Path copyTo(Path directory, String name) {
    try {
      return Files.write(Files.createDirectories(directory).resolve(name), bytes(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code manifest.json} as written by the script. */
  public static String manifestJson() {
    return new String(resource("manifest.json"), StandardCharsets.UTF_8);
  }

  /** {@code manifest.json}, read. */
  public static synchronized Manifest manifest() {
    if (manifest == null) {
      manifest = JSON.readValue(manifestJson(), Manifest.class);
    }
    return manifest;
  }

  /** The lowercase hex SHA-256 of some bytes, as the manifest writes it. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = OnnxFixtures.class.getResourceAsStream(DIRECTORY + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + DIRECTORY + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
