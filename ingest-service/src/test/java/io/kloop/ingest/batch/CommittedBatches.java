package io.kloop.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.schemas.BatchFiles;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.test.TestRecords;
import java.util.ArrayList;
import java.util.List;

/** The committed {@code DatasetBatchCommitted} events of a dataset, and the records their files hold. */
final class CommittedBatches {

  private CommittedBatches() {}

  /** The dataset's batch announcements committed so far, in order. */
  static List<DatasetBatchCommitted> of(String dataset) {
    EventDeserializer<DatasetBatchCommitted> events = new EventDeserializer<>(DatasetBatchCommitted.class);
    return TestRecords.readToEnd(Topics.DATASET_BATCH_COMMITTED.name(), TestRecords.keyed(dataset)).stream()
        .map(r -> events.deserialize("t", r.value())).toList();
  }

  static long rows(String dataset) {
    return of(dataset).stream().mapToLong(DatasetBatchCommitted::getRowCount).sum();
  }

  /**
   * The record ids in the batches' files, read back from the store (which verifies each file's hash), one
   * entry per row; each file must hold as many rows as its announcement says.
   */
  static List<String> recordIds(List<DatasetBatchCommitted> batches, LocalArtifactStore store) {
    List<String> ids = new ArrayList<>();
    for (DatasetBatchCommitted batch : batches) {
      List<BatchFiles.Row> rows = BatchFiles.read(store.read(batch.getArtifact()));
      assertThat(rows).as("rows of batch %s", batch.getBatchId()).hasSize((int) batch.getRowCount());
      rows.forEach(row -> ids.add(row.recordId()));
    }
    return ids;
  }
}
