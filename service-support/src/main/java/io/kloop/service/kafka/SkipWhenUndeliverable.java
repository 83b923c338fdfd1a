package io.kloop.service.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;

/**
 * Dead-letters a record, and decides what happens when even that fails. While Kafka is unreachable the
 * failure propagates, so the record is retried later and nothing is lost. When the dead-letter topic can
 * never take the record (too large, cannot be serialized), retrying would stop the partition for good:
 * the record is then logged with its coordinates and reason at ERROR and skipped.
 */
final class SkipWhenUndeliverable implements ConsumerRecordRecoverer {

  private static final Logger log = LoggerFactory.getLogger(SkipWhenUndeliverable.class);

  private final ConsumerRecordRecoverer deadLetter;

  SkipWhenUndeliverable(ConsumerRecordRecoverer deadLetter) {
    this.deadLetter = deadLetter;
  }

  @Override
  public void accept(ConsumerRecord<?, ?> record, Exception exception) {
    try {
      deadLetter.accept(record, exception);
    } catch (RuntimeException failure) {
      if (!isPermanent(failure)) {
        throw failure;
      }
      log.error("Skipping {}-{}@{}: it failed ({}) and cannot be dead-lettered either ({})", record.topic(),
          record.partition(), record.offset(), DeadLetterReasons.reason(exception), failure.toString());
    }
  }

  static boolean isPermanent(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RecordTooLargeException || t instanceof SerializationException || t instanceof InvalidTopicException) {
        return true;
      }
    }
    return false;
  }
}
