package io.kloop.ingest.batch;

import io.kloop.events.ArtifactRef;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.ingest.spec.DatasetSpecs;
import io.kloop.ingest.validation.FeedbackRules;
import io.kloop.ingest.validation.RecordValidator;
import io.kloop.ingest.validation.TextRules;
import io.kloop.ingest.validation.Violation;
import io.kloop.schemas.BatchFiles;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.ArtifactStore;
import io.kloop.service.kafka.UnrecoverableStreamException;
import io.kloop.service.streams.EventProcessor;
import io.kloop.service.tracing.KloopTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka path of ingest, and where both paths meet: each raw record from {@code mlops.ingest.data-record}
 * is decoded, checked against its dataset's current spec (a feedback record's origin too, by
 * {@link FeedbackRules}) and against every record id already accepted, and then either forwarded to the
 * dead-letter topic (original bytes, reason in headers) or added to its dataset's open batch, where a
 * feedback record's row carries its origin. A batch is sealed after {@code batchMaxRecords} records, after {@code batchMaxAge},
 * or when the spec version changes: its rows are written to the artifact store as one immutable Avro file
 * named by SHA-256, and a {@link DatasetBatchCommitted} (counting the feedback rows) is forwarded.
 *
 * <p>Runs under Kafka Streams' exactly-once processing: the accepted-id store (each accepted record id with
 * the input offset it was accepted at), the open-batch store (where each open batch starts: spec version,
 * partition, first offset, opening time), the dead letters, the batch announcements and the input offsets
 * are committed in one transaction. After a crash the uncommitted work is replayed; a file written before the crash is either
 * written again with the same bytes or left unreferenced, so no record ends up in two committed batches and
 * none is lost.
 *
 * <p>An open batch's rows are held in memory only, not in a state store, so that a record costs one small
 * changelog write (its id) rather than two copies of its data; the open-batch store keeps only where each
 * open batch starts, written when it opens. When a task starts (after a restart, a crash or a rebalance),
 * the rows of each open batch are read again from the input topic, from the batch's first offset up to the
 * offset committed with the task's last transaction: exactly the records there whose id the accepted-id
 * store maps to their own offset. The stores and that offset are committed in the same transactions, so
 * these are the batch's records as of its last commit.
 *
 * <p>The opening every processor shares (decoding, tombstones, the key check, dead letters with a bounded
 * reason, the event's metadata) is {@link EventProcessor}'s; records are not traced one by one: sealing a
 * batch is the span. When a batch is sealed is {@link SealingRules}'.
 */
final class RecordIntakeProcessor extends EventProcessor<DataRecordReader.Fields> {

  private static final Logger log = LoggerFactory.getLogger(RecordIntakeProcessor.class);
  static final String RECORD_IDS = "accepted-record-ids";
  static final String OPEN_BATCHES = "open-batches";
  private static final char SEPARATOR = '\u0000';
  private static final Keying DATASET = new Keying("dataset", "dataset name", "all records of a dataset share a partition");

  private final DatasetSpecs specs;
  private final IntakeMeters meters;
  private final KloopTracing tracing;
  private final ArtifactStore artifacts;
  private final SourceReplay replay;
  private final SealingRules sealing;
  private final long idFilterMaxIds;
  private final DataRecordReader records = new DataRecordReader();
  private final Map<String, OpenBatch> open = new HashMap<>();
  private final Map<String, OpenRows> openRows = new HashMap<>();

  private AcceptedIds acceptedIds;
  private KeyValueStore<String, String> openBatches;

  RecordIntakeProcessor(DatasetSpecs specs, ArtifactStore artifacts, SourceReplay replay, IntakeSettings settings, IntakeMeters meters,
      KloopTracing tracing) {
    super(new Shape(IngestServiceApplication.NAME, DATASET, ConsumerSpan.NONE, null, tracing));
    this.specs = specs;
    this.artifacts = artifacts;
    this.replay = replay;
    this.sealing = settings.sealing();
    this.idFilterMaxIds = settings.idFilterMaxIds();
    this.meters = meters;
    this.tracing = tracing;
  }

  @Override
  protected void opened(ProcessorContext<String, Object> context) {
    // opened() runs again on this instance when Streams revives a task after a failed transaction: what was
    // in memory may belong to the aborted attempt, so start again from the restored stores (the old
    // filters are let go before the new ones are built).
    acceptedIds = null;
    long start = System.nanoTime();
    acceptedIds = AcceptedIds.load(context.getStateStore(RECORD_IDS), idFilterMaxIds);
    if (acceptedIds.filtering()) {
      log.info("Task {}: accepted-id filters built from {} ids in {} ms", context.taskId(), acceptedIds.filteredIds(),
          (System.nanoTime() - start) / 1_000_000);
    }
    openBatches = context.getStateStore(OPEN_BATCHES);
    open.clear();
    openRows.clear();
    Map<String, OpenBatch> stored = new HashMap<>();
    try (KeyValueIterator<String, String> all = openBatches.all()) {
      all.forEachRemaining(entry -> stored.put(entry.key, OpenBatch.decodeStart(entry.value)));
    }
    if (!stored.isEmpty()) {
      // Every record of a task's datasets is on the task's partition.
      TopicPartition input = new TopicPartition(Topics.DATA_RECORD.name(), context.taskId().partition());
      reread(stored, input, committedOffset(input));
    }
    context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::sealExpired);
  }

  @Override
  public void close() {
    open.clear();
    openRows.clear();
  }

  @Override
  protected DataRecordReader.Fields read(String topic, byte[] value) throws EventDecodingException {
    return records.read(topic, value);
  }

  @Override
  protected String key(DataRecordReader.Fields record) {
    return record.dataset();
  }

  /** Counted by kind, not logged: ingest takes records from anyone, and a flood of bad ones must not flood the log. */
  @Override
  protected void deadLettered(String kind, String reason) {
    meters.deadLettered(kind);
  }

  @Override
  protected void handle(DataRecordReader.Fields record, Record<String, byte[]> raw) {
    RecordMetadata source = context().recordMetadata().orElseThrow();
    Optional<DatasetSpec> spec = specs.current(record.dataset());
    if (spec.isEmpty()) {
      String dataset = TextRules.echo(record.dataset(), 64);
      deadLetter(raw, "unknown-dataset", "unknown dataset " + dataset + "; declare it with PUT /v1/datasets/" + dataset);
      return;
    }
    RecordValidator.Result result = RecordValidator.validate(spec.get(), record.recordId(), record.features(), record.label());
    List<Violation> violations = new ArrayList<>(result.violations());
    if (record.feedback() != null) {
      violations.addAll(FeedbackRules.violations(record.feedback()));
    }
    boolean valid = violations.isEmpty();
    String idKey = idKey(record.dataset(), record.recordId());
    // A valid record whose id is new is accepted here; one whose id is known gets the offset it was accepted at.
    // A feedback record's id is derived from its prediction, so a redelivered one is a duplicate like any other.
    Long firstOffset = valid ? acceptedIds.acceptIfNew(idKey, source.offset()) : null;
    if (firstOffset != null) {
      violations.add(new Violation(spec.get().idField(), Violation.DUPLICATE_ID, "duplicate record id " + TextRules.echo(record.recordId())
          + " (accepted before from partition " + source.partition() + " offset " + firstOffset + ")"));
    }
    if (!violations.isEmpty()) {
      deadLetter(raw, valid ? "duplicate" : "invalid", "invalid record " + TextRules.echo(record.recordId()) + " for dataset " + record.dataset()
          + " (spec v" + spec.get().version() + "): " + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
      return;
    }
    add(spec.get(), result, record.feedback(), source);
    meters.accepted(record.dataset());
  }

  private void add(DatasetSpec spec, RecordValidator.Result row, BatchFiles.Feedback feedback, RecordMetadata source) {
    String dataset = spec.dataset();
    OpenBatch batch = open.get(dataset);
    if (batch != null && sealing.versionChanged(batch, spec.version())) {
      seal(dataset);
      batch = null;
    }
    batch = batch == null ? OpenBatch.first(spec.version(), source.partition(), source.offset(), now().toEpochMilli())
        : batch.plus(source.offset());
    open.put(dataset, batch);
    openRows.computeIfAbsent(dataset, d -> new OpenRows(spec)).add(row, feedback, source.partition(), source.offset());
    if (batch.count() == 1) {
      openBatches.put(dataset, batch.encodeStart());
    }
    if (sealing.full(batch)) {
      seal(dataset);
    }
  }

  /**
   * The offset up to which the open batches' records are read again: the one committed with the task's
   * last transaction, from which it goes on processing.
   */
  private long committedOffset(TopicPartition partition) {
    OptionalLong committed = replay.committed(context().applicationId(), partition);
    if (committed.isPresent()) {
      return committed.getAsLong();
    }
    // Under exactly-once processing an open batch is committed with the offsets, so only expired group
    // offsets (offsets.retention.minutes after the group was last empty) get here. Reading to the end keeps
    // every row of the batch (no record that was not accepted has its id mapped to its own offset); Kafka
    // Streams then starts again from the earliest offset (auto.offset.reset), and each record accepted
    // before is refused, and dead-lettered, as a duplicate of itself: noise, nothing lost.
    log.warn("No committed offset of {} for {}: reading the open batches up to the partition's end", partition, context().applicationId());
    return replay.end(partition);
  }

  /**
   * Brings back the rows of the open batches that a previous owner of this task accepted: for each, the
   * records of its dataset from the batch's first offset up to {@code until} that the accepted-id store maps
   * to their own offset. One scan of the partition, from the earliest first offset, serves them all.
   */
  private void reread(Map<String, OpenBatch> starts, TopicPartition partition, long until) {
    Map<String, Resuming> resuming = new HashMap<>();
    starts.forEach((dataset, start) -> resuming.put(dataset, new Resuming(dataset, start,
        // The batch's own spec version; the current one if compaction has removed it (as sealing does).
        specs.version(dataset, start.specVersion()).or(() -> specs.current(dataset)).orElseThrow(() -> new IllegalStateException(
            "dataset " + dataset + " has an open batch of spec v" + start.specVersion() + " but no spec is known")))));
    long from = starts.values().stream().mapToLong(OpenBatch::firstOffset).min().orElseThrow();
    replay.read(partition, from, until, source -> {
      Resuming batch = resuming.get(source.key());
      if (batch == null || source.offset() < batch.start.firstOffset()) {
        return;
      }
      DataRecordReader.Fields record;
      try {
        record = records.read(source.topic(), source.value());
      } catch (EventDecodingException e) {
        return;
      }
      if (record != null && Long.valueOf(source.offset()).equals(acceptedIds.offsetOf(idKey(batch.dataset, record.recordId())))) {
        batch.add(RecordValidator.validate(batch.spec, record.recordId(), record.features(), record.label()), record.feedback(),
            source.partition(), source.offset());
      }
    });
    for (Resuming batch : resuming.values()) {
      if (batch.batch == null || batch.batch.firstOffset() != batch.start.firstOffset()) {
        // Replacing the thread would read the same log again: stop instead (README, "Batches, exactly once").
        throw new UnrecoverableStreamException("the open batch of dataset " + batch.dataset + " starts at offset " + batch.start.firstOffset()
            + " of " + partition + ", but that record could not be read again (was the input topic's retention shorter than the batch's age?)");
      }
      open.put(batch.dataset, batch.batch);
      openRows.put(batch.dataset, batch.rows);
      log.info("Resumed open batch of dataset {}: {} records from offsets {}..{}", batch.dataset, batch.rows.size(), batch.start.firstOffset(),
          batch.batch.lastOffset());
    }
  }

  /** An open batch whose rows are being read again. */
  private static final class Resuming {
    final String dataset;
    final OpenBatch start;
    final DatasetSpec spec;
    final OpenRows rows;
    OpenBatch batch;

    Resuming(String dataset, OpenBatch start, DatasetSpec spec) {
      this.dataset = dataset;
      this.start = start;
      this.spec = spec;
      this.rows = new OpenRows(spec);
    }

    void add(RecordValidator.Result row, BatchFiles.Feedback feedback, int partition, long offset) {
      rows.add(row, feedback, partition, offset);
      batch = batch == null ? OpenBatch.first(start.specVersion(), partition, offset, start.openedAtMillis()) : batch.plus(offset);
    }
  }

  private void sealExpired(long now) {
    List<String> expired = open.entrySet().stream()
        .filter(entry -> sealing.expired(entry.getValue(), now))
        .map(Map.Entry::getKey).toList();
    expired.forEach(this::seal);
  }

  /**
   * Seals the dataset's open batch. When tracing is on, sealing is a span ({@code seal batch}), the first
   * of a model's life: the batch's record carries its trace context, and training links its run to it.
   */
  private void seal(String dataset) {
    if (!tracing.enabled()) {
      seal(dataset, Span.getInvalid());
      return;
    }
    Span span = tracing.linkedTo("seal batch", SpanKind.PRODUCER, List.of());
    span.setAttribute("kloop.dataset", dataset);
    span.setAttribute("messaging.system", "kafka");
    span.setAttribute("messaging.destination.name", Topics.DATASET_BATCH_COMMITTED.name());
    KloopTracing.within(span, () -> seal(dataset, span));
  }

  private void seal(String dataset, Span span) {
    OpenBatch batch = open.remove(dataset);
    OpenRows rows = openRows.remove(dataset);
    String batchId = batch.batchId(dataset);
    ArtifactRef artifact = artifacts.put(rows.file(batchId), BatchFiles.MEDIA_TYPE);
    openBatches.delete(dataset);
    span.setAttribute("kloop.batch.id", batchId);
    span.setAttribute("kloop.batch.rows", rows.size());
    // The seal span, when there is one, is current: the record carries its trace context.
    emit(dataset, DatasetBatchCommitted.newBuilder()
        .setDataset(dataset)
        .setSpecVersion(batch.specVersion())
        .setBatchId(batchId)
        .setRowCount(rows.size())
        .setArtifact(artifact)
        .setSchemaFingerprint(BatchFiles.rowSchemaFingerprint())
        .setFeatures(rows.featureSummaries())
        .setLabelCounts(rows.labelCounts())
        .setFeedbackRows(rows.feedbackRows()));
    meters.committed(dataset, rows.size());
    log.info("Sealed batch {} of dataset {}: {} records ({} feedback), sha256 {}", batchId, dataset, rows.size(), rows.feedbackRows(),
        artifact.getSha256());
  }

  private static String idKey(String dataset, String recordId) {
    return dataset + SEPARATOR + recordId;
  }
}
