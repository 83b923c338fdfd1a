package io.kloop.training.run;

import io.kloop.model.OnnxClassifier;
import io.kloop.training.imports.ImportRefusedException;
import io.kloop.training.imports.ImportedSignatures;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An imported model tried on a few rows of its dataset before it is accepted: run by ONNX Runtime as it would be served,
 * its outputs must be probabilities ({@link ProbabilityTrial}) and, when it also has a label output, the label must be
 * the most probable class ({@link LabelTrial}). Whatever goes wrong while the file runs is the file's doing (its outputs
 * are not what it declares, it fails on the rows), so it is refused with the reason, never answered as the service's fault.
 */
final class ImportTrial {

  private static final Logger log = LoggerFactory.getLogger(ImportTrial.class);

  private ImportTrial() {}

  /**
   * @param rows the trial rows' features
   * @throws ImportRefusedException saying why the model is refused
   */
  static void run(byte[] file, ImportedSignatures.Built built, String dataset, List<Map<String, Object>> rows) {
    double[][] probabilities;
    try {
      probabilities = HeldOutScores.probabilities(file, built.signature(), rows);
    } catch (OnnxClassifier.ModelLoadException e) {
      throw new ImportRefusedException("the model does not fit the signature read off it: " + e.getMessage());
    } catch (RuntimeException e) {
      throw cannotRun(dataset, e);
    }
    Optional<String> problem = ProbabilityTrial.problem(probabilities);
    if (problem.isEmpty() && built.labelOutput() != null) {
      try {
        problem = LabelTrial.problem(file, built.signature(), built.labelOutput(), rows, probabilities);
      } catch (RuntimeException e) {
        throw cannotRun(dataset, e);
      }
    }
    problem.ifPresent(reason -> {
      throw new ImportRefusedException(reason);
    });
  }

  private static ImportRefusedException cannotRun(String dataset, RuntimeException e) {
    // Logged in full: should it be a fault of the platform's code rather than of the file, the trace shows it.
    log.warn("An imported model failed on rows of dataset {}", dataset, e);
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new ImportRefusedException("the model cannot be run on rows of dataset " + dataset + ": " + message);
  }
}
