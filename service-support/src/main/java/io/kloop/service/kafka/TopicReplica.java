package io.kloop.service.kafka;

import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A service's in-memory copy of state kept in Kafka: every instance reads the given topics whole (no
 * consumer group) when it starts, before it takes traffic, and then follows them on a thread of its own,
 * handing each event to a handler. Undecodable records are logged and skipped: a copy of state cannot
 * dead-letter what it does not own.
 */
public class TopicReplica implements SmartLifecycle {

  /** Receives each event of a replicated topic, in order per partition. */
  public interface Handler {
    void apply(Topic<String, ?> topic, ConsumerRecord<String, ?> record, SpecificRecord event);
  }

  private static final Logger log = LoggerFactory.getLogger(TopicReplica.class);
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final Map<String, Object> consumerConfig;
  private final Map<String, Topic<String, ?>> topics = new HashMap<>();
  private final Map<String, EventDeserializer<?>> decoders = new HashMap<>();
  private final Handler handler;
  private final int phase;
  private final AtomicBoolean running = new AtomicBoolean();
  private KafkaConsumer<String, byte[]> consumer;
  private Thread follower;
  private Runnable caughtUp = () -> {};

  /**
   * @param name names the consumer's client id and the follower thread, e.g. {@code training-service-state}
   * @param kafkaConfig the service's consumer settings (bootstrap servers, security); group and
   *     deserializers are replaced
   * @param phase lifecycle phase: lower starts earlier; readers of the state must start after it
   */
  public TopicReplica(String name, Map<String, Object> kafkaConfig, List<Topic<String, ?>> topics, Handler handler, int phase) {
    this.name = name;
    Map<String, Object> config = new HashMap<>(kafkaConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumerConfig = config;
    for (Topic<String, ?> topic : topics) {
      this.topics.put(topic.name(), topic);
      this.decoders.put(topic.name(), decoder(topic));
    }
    this.handler = handler;
    this.phase = phase;
  }

  /**
   * Runs once the topics were read to their end at start-up, before following begins and before
   * {@link #start()} returns: where a service acts on the state it has read (loads the current models,
   * say) rather than on every event of the past.
   */
  public TopicReplica whenCaughtUp(Runnable action) {
    this.caughtUp = action;
    return this;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static EventDeserializer<?> decoder(Topic<String, ?> topic) {
    return new EventDeserializer(topic.valueType());
  }

  /** Reads every topic to its end, then follows them. */
  @Override
  public void start() {
    consumer = new KafkaConsumer<>(consumerConfig);
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics.keySet()) {
      consumer.partitionsFor(topic, CATCH_UP_TIMEOUT).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, CATCH_UP_TIMEOUT);
    long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
    long events = 0;
    while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
      if (System.nanoTime() > deadline) {
        consumer.close();
        throw new IllegalStateException(name + ": could not read " + topics.keySet() + " within " + CATCH_UP_TIMEOUT);
      }
      events += pollOnce();
    }
    log.info("{}: read {} event(s) from {}", name, events, topics.keySet());
    try {
      caughtUp.run();
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
    running.set(true);
    follower = new Thread(this::follow, name);
    follower.setDaemon(true);
    follower.start();
  }

  private void follow() {
    try {
      while (running.get()) {
        pollOnce();
      }
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      log.error("{}: stopped following {}; the service's copy of this state is no longer updated", name, topics.keySet(), e);
      running.set(false);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private int pollOnce() {
    int count = 0;
    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
      count++;
      if (record.value() == null) {
        continue;
      }
      SpecificRecord event;
      try {
        event = (SpecificRecord) decoders.get(record.topic()).deserialize(record.topic(), record.value());
      } catch (EventDecodingException e) {
        log.error("{}: skipping undecodable record {}-{}@{}: {}", name, record.topic(), record.partition(), record.offset(), e.getMessage());
        continue;
      }
      try {
        handler.apply(topics.get(record.topic()), record, event);
      } catch (RuntimeException e) {
        log.error("{}: could not apply {}-{}@{}; skipped", name, record.topic(), record.partition(), record.offset(), e);
      }
    }
    return count;
  }

  @Override
  public void stop() {
    if (running.compareAndSet(true, false)) {
      consumer.wakeup();
      try {
        follower.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running.get();
  }

  @Override
  public int getPhase() {
    return phase;
  }
}
