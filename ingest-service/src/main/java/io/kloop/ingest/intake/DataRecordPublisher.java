package io.kloop.ingest.intake;

import io.kloop.events.DataRecord;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.schemas.EventMetadata;
import io.kloop.schemas.Topics;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes records accepted over HTTP to {@code mlops.ingest.data-record}, the same topic Kafka producers
 * write to, so both paths meet in one pipeline (which seals batches exactly once).
 */
@Component
class DataRecordPublisher {

  static final String HTTP_PRODUCER = IngestServiceApplication.NAME + "/http";

  private final KafkaTemplate<String, Object> template;
  private final Clock clock;

  DataRecordPublisher(KafkaTemplate<String, Object> template, Clock clock) {
    this.template = template;
    this.clock = clock;
  }

  /**
   * Sends the record; its features without those that are missing ({@code null}): the pipeline reads a
   * missing feature as null, and a record must not cost on the topic a name per feature the spec declares.
   */
  CompletableFuture<?> publish(String dataset, String recordId, Map<String, Object> features, String label) {
    Map<String, Object> present = new HashMap<>(features.size() * 2);
    features.forEach((name, value) -> {
      if (value != null) {
        present.put(name, value);
      }
    });
    DataRecord record = EventMetadata.fresh(clock.instant(), HTTP_PRODUCER).build(DataRecord.newBuilder()
        .setDataset(dataset)
        .setRecordId(recordId)
        .setFeatures(present)
        .setLabel(label));
    return template.send(Topics.DATA_RECORD.name(), dataset, record);
  }
}
