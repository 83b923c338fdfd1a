package io.kloop.monitor.drift;

import io.kloop.events.DriftStatistic;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link DriftAnalyzer} found in one window.
 *
 * @param statistics every test run, per input feature in profile order and then on the output, each with the
 *     threshold it was held to and whether it crossed it
 * @param featureVerdicts whether each tested input feature drifted, in profile order, by the name its
 *     statistics are reported under (a text feature's parts by their derived names, {@link TextDriftNames});
 *     skipped features and parts are absent (see {@code notes})
 * @param outputDrifted whether the model's output drifted (predicted-class shares, or for a two-class model
 *     also the second class's probability)
 * @param driftedShare share of the tested input features that drifted, a text feature counted once (drifted
 *     when any of its parts did); 0 when none could be tested
 * @param drifting whether the model counts as drifting: {@code driftedShare} reached the settings' share, or
 *     the output drifted
 * @param pValueThreshold the significance level each hypothesis test was held to: the settings' p-value
 *     divided by {@code hypothesisTests} (Bonferroni)
 * @param hypothesisTests number of hypothesis tests run in the window, on the input features and the output
 * @param notes why features or output tests were skipped, e.g. no usable values in the window
 */
public record DriftAssessment(List<DriftStatistic> statistics, Map<String, Boolean> featureVerdicts,
    boolean outputDrifted, double driftedShare, boolean drifting, double pValueThreshold, int hypothesisTests,
    List<String> notes) {

  public DriftAssessment {
    statistics = List.copyOf(statistics);
    featureVerdicts = Collections.unmodifiableMap(new LinkedHashMap<>(featureVerdicts));
    notes = List.copyOf(notes);
  }

  /** Names of the input features (and text features' parts) that drifted, in profile order. */
  public List<String> driftedFeatures() {
    return featureVerdicts.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
  }
}
