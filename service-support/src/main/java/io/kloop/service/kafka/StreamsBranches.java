package io.kloop.service.kafka;

import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Branches of a processor's mixed output stream (events of several types, and dead letters as raw bytes),
 * each written to its topic with the topic's serdes.
 */
public final class StreamsBranches {

  private StreamsBranches() {}

  /** Writes the branch's events (all of the topic's value type) to the topic. */
  @SuppressWarnings("unchecked")
  public static <T> Branched<String, Object> to(Topic<String, T> topic) {
    return Branched.withConsumer(events -> events
        .mapValues(value -> (T) value)
        .to(topic.name(), Produced.with(topic.keySerde(), topic.valueSerde())));
  }

  /** Writes the branch's dead letters (raw bytes, see {@link StreamsDeadLetters}) to the service's dead-letter topic. */
  public static Branched<String, Object> toDeadLetters(String service) {
    return Branched.withConsumer(deadLetters -> deadLetters
        .mapValues(value -> (byte[]) value)
        .to(Topics.deadLetter(service).name(), Produced.with(Serdes.String(), Serdes.ByteArray())));
  }
}
