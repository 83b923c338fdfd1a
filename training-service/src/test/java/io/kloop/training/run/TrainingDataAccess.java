package io.kloop.training.run;

import io.kloop.events.DatasetSpecDeclared;
import io.kloop.producer.SourceRecord;
import java.util.List;

/** Lets tests outside this package use the shipped data and the split rule. */
public final class TrainingDataAccess {

  private TrainingDataAccess() {}

  public static List<SourceRecord> breastCancer() {
    return TrainingData.breastCancer();
  }

  public static DatasetSpecDeclared breastCancerSpec(String dataset) {
    return TrainingData.breastCancerSpec(dataset);
  }

  public static boolean isTest(String recordId) {
    return Split.of(recordId) == Split.TEST;
  }
}
