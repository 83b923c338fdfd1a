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
 * row format as they arrive, with the feature summaries and label counts gathered on the way, so sealing
 * only writes the file's frame and reads off the summaries.
 */
final class OpenRows {

  private final BatchFiles.Builder file = new BatchFiles.Builder();
  private final FeatureSummaries summaries;
  private final Map<String, Long> labels = new HashMap<>();

  OpenRows(DatasetSpec spec) {
    summaries = new FeatureSummaries(spec);
  }

  void add(RecordValidator.Result row, int partition, long offset) {
    file.add(new BatchFiles.Row(row.recordId(), row.label(), row.features(), partition, offset));
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

  Map<String, Long> labelCounts() {
    return new TreeMap<>(labels);
  }
}
