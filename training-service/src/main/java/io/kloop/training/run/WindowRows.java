package io.kloop.training.run;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.schemas.BatchFiles;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows a run works on, the same for a training run and an import: the window's batches read (each verified by
 * its source and its row count checked against its announcement; the newest {@code lastRows} kept) and the labelled
 * rows split three ways by {@link Split}, so that every model of a dataset, trained or imported, is scored on the same
 * test rows.
 */
final class WindowRows {

  private static final Logger log = LoggerFactory.getLogger(WindowRows.class);
  /** Fewer labelled rows than this cannot fill three splits in a useful way. */
  static final int MIN_ROWS = 20;

  private WindowRows() {}

  /** Every row of the window's batches, in order; only the newest {@code lastRows} when it is more than 0. */
  static List<BatchFiles.Row> read(TrainingPipeline.BatchSource batches, List<DatasetBatchCommitted> window, long lastRows, Runnable check) {
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

  /**
   * The labelled rows (a label among {@code classes}) by split; fails when there are fewer than {@value #MIN_ROWS}, a
   * split is empty, or the train or test split holds one class only.
   */
  static Map<Split, List<BatchFiles.Row>> split(List<BatchFiles.Row> rows, List<String> classes) {
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

  static List<Map<String, Object>> features(List<BatchFiles.Row> rows) {
    return rows.stream().map(BatchFiles.Row::features).toList();
  }

  static List<String> labels(List<BatchFiles.Row> rows) {
    return rows.stream().map(BatchFiles.Row::label).toList();
  }

  /** Per row, the index of its label in {@code classes}. */
  static int[] truth(List<BatchFiles.Row> rows, List<String> classes) {
    return rows.stream().mapToInt(row -> classes.indexOf(row.label())).toArray();
  }
}
