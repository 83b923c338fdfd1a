package io.kloop.ingest.batch;

import java.time.Duration;

/**
 * When a dataset's open batch is sealed: once it holds {@code maxRecords} records, once its first record is
 * {@code maxAge} old, and before a record validated against another spec version joins it (a batch's rows all
 * follow one spec version, which its {@code DatasetBatchCommitted} names). Time is the caller's clock, the
 * processor's wall clock, in milliseconds.
 *
 * @param maxRecords records at which a batch is sealed ({@code kloop.ingest.batch-max-records}, checked there)
 * @param maxAge age of its first record at which a batch is sealed ({@code kloop.ingest.batch-max-age})
 */
record SealingRules(int maxRecords, Duration maxAge) {

  /** Whether the open batch must be sealed before a record of {@code specVersion} joins a batch of the dataset. */
  boolean versionChanged(OpenBatch open, int specVersion) {
    return open.specVersion() != specVersion;
  }

  /** Whether the batch, the record just added included, is sealed now. */
  boolean full(OpenBatch batch) {
    return batch.count() >= maxRecords;
  }

  /** Whether the batch is old enough at {@code nowMillis} to be sealed. */
  boolean expired(OpenBatch batch, long nowMillis) {
    return nowMillis - batch.openedAtMillis() >= maxAge.toMillis();
  }
}
