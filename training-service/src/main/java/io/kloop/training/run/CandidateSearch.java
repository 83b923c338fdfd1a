package io.kloop.training.run;

import io.kloop.events.EvaluationMetrics;
import io.kloop.model.ClassificationMetrics;
import io.kloop.training.spec.Algorithm;
import io.kloop.training.spec.ModelSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

/**
 * Trains every combination of every algorithm's grid on the training split and keeps the one that scores
 * best on the validation split: highest macro F1, then lowest log loss, then the first in spec order.
 */
final class CandidateSearch {

  private static final Logger log = LoggerFactory.getLogger(CandidateSearch.class);

  record Candidate(Algorithm algorithm, Map<String, String> parameters, Model<Label> model, EvaluationMetrics validation) {}

  private CandidateSearch() {}

  /**
   * @param check called before each candidate (and by the SGD trainers before each step); throws to stop
   * @throws TrainingFailure when every candidate diverged (its probabilities are not finite numbers)
   */
  static Candidate best(ModelSpec spec, MutableDataset<Label> train, List<Example<Label>> validation, int[] validationTruth,
      List<String> classes, long seed, Runnable check) {
    Candidate best = null;
    List<String> diverged = new ArrayList<>();
    Comparator<Candidate> better = Comparator.<Candidate>comparingDouble(c -> c.validation().getMacroF1())
        .thenComparing(c -> -c.validation().getLogLoss());
    for (ModelSpec.AlgorithmGrid grid : spec.algorithms()) {
      for (Map<String, String> parameters : grid.algorithm().combinations(grid.algorithm().completeGrid(grid.grid()))) {
        check.run();
        Model<Label> model = grid.algorithm().trainer(parameters, seed, check).train(train);
        double[][] probabilities = TribuoData.probabilities(model, validation, classes);
        if (!MetricChecks.finite(probabilities)) {
          // A diverged model (NaN or infinite weights) is no candidate: its metrics would not be numbers.
          diverged.add(grid.algorithm().id() + " " + parameters);
          log.info("Model {}: {} {} diverged (probabilities that are not finite numbers); left out", spec.name(), grid.algorithm().id(), parameters);
          continue;
        }
        EvaluationMetrics scored = ClassificationMetrics.evaluate(Split.VALIDATION.id(), classes, validationTruth, probabilities);
        Candidate candidate = new Candidate(grid.algorithm(), parameters, model, scored);
        log.debug("Model {}: {} {} scored macro F1 {} on validation", spec.name(), grid.algorithm().id(), parameters, scored.getMacroF1());
        if (best == null || better.compare(candidate, best) > 0) {
          best = candidate;
        }
      }
    }
    if (best == null) {
      throw new TrainingFailure("train", "every candidate diverged (its probabilities are not finite numbers): "
          + String.join("; ", diverged.subList(0, Math.min(5, diverged.size()))) + (diverged.size() > 5 ? " and " + (diverged.size() - 5)
          + " more" : "") + "; try a smaller learningRate");
    }
    return best;
  }
}
