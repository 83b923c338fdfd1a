package io.kloop.training.run;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.SignatureField;
import io.kloop.model.ClassificationMetrics;
import io.kloop.model.FeatureEncoding;
import io.kloop.model.OnnxClassifier;
import io.kloop.schemas.BatchFiles;
import io.kloop.training.spec.Algorithm;
import io.kloop.training.spec.ModelSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

/**
 * One training run, without Kafka: read the window's batches, split, search the grid, score the winner
 * and the champion on the same test split, profile, export to ONNX and verify the export. Each phase is
 * reported to a {@link PhaseListener}; anything that stops the run is a {@link TrainingFailure} naming its
 * phase.
 */
final class TrainingPipeline {

  private static final Logger log = LoggerFactory.getLogger(TrainingPipeline.class);
  /** Hashed-token columns per text input when no setting says otherwise ({@code kloop.training.text-hash-buckets}). */
  static final int DEFAULT_TEXT_HASH_BUCKETS = 256;
  /** Fewer labelled rows than this cannot fill three splits in a useful way. */
  static final int MIN_ROWS = 20;

  /** Reads one batch's rows, verifying its hash; throws with a reason when it cannot. */
  interface BatchSource {
    List<BatchFiles.Row> read(DatasetBatchCommitted batch);
  }

  /** Hears when each phase starts and how long it took. */
  interface PhaseListener {
    void started(String phase);

    void finished(String phase, long millis);
  }

  /** The approved model to compare against: its registry version, signature and ONNX bytes. */
  record Champion(int version, ModelSignature signature, Supplier<byte[]> onnx) {}

  record Result(byte[] onnx, ModelSignature signature, Algorithm algorithm, Map<String, String> parameters,
      EvaluationMetrics metrics, Integer championVersion, EvaluationMetrics championMetrics, ReferenceProfile profile,
      double exportDifference, long trainingRows) {}

  private final BatchSource batches;
  private final PhaseListener phases;
  private final long seed;
  private final int textHashBuckets;
  private final Runnable check;

  TrainingPipeline(BatchSource batches, PhaseListener phases, long seed) {
    this(batches, phases, seed, DEFAULT_TEXT_HASH_BUCKETS, () -> {});
  }

  /**
   * @param textHashBuckets hashed-token columns per text input ({@link #signature})
   * @param check called between batches and candidates and before every SGD step; throws (a {@link TrainingFailure})
   *     to stop the run, when it was cancelled or ran out of time
   */
  TrainingPipeline(BatchSource batches, PhaseListener phases, long seed, int textHashBuckets, Runnable check) {
    this.batches = batches;
    this.phases = phases;
    this.seed = seed;
    this.textHashBuckets = textHashBuckets;
    this.check = check;
  }

  Result run(ModelSpec spec, DatasetSpecDeclared dataset, List<DatasetBatchCommitted> window, long lastRows, Champion champion,
      long modelVersion) {
    List<BatchFiles.Row> rows = phase("read", () -> read(window, lastRows));
    List<String> classes = List.copyOf(dataset.getLabel().getClasses());
    Map<Split, List<BatchFiles.Row>> splits = phase("split", () -> split(rows, classes));
    List<BatchFiles.Row> train = splits.get(Split.TRAIN);

    ModelSignature inputs = signature(dataset, List.of(), textHashBuckets);
    FeatureEncoding encoding = new FeatureEncoding(inputs);
    float[][] trainRaw = encodeFinite(encoding, train, Split.TRAIN);
    Standardization standardization = Standardization.of(trainRaw, encoding.width());
    TribuoData data = new TribuoData(encoding.width());

    CandidateSearch.Candidate best = phase("train", () -> {
      MutableDataset<Label> trainSet = data.dataset(standardized(standardization, trainRaw), labels(train));
      List<BatchFiles.Row> validation = splits.get(Split.VALIDATION);
      return CandidateSearch.best(spec, trainSet,
          data.examples(standardized(standardization, encodeFinite(encoding, validation, Split.VALIDATION)), labels(validation)),
          truth(validation, classes), classes, seed, check);
    });
    if (best.model().getFeatureIDMap().size() != encoding.width()) {
      throw new TrainingFailure("train", "the model knows " + best.model().getFeatureIDMap().size() + " of " + encoding.width()
          + " input columns; it cannot be exported with the dataset's signature");
    }
    List<BatchFiles.Row> test = splits.get(Split.TEST);
    float[][] testRaw = encodeFinite(encoding, test, Split.TEST);
    List<Example<Label>> testExamples = data.examples(standardized(standardization, testRaw), labels(test));
    int[] testTruth = truth(test, classes);
    EvaluationMetrics metrics = phase("evaluate", () -> {
      EvaluationMetrics evaluated = ClassificationMetrics.evaluate(Split.TEST.id(), classes, testTruth,
          TribuoData.probabilities(best.model(), testExamples, classes));
      List<String> undefined = MetricChecks.undefined(evaluated, classes.size());
      if (!undefined.isEmpty()) {
        throw new TrainingFailure("evaluate", "the test metrics are not all defined, so the registry could not judge the model: "
            + String.join("; ", undefined));
      }
      return evaluated;
    });

    EvaluationMetrics championMetrics = champion == null ? null : phase("champion", () -> scoreChampion(spec, champion, test, classes, testTruth));

    List<String> outputClasses = TribuoData.outputClasses(best.model());
    double[][] testByOutput = TribuoData.probabilities(best.model(), testExamples, outputClasses);
    int[] testTruthByOutput = truth(test, outputClasses);
    ReferenceProfile profile = phase("profile", () -> ReferenceProfiles.of(dataset, features(train), outputClasses, testByOutput,
        testTruthByOutput, seed));

    ModelSignature signature = signature(dataset, outputClasses, textHashBuckets);
    byte[] onnx = phase("export", () -> OnnxExport.export(best.model(), standardization, spec.name(), modelVersion));
    double difference = phase("verify", () -> OnnxExport.verify(onnx, signature, testRaw, testByOutput));
    log.info("Model {}: {} {} chosen on validation (macro F1 {}); test accuracy {}, ONNX within {} of Tribuo",
        spec.name(), best.algorithm().id(), best.parameters(), best.validation().getMacroF1(), metrics.getAccuracy(), difference);
    return new Result(onnx, signature, best.algorithm(), best.parameters(), metrics,
        champion == null ? null : champion.version(), championMetrics, profile, difference, train.size());
  }

  private List<BatchFiles.Row> read(List<DatasetBatchCommitted> window, long lastRows) {
    List<BatchFiles.Row> rows = new ArrayList<>();
    for (DatasetBatchCommitted batch : window) {
      check.run();
      List<BatchFiles.Row> read = batches.read(batch);
      if (read.size() != batch.getRowCount()) {
        throw new TrainingFailure("read", "batch " + batch.getBatchId() + " holds " + read.size() + " rows, its announcement says " + batch.getRowCount());
      }
      rows.addAll(read);
    }
    if (lastRows > 0 && rows.size() > lastRows) {
      return new ArrayList<>(rows.subList((int) (rows.size() - lastRows), rows.size()));
    }
    return rows;
  }

  private static Map<Split, List<BatchFiles.Row>> split(List<BatchFiles.Row> rows, List<String> classes) {
    Map<Split, List<BatchFiles.Row>> splits = new EnumMap<>(Split.class);
    for (Split split : Split.values()) {
      splits.put(split, new ArrayList<>());
    }
    long unlabelled = 0;
    for (BatchFiles.Row row : rows) {
      if (row.label() == null || !classes.contains(row.label())) {
        unlabelled++;
      } else {
        splits.get(Split.of(row.recordId())).add(row);
      }
    }
    long labelled = rows.size() - unlabelled;
    if (labelled < MIN_ROWS) {
      throw new TrainingFailure("split", "too few labelled rows: " + labelled + " (of " + rows.size() + "); at least " + MIN_ROWS + " are needed");
    }
    for (Split split : Split.values()) {
      if (splits.get(split).isEmpty()) {
        throw new TrainingFailure("split", "the " + split.id() + " split is empty (" + labelled + " labelled rows)");
      }
    }
    Set<String> trainClasses = new HashSet<>(labels(splits.get(Split.TRAIN)));
    if (trainClasses.size() < 2) {
      throw new TrainingFailure("split", "only one class in the training data: " + trainClasses);
    }
    Set<String> testClasses = new HashSet<>(labels(splits.get(Split.TEST)));
    if (testClasses.size() < 2) {
      // One class leaves ROC-AUC undefined and the other figures meaningless: nothing the registry could judge.
      throw new TrainingFailure("split", "only one class in the test split (" + splits.get(Split.TEST).size() + " rows, all " + testClasses
          + "); the test metrics would not be defined; more labelled rows of the other classes are needed");
    }
    log.debug("Split {} labelled rows: {} train, {} validation, {} test ({} unlabelled left out)", labelled,
        splits.get(Split.TRAIN).size(), splits.get(Split.VALIDATION).size(), splits.get(Split.TEST).size(), unlabelled);
    return splits;
  }

  private EvaluationMetrics scoreChampion(ModelSpec spec, Champion champion, List<BatchFiles.Row> test, List<String> classes, int[] truth) {
    try (OnnxClassifier classifier = OnnxClassifier.load(champion.onnx().get(), champion.signature())) {
      float[][] probabilities = classifier.probabilities(classifier.encoding().encodeAll(features(test)));
      List<String> championClasses = champion.signature().getOutputClasses();
      double[][] aligned = new double[probabilities.length][classes.size()];
      for (int i = 0; i < probabilities.length; i++) {
        for (int c = 0; c < championClasses.size(); c++) {
          int index = classes.indexOf(championClasses.get(c));
          if (index >= 0) {
            aligned[i][index] = probabilities[i][c];
          }
        }
      }
      EvaluationMetrics metrics = ClassificationMetrics.evaluate(Split.TEST.id(), classes, truth, aligned);
      List<String> undefined = MetricChecks.undefined(metrics, classes.size());
      if (!undefined.isEmpty()) {
        log.warn("Model {}: the champion (version {}) scored undefined metrics on the test split, so none are reported: {}",
            spec.name(), champion.version(), String.join("; ", undefined));
        return null;
      }
      return metrics;
    } catch (RuntimeException e) {
      log.warn("Model {}: the champion (version {}) could not be scored on the test split, so none is reported: {}",
          spec.name(), champion.version(), e.getMessage());
      return null;
    }
  }

  /**
   * The signature of a model trained on the dataset: every feature an input of the platform's encoding
   * ({@link FeatureEncoding}), a text feature with its spec's maxLength and {@code textHashBuckets} hashed-token
   * columns. A text column is never NaN (a missing text is all zeros, like an empty one), so the graph's mean
   * imputation only reaches a text input when an explanation sets it to its training mean on purpose.
   */
  static ModelSignature signature(DatasetSpecDeclared dataset, List<String> outputClasses, int textHashBuckets) {
    List<SignatureField> inputs = new ArrayList<>();
    for (FeatureSpec feature : dataset.getFeatures()) {
      boolean text = feature.getType() == FeatureType.TEXT;
      inputs.add(SignatureField.newBuilder().setName(feature.getName()).setType(feature.getType())
          .setCategories(List.copyOf(feature.getCategories()))
          .setMaxLength(text ? feature.getMaxLength() : null)
          .setHashBuckets(text ? textHashBuckets : 0).build());
    }
    return ModelSignature.newBuilder().setInputs(inputs).setOutputClasses(outputClasses)
        .setInputTensor(OnnxExport.INPUT).setProbabilityTensor(OnnxExport.PROBABILITIES).build();
  }

  private <T> T phase(String name, Supplier<T> work) {
    phases.started(name);
    check.run();
    long start = System.nanoTime();
    try {
      return work.get();
    } catch (TrainingFailure e) {
      throw e;
    } catch (RuntimeException e) {
      throw new TrainingFailure(name, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
    } finally {
      phases.finished(name, (System.nanoTime() - start) / 1_000_000);
    }
  }

  /**
   * The rows as the model's FP32 input; a value beyond a 32-bit float's range (about ±3.4e38, a valid double
   * otherwise) would become infinite and leave nothing a model can learn from, so the run fails naming it.
   */
  static float[][] encodeFinite(FeatureEncoding encoding, List<BatchFiles.Row> rows, Split split) {
    float[][] encoded = encoding.encodeAll(features(rows));
    for (int i = 0; i < encoded.length; i++) {
      for (int c = 0; c < encoded[i].length; c++) {
        if (Float.isInfinite(encoded[i][c])) {
          throw new TrainingFailure("train", "record " + io.kloop.training.spec.Texts.shown(rows.get(i).recordId()) + " (" + split.id() + " split) has a value of column "
              + encoding.columns().get(c) + " beyond the range of the model's 32-bit floats (about ±3.4e38): "
              + rows.get(i).features().get(encoding.columns().get(c)));
        }
      }
    }
    return encoded;
  }

  private static List<Map<String, Object>> features(List<BatchFiles.Row> rows) {
    return rows.stream().map(BatchFiles.Row::features).toList();
  }

  private static List<double[]> standardized(Standardization standardization, float[][] raw) {
    List<double[]> rows = new ArrayList<>(raw.length);
    for (float[] row : raw) {
      rows.add(standardization.apply(row));
    }
    return rows;
  }

  private static List<String> labels(List<BatchFiles.Row> rows) {
    return rows.stream().map(BatchFiles.Row::label).toList();
  }

  private static int[] truth(List<BatchFiles.Row> rows, List<String> classes) {
    return rows.stream().mapToInt(row -> classes.indexOf(row.label())).toArray();
  }
}
