package io.kloop.service.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * Dead letters from a Kafka Streams processor, shaped like those of the listeners' error handler: the
 * original key and value bytes, the reason in {@link KafkaPlatformAutoConfiguration#REASON_HEADER} and the
 * original topic, partition and offset in Spring Kafka's {@code kafka_dlt-original-*} headers.
 */
public final class StreamsDeadLetters {

  private StreamsDeadLetters() {}

  /** The dead letter of a raw input record, to be forwarded to the service's dead-letter topic. */
  public static <K> Record<K, Object> of(Record<K, byte[]> raw, RecordMetadata source, String reason) {
    RecordHeaders headers = new RecordHeaders(raw.headers().toArray());
    headers.add(KafkaPlatformAutoConfiguration.REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
    headers.add(KafkaHeaders.DLT_ORIGINAL_TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
    headers.add(KafkaHeaders.DLT_ORIGINAL_PARTITION, ByteBuffer.allocate(Integer.BYTES).putInt(source.partition()).array());
    headers.add(KafkaHeaders.DLT_ORIGINAL_OFFSET, ByteBuffer.allocate(Long.BYTES).putLong(source.offset()).array());
    return new Record<>(raw.key(), raw.value() == null ? new byte[0] : raw.value(), raw.timestamp(), headers);
  }
}
