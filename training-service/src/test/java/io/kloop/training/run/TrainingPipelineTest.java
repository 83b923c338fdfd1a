package io.kloop.training.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureProfile;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.LabelSpec;
import io.kloop.model.Contributions;
import io.kloop.model.FeatureEncoding;
import io.kloop.model.FeatureProfiles;
import io.kloop.model.OnnxClassifier;
import io.kloop.schemas.BatchFiles;
import io.kloop.training.spec.Algorithm;
import io.kloop.training.spec.ModelSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TrainingPipelineTest {

  private static final String DATASET = "breast-cancer";
  private final Map<String, List<BatchFiles.Row>> files = new HashMap<>();
  private final List<String> phases = new ArrayList<>();
  private final TrainingPipeline pipeline = new TrainingPipeline(batch -> files.get(batch.getBatchId()),
      new TrainingPipeline.PhaseListener() {
        @Override
        public void started(String phase) {
          phases.add(phase);
        }

        @Override
        public void finished(String phase, long millis) {}
      }, 7);

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void shouldTrainAnAccurateBreastCancerModelWhoseOnnxExportReproducesTribuo(Algorithm algorithm) {
    List<DatasetBatchCommitted> window = breastCancerBatches();

    TrainingPipeline.Result result = pipeline.run(spec(algorithm), TrainingData.breastCancerSpec(DATASET), window, 0, null, 1);

    assertThat(result.algorithm()).isEqualTo(algorithm);
    assertThat(result.metrics().getAccuracy()).isGreaterThanOrEqualTo(0.95);
    assertThat(result.metrics().getRocAuc()).isGreaterThan(0.97);
    assertThat(result.metrics().getRows()).isBetween(60L, 110L);
    assertThat(result.exportDifference()).isLessThan(1e-5);
    assertThat(result.signature().getInputs()).hasSize(30);
    assertThat(result.signature().getOutputClasses()).containsExactlyInAnyOrder("malignant", "benign");
    assertThat(phases).containsExactly("read", "split", "train", "evaluate", "profile", "export", "verify");

    // The exported file on its own, fed raw rows by the shared encoding, predicts like the reported metrics say.
    List<BatchFiles.Row> test = files.values().stream().flatMap(List::stream).filter(r -> Split.of(r.recordId()) == Split.TEST).toList();
    try (OnnxClassifier onnx = OnnxClassifier.load(result.onnx(), result.signature())) {
      FeatureEncoding encoding = onnx.encoding();
      float[][] probabilities = onnx.probabilities(encoding.encodeAll(test.stream().map(BatchFiles.Row::features).toList()));
      long correct = 0;
      for (int i = 0; i < test.size(); i++) {
        int predicted = probabilities[i][0] >= probabilities[i][1] ? 0 : 1;
        correct += result.signature().getOutputClasses().get(predicted).equals(test.get(i).label()) ? 1 : 0;
      }
      assertThat((double) correct / test.size()).isEqualTo(result.metrics().getAccuracy());
    }
  }

  @Test
  void shouldScoreTheChampionOnTheSameTestSplit() {
    List<DatasetBatchCommitted> window = breastCancerBatches();
    TrainingPipeline.Result first = pipeline.run(spec(Algorithm.LOGISTIC_REGRESSION), TrainingData.breastCancerSpec(DATASET), window, 0, null, 1);

    TrainingPipeline.Champion champion = new TrainingPipeline.Champion(1, first.signature(), first::onnx);
    TrainingPipeline.Result second = pipeline.run(spec(Algorithm.LIBLINEAR), TrainingData.breastCancerSpec(DATASET), window, 0, champion, 2);

    assertThat(second.championVersion()).isEqualTo(1);
    assertThat(second.championMetrics()).as("the champion, run by ONNX Runtime on the same split, scores as it did").isNotNull();
    assertThat(second.championMetrics().getRows()).isEqualTo(second.metrics().getRows());
    assertThat(second.championMetrics().getAccuracy()).isEqualTo(first.metrics().getAccuracy());
    assertThat(second.championMetrics().getConfusionMatrix()).isEqualTo(first.metrics().getConfusionMatrix());
  }

  @Test
  void shouldProfileEveryFeatureAndTheOutput() {
    TrainingPipeline.Result result = pipeline.run(spec(Algorithm.LOGISTIC_REGRESSION), TrainingData.breastCancerSpec(DATASET),
        breastCancerBatches(), 0, null, 1);

    FeatureProfile radius = result.profile().getFeatures().get(0);
    assertThat(radius.getName()).isEqualTo("mean_radius");
    assertThat(radius.getBinEdges()).hasSize(9).isSorted();
    assertThat(radius.getBinProportions()).hasSize(10);
    assertThat(radius.getBinProportions().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(radius.getBinProportions()).allSatisfy(share -> assertThat(share).isBetween(0.07, 0.13));
    assertThat(radius.getSample()).hasSize((int) Math.min(FeatureProfiles.SAMPLE, radius.getCount())).isSorted();
    assertThat(result.profile().getOutput().getCategoryFrequencies()).containsOnlyKeys("malignant", "benign");
    assertThat(result.profile().getOutput().getBinProportions()).hasSize(result.profile().getOutput().getBinEdges().size() + 1);
  }

  @Test
  void shouldCalibrateTheModelOnItsTestSplitOneMapPerOutputClass() {
    TrainingPipeline.Result result = pipeline.run(spec(Algorithm.LOGISTIC_REGRESSION), TrainingData.breastCancerSpec(DATASET),
        breastCancerBatches(), 0, null, 1);

    io.kloop.events.Calibration calibration = result.profile().getCalibration();
    assertThat(calibration.getMethod()).isEqualTo("isotonic");
    assertThat(calibration.getRows()).as("fitted on the rows the test metrics come from").isEqualTo(result.metrics().getRows());
    assertThat(calibration.getClasses()).extracting(io.kloop.events.ClassCalibration::getLabel)
        .containsExactlyElementsOf(result.signature().getOutputClasses());
    for (io.kloop.events.ClassCalibration map : calibration.getClasses()) {
      assertThat(map.getThresholds()).hasSameSizeAs(map.getValues()).isSorted().doesNotHaveDuplicates()
          .allSatisfy(threshold -> assertThat(threshold).isBetween(0.0, 1.0));
      assertThat(map.getValues()).isSorted().allSatisfy(value -> assertThat(value).isBetween(0.0, 1.0));
      // A model this accurate (test accuracy at least 0.95) is sure and right at both ends: its least likely rows of a
      // class are never of it, its most likely always are.
      assertThat(map.getValues().get(0)).as("lowest step of %s", map.getLabel()).isEqualTo(0.0);
      assertThat(map.getValues().get(map.getValues().size() - 1)).as("highest step of %s", map.getLabel()).isEqualTo(1.0);
    }
  }

  @Test
  void shouldEncodeMissingCategoricalAndBooleanValuesAndStillReproduceTribuo() {
    SplittableRandom random = new SplittableRandom(3);
    List<BatchFiles.Row> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Map<String, Object> features = new LinkedHashMap<>();
      double x = random.nextGaussian();
      String colour = List.of("red", "green", "blue").get(random.nextInt(3));
      boolean flag = random.nextBoolean();
      features.put("x", i % 10 == 0 ? null : x * 100 + 50);
      features.put("colour", i % 7 == 0 ? null : colour);
      features.put("flag", i % 9 == 0 ? null : flag);
      boolean positive = x + (colour.equals("red") ? 1 : 0) + (flag ? 0.5 : 0) > 0.7;
      rows.add(new BatchFiles.Row("m" + i, positive ? "yes" : "no", features, 0, i));
    }
    files.put("mixed", rows);
    DatasetSpecDeclared spec = DatasetSpecDeclared.newBuilder().setEventId("e").setEventTime(Instant.EPOCH).setProducer("t")
        .setDataset("mixed").setVersion(1).setIdField("id")
        .setFeatures(List.of(
            FeatureSpec.newBuilder().setName("x").setType(FeatureType.NUMERIC).setRequired(false).build(),
            FeatureSpec.newBuilder().setName("colour").setType(FeatureType.CATEGORICAL).setRequired(false).setCategories(List.of("red", "green", "blue", "never-seen")).build(),
            FeatureSpec.newBuilder().setName("flag").setType(FeatureType.BOOLEAN).setRequired(false).build()))
        .setLabel(LabelSpec.newBuilder().setName("y").setClasses(List.of("no", "yes")).setRequired(false).build())
        .setDeclaredBy("t").build();

    for (Algorithm algorithm : Algorithm.values()) {
      TrainingPipeline.Result result = pipeline.run(spec(algorithm), spec, List.of(TrainingData.batch("mixed", "mixed", rows.size())), 0, null, 1);
      assertThat(result.exportDifference()).as(algorithm.id()).isLessThan(1e-5);
      assertThat(new FeatureEncoding(result.signature()).width()).isEqualTo(1 + 4 + 1);
      assertThat(result.profile().getFeatures().get(1).getCategoryFrequencies()).containsEntry("never-seen", 0.0);
    }
  }

  @Test
  void shouldExportThreeClassModelsOfEveryFamilyThatReproduceTribuo() {
    SplittableRandom random = new SplittableRandom(5);
    List<BatchFiles.Row> rows = new ArrayList<>();
    List<String> classes = List.of("low", "mid", "high");
    for (int i = 0; i < 450; i++) {
      int c = i % 3;
      Map<String, Object> features = new LinkedHashMap<>();
      features.put("a", c * 2.0 + random.nextGaussian());
      features.put("b", -c + random.nextGaussian() * 0.5);
      rows.add(new BatchFiles.Row("t" + i, classes.get(c), features, 0, i));
    }
    files.put("three", rows);
    DatasetSpecDeclared spec = DatasetSpecDeclared.newBuilder().setEventId("e").setEventTime(Instant.EPOCH).setProducer("t")
        .setDataset("three").setVersion(1).setIdField("id")
        .setFeatures(List.of(
            FeatureSpec.newBuilder().setName("a").setType(FeatureType.NUMERIC).setRequired(true).build(),
            FeatureSpec.newBuilder().setName("b").setType(FeatureType.NUMERIC).setRequired(true).build()))
        .setLabel(LabelSpec.newBuilder().setName("y").setClasses(classes).setRequired(true).build())
        .setDeclaredBy("t").build();

    for (Algorithm algorithm : Algorithm.values()) {
      TrainingPipeline.Result result = pipeline.run(spec(algorithm), spec, List.of(TrainingData.batch("three", "three", rows.size())), 0, null, 1);
      assertThat(result.exportDifference()).as(algorithm.id()).isLessThan(1e-5);
      assertThat(result.signature().getOutputClasses()).as(algorithm.id()).containsExactlyInAnyOrderElementsOf(classes);
      assertThat(result.metrics().getAccuracy()).as(algorithm.id()).isGreaterThan(0.8);
      assertThat(result.metrics().getRocAuc()).isNull();
      assertAdditiveWhereExpected(result, algorithm == Algorithm.LOGISTIC_REGRESSION, algorithm.id() + ", three classes");
    }
  }

  @Test
  void shouldDeclareAdditiveScoresForLinearBinaryModelsAndTheirContributionsAddUp() {
    for (Algorithm algorithm : Algorithm.values()) {
      TrainingPipeline.Result result = pipeline.run(spec(algorithm), TrainingData.breastCancerSpec(DATASET), breastCancerBatches(), 0, null, 1);
      assertAdditiveWhereExpected(result, algorithm != Algorithm.FACTORIZATION_MACHINE, algorithm.id() + ", two classes");
    }
  }

  /** The export declares additive scores exactly when expected, and then baseline plus contributions is each row's score. */
  private void assertAdditiveWhereExpected(TrainingPipeline.Result result, boolean additive, String description) {
    try (OnnxClassifier onnx = OnnxClassifier.load(result.onnx(), result.signature())) {
      assertThat(onnx.additive()).as(description).isEqualTo(additive);
      if (!additive) {
        return;
      }
      List<Map<String, Object>> features = files.values().stream().flatMap(List::stream).limit(40).map(BatchFiles.Row::features).toList();
      float[][] rows = onnx.encoding().encodeAll(features);
      int[] classes = new int[rows.length];
      for (int i = 0; i < rows.length; i++) {
        classes[i] = i % result.signature().getOutputClasses().size();
      }
      Contributions.Explanation[] explanations = Contributions.explain(onnx, rows, classes);
      float[][] probabilities = onnx.probabilities(rows);
      int compared = 0;
      for (int i = 0; i < rows.length; i++) {
        Contributions.Explanation explanation = explanations[i];
        assertThat(explanation.score()).as(description).isFinite();
        assertThat(Arrays.stream(explanation.contributions()).filter(c -> c != 0).count()).as(description).isPositive();
        double direct = Contributions.score(probabilities[i], classes[i]);
        if (Math.abs(direct) < 8) {
          // Additivity: the score from the contributions is the score of the row's own probabilities (compared
          // where single-precision probabilities still hold the log-odds well: beyond about e^-8 ONNX Runtime's
          // sigmoid and softmax lose relative precision).
          assertThat(explanation.score()).as(description + ", row " + i).isCloseTo(direct, within(2e-3 + 1e-3 * Math.abs(direct)));
          compared++;
        }
      }
      assertThat(compared).as(description).isGreaterThan(rows.length / 4);
    }
  }

  @Test
  void shouldRefuseAnExportThatDoesNotReproduceTribuo() {
    TrainingPipeline.Result result = pipeline.run(spec(Algorithm.LOGISTIC_REGRESSION), TrainingData.breastCancerSpec(DATASET),
        breastCancerBatches(), 0, null, 1);
    List<BatchFiles.Row> test = files.values().stream().flatMap(List::stream).filter(r -> Split.of(r.recordId()) == Split.TEST).toList();
    float[][] raw = new FeatureEncoding(result.signature()).encodeAll(test.stream().map(BatchFiles.Row::features).toList());
    double[][] exact;
    try (OnnxClassifier onnx = OnnxClassifier.load(result.onnx(), result.signature())) {
      float[][] probabilities = onnx.probabilities(raw);
      exact = new double[probabilities.length][];
      for (int i = 0; i < probabilities.length; i++) {
        exact[i] = new double[] {probabilities[i][0], probabilities[i][1]};
      }
    }
    assertThat(OnnxExport.verify(result.onnx(), result.signature(), raw, exact)).isZero();

    exact[3][1] += 2e-5;
    assertThatThrownBy(() -> OnnxExport.verify(result.onnx(), result.signature(), raw, exact))
        .isInstanceOfSatisfying(TrainingFailure.class, failure -> {
          assertThat(failure.phase()).isEqualTo("verify");
          assertThat(failure.getMessage()).contains("row 3").contains("does not reproduce Tribuo");
        });
  }

  @Test
  void shouldFailWhenOnlyOneClassIsPresent() {
    List<BatchFiles.Row> rows = TrainingData.rows(TrainingData.breastCancer()).stream().filter(r -> r.label().equals("benign")).toList();
    files.put("benign", rows);

    assertThatThrownBy(() -> pipeline.run(spec(Algorithm.LIBLINEAR), TrainingData.breastCancerSpec(DATASET),
        List.of(TrainingData.batch(DATASET, "benign", rows.size())), 0, null, 1))
        .isInstanceOfSatisfying(TrainingFailure.class, failure -> {
          assertThat(failure.phase()).isEqualTo("split");
          assertThat(failure.getMessage()).contains("only one class");
        });
  }

  @Test
  void shouldFailWhenTheTestSplitHoldsOneClassForItsMetricsWouldNotBeDefined() {
    // Every row of the test split is benign; the other splits keep both classes.
    List<BatchFiles.Row> rows = TrainingData.rows(TrainingData.breastCancer()).stream()
        .filter(r -> Split.of(r.recordId()) != Split.TEST || r.label().equals("benign")).toList();
    files.put("benign-test", rows);

    assertThatThrownBy(() -> pipeline.run(spec(Algorithm.LIBLINEAR), TrainingData.breastCancerSpec(DATASET),
        List.of(TrainingData.batch(DATASET, "benign-test", rows.size())), 0, null, 1))
        .isInstanceOfSatisfying(TrainingFailure.class, failure -> {
          assertThat(failure.phase()).isEqualTo("split");
          assertThat(failure.getMessage()).startsWith("only one class in the test split").contains("[benign]")
              .contains("the test metrics would not be defined");
        });
  }

  @Test
  void shouldFailNamingAValueBeyondTheRangeOfTheModelsFloats() {
    List<BatchFiles.Row> rows = new ArrayList<>(TrainingData.rows(TrainingData.breastCancer()));
    BatchFiles.Row first = rows.get(0);
    Map<String, Object> features = new LinkedHashMap<>(first.features());
    features.put("mean_area", 1e300);
    rows.set(0, new BatchFiles.Row(first.recordId(), first.label(), features, 0, 0));
    files.put("huge", rows);

    assertThatThrownBy(() -> pipeline.run(spec(Algorithm.LIBLINEAR), TrainingData.breastCancerSpec(DATASET),
        List.of(TrainingData.batch(DATASET, "huge", rows.size())), 0, null, 1))
        .isInstanceOfSatisfying(TrainingFailure.class, failure -> {
          assertThat(failure.phase()).isEqualTo("train");
          assertThat(failure.getMessage()).isEqualTo("record " + first.recordId() + " (" + Split.of(first.recordId()).id()
              + " split) has a value of column mean_area beyond the range of the model's 32-bit floats (about ±3.4e38): 1.0E300");
        });
  }

  @ParameterizedTest
  @EnumSource(value = Algorithm.class, names = {"LOGISTIC_REGRESSION", "FACTORIZATION_MACHINE"})
  void shouldStopAnSgdFitInTheMiddleWhenTheRunIsStopped(Algorithm algorithm) {
    // 1000 epochs of one-row minibatches: hundreds of thousands of SGD steps, each of which checks.
    ModelSpec spec = new ModelSpec("tumours", DATASET, List.of(new ModelSpec.AlgorithmGrid(algorithm,
        Map.of("epochs", List.of("1000"), "learningRate", List.of("0.1")))), 100, ModelSpec.Window.ALL, Duration.ZERO);
    AtomicInteger checks = new AtomicInteger();
    TrainingPipeline stoppable = stoppedAtTrainingCheck(5_000, checks);

    assertThatThrownBy(() -> stoppable.run(spec, TrainingData.breastCancerSpec(DATASET), breastCancerBatches(), 0, null, 1))
        .isInstanceOfSatisfying(TrainingFailure.class, failure -> assertThat(failure.getMessage()).isEqualTo("cancelled"));
    assertThat(checks).as("stopped at the check that threw, in the middle of the first fit").hasValue(5_000);
  }

  @Test
  void shouldStopBetweenLibLinearCandidates() {
    ModelSpec spec = new ModelSpec("tumours", DATASET, List.of(new ModelSpec.AlgorithmGrid(Algorithm.LIBLINEAR,
        Map.of("cost", List.of("0.1", "1", "10")))), 100, ModelSpec.Window.ALL, Duration.ZERO);
    AtomicInteger checks = new AtomicInteger();
    // The train phase's own check, then one before each candidate: the second candidate never starts.
    TrainingPipeline stoppable = stoppedAtTrainingCheck(3, checks);

    assertThatThrownBy(() -> stoppable.run(spec, TrainingData.breastCancerSpec(DATASET), breastCancerBatches(), 0, null, 1))
        .isInstanceOf(TrainingFailure.class);
    assertThat(checks).hasValue(3);
  }

  @Test
  void shouldFailWhenABatchHoldsFewerRowsThanAnnounced() {
    List<BatchFiles.Row> rows = TrainingData.rows(TrainingData.breastCancer()).subList(0, 50);
    files.put("short", rows);

    assertThatThrownBy(() -> pipeline.run(spec(Algorithm.LIBLINEAR), TrainingData.breastCancerSpec(DATASET),
        List.of(TrainingData.batch(DATASET, "short", 60)), 0, null, 1))
        .isInstanceOfSatisfying(TrainingFailure.class, failure -> assertThat(failure.phase()).isEqualTo("read"));
  }

  @Test
  void shouldTrainOnlyOnTheLastRowsOfTheWindow() {
    List<DatasetBatchCommitted> window = breastCancerBatches();

    TrainingPipeline.Result result = pipeline.run(spec(Algorithm.LIBLINEAR), TrainingData.breastCancerSpec(DATASET), window, 200, null, 1);

    assertThat(result.trainingRows()).isBetween(110L, 170L);
  }

  private List<DatasetBatchCommitted> breastCancerBatches() {
    List<BatchFiles.Row> rows = TrainingData.rows(TrainingData.breastCancer());
    List<DatasetBatchCommitted> batches = new ArrayList<>();
    for (int start = 0; start < rows.size(); start += 200) {
      String id = "bc-" + start;
      List<BatchFiles.Row> batch = rows.subList(start, Math.min(rows.size(), start + 200));
      files.put(id, batch);
      batches.add(TrainingData.batch(DATASET, id, batch.size()));
    }
    return batches;
  }

  private static ModelSpec spec(Algorithm algorithm) {
    return new ModelSpec("tumours", DATASET, List.of(new ModelSpec.AlgorithmGrid(algorithm, Map.of())), 100, ModelSpec.Window.ALL, Duration.ZERO);
  }

  /**
   * A pipeline whose run is stopped (as a cancellation stops it) at the {@code stopAt}-th check once the train
   * phase has started; {@code checks} counts those checks.
   */
  private TrainingPipeline stoppedAtTrainingCheck(int stopAt, AtomicInteger checks) {
    List<String> started = new ArrayList<>();
    return new TrainingPipeline(batch -> files.get(batch.getBatchId()), new TrainingPipeline.PhaseListener() {
      @Override
      public void started(String phase) {
        started.add(phase);
      }

      @Override
      public void finished(String phase, long millis) {}
    }, 7, TrainingPipeline.DEFAULT_TEXT_HASH_BUCKETS, () -> {
      if (started.contains("train") && checks.incrementAndGet() == stopAt) {
        throw new TrainingFailure("train", "cancelled");
      }
    });
  }
}
