package io.kloop.ingest.batch;

import io.kloop.events.FeatureSummary;
import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.ingest.validation.RecordValidator;
import io.kloop.schemas.BatchFiles;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rows of a dataset's open batch, held in memory as they will be sealed: encoded into the batch file's
 * row format as they arrive, with the feature summaries, label counts and the count of feedback rows
 * gathered on the way, so sealing only writes the file's frame and reads off the summaries.
 */
final class OpenRows {

  private final BatchFiles.Builder file = new BatchFiles.Builder();
  private final FeatureSummaries summaries;
  private final Map<String, Long> labels = new HashMap<>();
  private long feedbackRows;

  OpenRows(DatasetSpec spec) {
    summaries = new FeatureSummaries(spec);
  }

  /** Adds a valid record; {@code feedback} is its origin when it is a feedback record, else null. */
  void add(RecordValidator.Result row, BatchFiles.Feedback feedback, int partition, long offset) {
    file.add(new BatchFiles.Row(row.recordId(), row.label(), row.features(), partition, offset, feedback));
    if (feedback != null) {
      feedbackRows++;
    }
    summaries.add(row.features());
    if (row.label() != null) {
      labels.merge(row.label(), 1L, Long::sum);
    }
  }

  int size() {
    return file.size();
  }

  byte[] file(String batchId) {
    return file.write(batchId);
  }

  List<FeatureSummary> featureSummaries() {
    return summaries.summaries();
  }

  /** How many of the rows are feedback records. */
  long feedbackRows() {
    return feedbackRows;
  }

  Map<String, Long> labelCounts() {
    return new TreeMap<>(labels);
  }
}
