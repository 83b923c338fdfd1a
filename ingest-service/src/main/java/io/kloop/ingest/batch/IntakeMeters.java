package io.kloop.ingest.batch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the intake pipeline did with each record: {@code kloop.ingest.records.accepted} (tag {@code dataset}),
 * {@code kloop.ingest.records.dead.lettered} (tag {@code reason}: {@code undecodable}, {@code tombstone},
 * {@code wrong-key}, {@code unknown-dataset}, {@code invalid}, {@code duplicate}; no dataset tag, since a bad
 * record may name any dataset), and {@code kloop.ingest.batches.committed} and {@code kloop.ingest.batch.rows}
 * (tag {@code dataset}). Counted as the pipeline processes; records of a transaction that aborts are
 * processed, and counted, again.
 */
final class IntakeMeters {

  private final MeterRegistry meters;
  private final Map<String, Counter> accepted = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();
  private final Map<String, Counter> batches = new ConcurrentHashMap<>();
  private final Map<String, Counter> rows = new ConcurrentHashMap<>();

  IntakeMeters(MeterRegistry meters) {
    this.meters = meters;
  }

  void accepted(String dataset) {
    accepted.computeIfAbsent(dataset, d -> Counter.builder("kloop.ingest.records.accepted")
        .description("Records accepted into a batch").tag("dataset", d).register(meters)).increment();
  }

  void deadLettered(String reason) {
    deadLettered.computeIfAbsent(reason, r -> Counter.builder("kloop.ingest.records.dead.lettered")
        .description("Records refused by the pipeline and written to the dead-letter topic").tag("reason", r).register(meters)).increment();
  }

  void committed(String dataset, int rowCount) {
    batches.computeIfAbsent(dataset, d -> Counter.builder("kloop.ingest.batches.committed")
        .description("Batches sealed and announced").tag("dataset", d).register(meters)).increment();
    rows.computeIfAbsent(dataset, d -> Counter.builder("kloop.ingest.batch.rows")
        .description("Rows in sealed batches").tag("dataset", d).register(meters)).increment(rowCount);
  }
}
