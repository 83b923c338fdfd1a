package io.kloop.monitor.truth;

import io.kloop.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * Drops the join's dead letters of prediction records: the drift windows read the same records from the same
 * source and dead-letter a bad one already, so each bad prediction is dead-lettered once. Everything else the join
 * emits passes.
 */
public final class DriftOwnsPredictionDeadLetters implements FixedKeyProcessor<String, Object, Object> {

  private static final byte[] PREDICTION_LOG = Topics.PREDICTION_LOGGED.name().getBytes(StandardCharsets.UTF_8);

  private FixedKeyProcessorContext<String, Object> context;

  @Override
  public void init(FixedKeyProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, Object> record) {
    if (record.value() instanceof byte[]) {
      Header topic = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC);
      if (topic != null && Arrays.equals(topic.value(), PREDICTION_LOG)) {
        return;
      }
    }
    context.forward(record);
  }
}
