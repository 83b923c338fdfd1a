package io.kloop.training.run;

import io.kloop.events.EvaluationMetrics;
import io.kloop.model.ClassificationMetrics;
import io.kloop.training.spec.Algorithm;
import io.kloop.training.spec.ModelSpec;
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

  static Candidate best(ModelSpec spec, MutableDataset<Label> train, List<Example<Label>> validation, int[] validationTruth,
      List<String> classes, long seed) {
    Candidate best = null;
    Comparator<Candidate> better = Comparator.<Candidate>comparingDouble(c -> c.validation().getMacroF1())
        .thenComparing(c -> -c.validation().getLogLoss());
    for (ModelSpec.AlgorithmGrid grid : spec.algorithms()) {
      for (Map<String, String> parameters : grid.algorithm().combinations(grid.algorithm().completeGrid(grid.grid()))) {
        Model<Label> model = grid.algorithm().trainer(parameters, seed).train(train);
        EvaluationMetrics scored = ClassificationMetrics.evaluate(Split.VALIDATION.id(), classes, validationTruth,
            TribuoData.probabilities(model, validation, classes));
        Candidate candidate = new Candidate(grid.algorithm(), parameters, model, scored);
        log.debug("Model {}: {} {} scored macro F1 {} on validation", spec.name(), grid.algorithm().id(), parameters, scored.getMacroF1());
        if (best == null || better.compare(candidate, best) > 0) {
          best = candidate;
        }
      }
    }
    return best;
  }
}
