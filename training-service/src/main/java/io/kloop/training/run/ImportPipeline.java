package io.kloop.training.run;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.FeatureSpec;
import io.kloop.events.ModelSignature;
import io.kloop.events.ReferenceProfile;
import io.kloop.events.SignatureField;
import io.kloop.schemas.BatchFiles;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The judging of an imported model, without Kafka, by the same code as a trained candidate's: the window's batches read
 * and split ({@link WindowRows}), the model run by ONNX Runtime on the test split and scored beside the champion
 * ({@link HeldOutScores}), and profiled ({@link ReferenceProfiles}: the inputs it takes, as the dataset's train split
 * holds them, and its output and calibration on the test split).
 */
final class ImportPipeline {

  /** The model's test probabilities (in its output order) and its test metrics. */
  private record Scored(double[][] byOutput, EvaluationMetrics metrics) {}

  record Result(EvaluationMetrics metrics, Integer championVersion, EvaluationMetrics championMetrics, ReferenceProfile profile) {}

  private final TrainingPipeline.BatchSource batches;
  private final TrainingPipeline.PhaseListener phases;
  private final long seed;
  private final Runnable check;

  ImportPipeline(TrainingPipeline.BatchSource batches, TrainingPipeline.PhaseListener phases, long seed, Runnable check) {
    this.batches = batches;
    this.phases = phases;
    this.seed = seed;
    this.check = check;
  }

  /** @param onnx the model's file, read when it is evaluated */
  Result run(String model, Supplier<byte[]> onnx, ModelSignature signature, DatasetSpecDeclared dataset, List<DatasetBatchCommitted> window,
      long lastRows, TrainingPipeline.Champion champion) {
    List<BatchFiles.Row> rows = phase("read", () -> WindowRows.read(batches, window, lastRows, check));
    List<String> classes = List.copyOf(dataset.getLabel().getClasses());
    Map<Split, List<BatchFiles.Row>> splits = phase("split", () -> WindowRows.split(rows, classes));
    List<BatchFiles.Row> test = splits.get(Split.TEST);
    List<String> outputClasses = signature.getOutputClasses();
    Scored scored = phase("evaluate", () -> {
      double[][] probabilities = HeldOutScores.probabilities(onnx.get(), signature, WindowRows.features(test));
      return new Scored(probabilities, HeldOutScores.candidate("evaluate", classes, WindowRows.truth(test, classes),
          aligned(probabilities, outputClasses, classes)));
    });
    double[][] byOutput = scored.byOutput();
    EvaluationMetrics metrics = scored.metrics();
    EvaluationMetrics championMetrics = champion == null ? null : phase("champion",
        () -> HeldOutScores.champion(model, champion, WindowRows.features(test), classes, WindowRows.truth(test, classes)));
    ReferenceProfile profile = phase("profile", () -> ReferenceProfiles.of(taken(dataset, signature),
        WindowRows.features(splits.get(Split.TRAIN)), outputClasses, byOutput, WindowRows.truth(test, outputClasses), seed));
    return new Result(metrics, champion == null ? null : champion.version(), championMetrics, profile);
  }

  /** The probabilities, in {@code outputClasses} order, reordered to {@code classes}. */
  static double[][] aligned(double[][] probabilities, List<String> outputClasses, List<String> classes) {
    double[][] aligned = new double[probabilities.length][classes.size()];
    for (int i = 0; i < probabilities.length; i++) {
      for (int c = 0; c < outputClasses.size(); c++) {
        aligned[i][classes.indexOf(outputClasses.get(c))] = probabilities[i][c];
      }
    }
    return aligned;
  }

  /** The dataset's spec with only the features the model takes: the monitor judges the traffic of those. */
  static DatasetSpecDeclared taken(DatasetSpecDeclared dataset, ModelSignature signature) {
    Set<String> inputs = signature.getInputs().stream().map(SignatureField::getName).collect(Collectors.toSet());
    List<FeatureSpec> features = dataset.getFeatures().stream().filter(feature -> inputs.contains(feature.getName())).toList();
    return DatasetSpecDeclared.newBuilder(dataset).setFeatures(features).build();
  }

  private <T> T phase(String name, Supplier<T> work) {
    return TrainingPipeline.phase(phases, check, name, work);
  }
}
