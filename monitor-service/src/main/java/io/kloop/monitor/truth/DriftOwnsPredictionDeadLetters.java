package io.kloop.monitor.truth;

import io.kloop.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Record;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * Drops the join's dead letters of prediction records that the drift windows emit too: they read the same records
 * from the same source and dead-letter one that cannot be read, is not keyed by its model or names no possible
 * model, so each such prediction is dead-lettered once. The join's own refusals of predictions (ones drift takes,
 * such as an id no label can name) carry a mark ({@link #joinsOwn}), which is removed here, and pass like everything
 * else the join emits.
 */
public final class DriftOwnsPredictionDeadLetters implements FixedKeyProcessor<String, Object, Object> {

  /** The header that marks a dead letter of a prediction as the join's alone; never leaves the topology. */
  static final String JOINS_OWN = "kloop.truth.own-dead-letter";

  private static final byte[] PREDICTION_LOG = Topics.PREDICTION_LOGGED.name().getBytes(StandardCharsets.UTF_8);

  /** The record, with new headers marking its dead letter as the join's alone (the input's headers are left as they are). */
  static Record<String, byte[]> joinsOwn(Record<String, byte[]> raw) {
    RecordHeaders headers = new RecordHeaders(raw.headers().toArray());
    headers.add(JOINS_OWN, new byte[0]);
    return raw.withHeaders(headers);
  }

  private FixedKeyProcessorContext<String, Object> context;

  @Override
  public void init(FixedKeyProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, Object> record) {
    if (record.value() instanceof byte[]) {
      Header topic = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC);
      if (record.headers().lastHeader(JOINS_OWN) != null) {
        record.headers().remove(JOINS_OWN);
      } else if (topic != null && Arrays.equals(topic.value(), PREDICTION_LOG)) {
        return;
      }
    }
    context.forward(record);
  }
}
