package io.kloop.inference.bench;

import io.kloop.events.ArtifactRef;
import io.kloop.inference.InferenceProperties;
import io.kloop.inference.TestModels;
import io.kloop.inference.artifacts.SharedStoreArtifacts;
import io.kloop.inference.serving.Predictions;
import io.kloop.inference.serving.ServedModels;
import io.kloop.model.OnnxClassifier;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * In-process scoring, layer by layer, on the breast cancer model ({@link BenchModel}): ONNX Runtime alone
 * on an encoded row, then with the encoding, then the service's whole scoring path (model lookup, input
 * checks, encoding, ONNX Runtime, answer) for one instance and for a batch of 32. The prediction log is off
 * here; its cost is measured over HTTP with a real broker ({@link InferenceHttpBenchmark}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScoringJmh {

  private static final String MODEL = "breast-cancer-bench";

  private Path home;
  private OnnxClassifier classifier;
  private ServedModels models;
  private Predictions predictions;
  private float[][] encoded;
  private List<Map<String, Object>> one;
  private List<Map<String, Object>> batch;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    BenchModel bench = new BenchModel();
    home = Files.createTempDirectory("scoring-jmh");
    LocalArtifactStore store = new LocalArtifactStore(home);
    ArtifactRef artifact = store.put(bench.onnx, "application/onnx");
    classifier = OnnxClassifier.load(bench.onnx, bench.signature);
    models = new ServedModels(new SharedStoreArtifacts(store), new SimpleMeterRegistry());
    if (!models.apply(TestModels.approval(MODEL, 1, artifact, bench.signature))) {
      throw new IllegalStateException("the benchmark model did not load");
    }
    // Logging off: the log is never offered an event.
    predictions = new Predictions(models, null, new InferenceProperties(home, 1, false, "lz4", 1000, null, Duration.ofSeconds(30), Duration.ofMinutes(1), 2048, 16, 16));
    one = List.of(bench.instances.get(7));
    batch = bench.instances.subList(0, 32);
    encoded = classifier.encoding().encodeAll(one);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    classifier.close();
    models.closeAll();
    try (var files = Files.walk(home)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  /** ONNX Runtime on one encoded row: the floor any server pays. */
  @Benchmark
  public float[][] onnxRuntimeOneRow() {
    return classifier.probabilities(encoded);
  }

  /** Encoding one instance by feature name, then ONNX Runtime. */
  @Benchmark
  public float[][] encodeAndScoreOneInstance() {
    return classifier.probabilities(classifier.encoding().encodeAll(one));
  }

  /** The service's scoring path for a request of one instance. */
  @Benchmark
  public Predictions.Result predictOneInstance() {
    return predictions.predict(MODEL, null, "bench", one, "instances");
  }

  /** The service's scoring path for a request of 32 instances. */
  @Benchmark
  public Predictions.Result predictBatchOf32() {
    return predictions.predict(MODEL, null, "bench", batch, "instances");
  }
}
