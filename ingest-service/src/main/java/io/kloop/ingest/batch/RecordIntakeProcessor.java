package io.kloop.ingest.batch;

import io.kloop.events.ArtifactRef;
import io.kloop.events.DataRecord;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.ingest.spec.DatasetSpec;
import io.kloop.ingest.spec.DatasetSpecs;
import io.kloop.ingest.validation.RecordValidator;
import io.kloop.ingest.validation.Violation;
import io.kloop.schemas.BatchFiles;
import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.EventSerializer;
import io.kloop.service.artifacts.ArtifactStore;
import io.kloop.service.kafka.KafkaPlatformAutoConfiguration;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * The Kafka path of ingest, and where both paths meet: each raw record from {@code mlops.ingest.data-record}
 * is decoded, checked against its dataset's current spec and against every record id already accepted, and
 * then either forwarded to the dead-letter topic (original bytes, reason in headers) or added to its
 * dataset's open batch. A batch is sealed after {@code batchMaxRecords} records, after {@code batchMaxAge},
 * or when the spec version changes: its rows are written to the artifact store as one immutable Avro file
 * named by SHA-256, and a {@link DatasetBatchCommitted} is forwarded.
 *
 * <p>Runs under Kafka Streams' exactly-once processing: the accepted-id store, the open batches, the
 * dead letters, the batch announcements and the input offsets are committed in one transaction. After a
 * crash the uncommitted work is replayed; a file written before the crash is either written again with the
 * same bytes or left unreferenced, so no record ends up in two committed batches and none is lost.
 */
final class RecordIntakeProcessor implements Processor<String, byte[], String, Object> {

  private static final Logger log = LoggerFactory.getLogger(RecordIntakeProcessor.class);
  static final String RECORD_IDS = "accepted-record-ids";
  static final String ROWS = "open-batch-rows";
  static final String OPEN_BATCHES = "open-batches";
  private static final char SEPARATOR = '\u0000';

  private final DatasetSpecs specs;
  private final ArtifactStore artifacts;
  private final int maxRecords;
  private final Duration maxAge;
  private final EventDeserializer<DataRecord> records = new EventDeserializer<>(DataRecord.class);
  private final EventSerializer<DataRecord> rowEncoder = new EventSerializer<>();

  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Long> acceptedIds;
  private KeyValueStore<String, byte[]> rows;
  private KeyValueStore<String, String> openBatches;

  RecordIntakeProcessor(DatasetSpecs specs, ArtifactStore artifacts, int maxRecords, Duration maxAge) {
    this.specs = specs;
    this.artifacts = artifacts;
    this.maxRecords = maxRecords;
    this.maxAge = maxAge;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    acceptedIds = context.getStateStore(RECORD_IDS);
    rows = context.getStateStore(ROWS);
    openBatches = context.getStateStore(OPEN_BATCHES);
    context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::sealExpired);
  }

  @Override
  public void process(Record<String, byte[]> raw) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    DataRecord record;
    try {
      record = records.deserialize(source.topic(), raw.value());
    } catch (EventDecodingException e) {
      deadLetter(raw, source, e.getMessage());
      return;
    }
    if (record == null) {
      deadLetter(raw, source, "empty record (a tombstone has no meaning on the records topic)");
      return;
    }
    if (!record.getDataset().equals(raw.key())) {
      deadLetter(raw, source, "record key '" + raw.key() + "' must be the dataset name '" + record.getDataset()
          + "', so that all records of a dataset share a partition");
      return;
    }
    Optional<DatasetSpec> spec = specs.current(record.getDataset());
    if (spec.isEmpty()) {
      deadLetter(raw, source, "unknown dataset " + record.getDataset() + "; declare it with PUT /v1/datasets/" + record.getDataset());
      return;
    }
    RecordValidator.Result result = RecordValidator.validate(spec.get(), record.getRecordId(), record.getFeatures(), record.getLabel());
    List<Violation> violations = new ArrayList<>(result.violations());
    String idKey = record.getDataset() + SEPARATOR + record.getRecordId();
    Long firstOffset = result.valid() ? acceptedIds.get(idKey) : null;
    if (firstOffset != null) {
      violations.add(new Violation(spec.get().idField(), "duplicate record id " + record.getRecordId()
          + " (accepted before from partition " + source.partition() + " offset " + firstOffset + ")"));
    }
    if (!violations.isEmpty()) {
      deadLetter(raw, source, "invalid record " + record.getRecordId() + " for dataset " + record.getDataset()
          + " (spec v" + spec.get().version() + "): " + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
      return;
    }
    acceptedIds.put(idKey, source.offset());
    add(spec.get(), record, result, source);
  }

  private void add(DatasetSpec spec, DataRecord record, RecordValidator.Result result, RecordMetadata source) {
    String dataset = spec.dataset();
    String encoded = openBatches.get(dataset);
    OpenBatch open = encoded == null ? null : OpenBatch.decode(encoded);
    if (open != null && open.specVersion() != spec.version()) {
      seal(dataset, open);
      open = null;
    }
    open = open == null ? OpenBatch.first(spec.version(), source.partition(), source.offset(), context.currentSystemTimeMs())
        : open.plus(source.offset());
    DataRecord row = DataRecord.newBuilder(record).setFeatures(result.features()).setLabel(result.label()).build();
    rows.put(rowKey(dataset, source.offset()), rowEncoder.serialize(ROWS, row));
    openBatches.put(dataset, open.encode());
    if (open.count() >= maxRecords) {
      seal(dataset, open);
    }
  }

  private void sealExpired(long now) {
    List<KeyValue<String, String>> expired = new ArrayList<>();
    try (KeyValueIterator<String, String> all = openBatches.all()) {
      all.forEachRemaining(entry -> {
        if (now - OpenBatch.decode(entry.value).openedAtMillis() >= maxAge.toMillis()) {
          expired.add(entry);
        }
      });
    }
    expired.forEach(entry -> seal(entry.key, OpenBatch.decode(entry.value)));
  }

  private void seal(String dataset, OpenBatch open) {
    DatasetSpec spec = specs.version(dataset, open.specVersion()).or(() -> specs.current(dataset)).orElseThrow();
    List<BatchFiles.Row> batch = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> buffered = rows.prefixScan(dataset + SEPARATOR, new StringSerializer())) {
      buffered.forEachRemaining(entry -> {
        DataRecord row = records.deserialize(ROWS, entry.value);
        long offset = Long.parseLong(entry.key.substring(entry.key.indexOf(SEPARATOR) + 1));
        batch.add(new BatchFiles.Row(row.getRecordId(), row.getLabel(), row.getFeatures(), open.partition(), offset));
        keys.add(entry.key);
      });
    }
    String batchId = open.batchId(dataset);
    ArtifactRef artifact = artifacts.put(BatchFiles.write(batchId, batch), BatchFiles.MEDIA_TYPE);
    Map<String, Long> labels = new TreeMap<>();
    batch.stream().filter(r -> r.label() != null).forEach(r -> labels.merge(r.label(), 1L, Long::sum));
    DatasetBatchCommitted committed = DatasetBatchCommitted.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setEventTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
        .setProducer(IngestServiceApplication.NAME)
        .setDataset(dataset)
        .setSpecVersion(open.specVersion())
        .setBatchId(batchId)
        .setRowCount(batch.size())
        .setArtifact(artifact)
        .setSchemaFingerprint(BatchFiles.rowSchemaFingerprint())
        .setFeatures(FeatureSummaries.of(spec, batch))
        .setLabelCounts(labels)
        .build();
    keys.forEach(rows::delete);
    openBatches.delete(dataset);
    context.forward(new Record<>(dataset, (Object) committed, context.currentSystemTimeMs()));
    log.info("Sealed batch {} of dataset {}: {} records, sha256 {}", batchId, dataset, batch.size(), artifact.getSha256());
  }

  private void deadLetter(Record<String, byte[]> raw, RecordMetadata source, String reason) {
    RecordHeaders headers = new RecordHeaders(raw.headers().toArray());
    headers.add(KafkaPlatformAutoConfiguration.REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
    headers.add(KafkaHeaders.DLT_ORIGINAL_TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
    headers.add(KafkaHeaders.DLT_ORIGINAL_PARTITION, ByteBuffer.allocate(Integer.BYTES).putInt(source.partition()).array());
    headers.add(KafkaHeaders.DLT_ORIGINAL_OFFSET, ByteBuffer.allocate(Long.BYTES).putLong(source.offset()).array());
    context.forward(new Record<>(raw.key(), (Object) (raw.value() == null ? new byte[0] : raw.value()), raw.timestamp(), headers));
  }

  /** Offsets zero-padded so a prefix scan returns a dataset's rows in arrival order. */
  private static String rowKey(String dataset, long offset) {
    return dataset + SEPARATOR + String.format("%019d", offset);
  }
}
