package io.kloop.inference.log;

import io.kloop.events.PredictionLogged;
import io.kloop.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.kloop.service.tracing.KloopTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Every prediction served, to {@code mlops.inference.prediction-logged}, without slowing or failing the
 * request: requests put events into a bounded buffer (never waiting, never waking a thread), and one
 * sender thread moves them to a Kafka producer in batches every few milliseconds. When Kafka is slow or
 * away and the buffer is full, new events are dropped and counted
 * ({@code kloop.inference.prediction.log.dropped}), so memory stays bounded. Drops and events Kafka did
 * not take are logged at most once a minute each, with the counts so far. On shutdown, after
 * the HTTP server has stopped taking requests (this lifecycle stops after it), the buffer is drained into
 * the producer and the producer flushed.
 *
 * <p>An event handed over with the trace context of its request's scoring span is sent in a span of its own
 * ({@code send mlops.inference.prediction-logged}, a child of the scoring span), whose W3C trace context
 * goes in the record's headers, so the monitor continues the prediction's trace. Events of requests that
 * are not traced (tracing off, or not sampled) carry no headers and cost no span.
 */
public class PredictionLog implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(PredictionLog.class);
  private static final int BATCH = 500;
  private static final long DRAIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);
  private static final long WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private static final String TOPIC = Topics.PREDICTION_LOGGED.name();

  /** An event waiting to be sent, with the trace context of the scoring span it belongs to (null when untraced). */
  private record Pending(PredictionLogged event, SpanContext scoring) {}

  private final Producer<String, PredictionLogged> producer;
  private final BlockingQueue<Pending> buffer;
  private final Counter logged;
  private final Counter dropped;
  private final Counter failed;
  private final KafkaClientMetrics clientMetrics;
  private final KloopTracing tracing;
  private final AtomicBoolean running = new AtomicBoolean();
  private final int capacity;
  /** When drops and failures were last logged (System.nanoTime()): each at most once a minute. */
  private final AtomicLong dropWarned = new AtomicLong(System.nanoTime() - WARNING_INTERVAL_NANOS);
  private final AtomicLong failureWarned = new AtomicLong(System.nanoTime() - WARNING_INTERVAL_NANOS);
  private Thread sender;

  public PredictionLog(Producer<String, PredictionLogged> producer, int capacity, MeterRegistry meters) {
    this(producer, capacity, meters, KloopTracing.OFF);
  }

  public PredictionLog(Producer<String, PredictionLogged> producer, int capacity, MeterRegistry meters, KloopTracing tracing) {
    this.producer = producer;
    this.capacity = capacity;
    this.buffer = new ArrayBlockingQueue<>(capacity);
    this.tracing = tracing;
    this.logged = meters.counter("kloop.inference.prediction.log.sent");
    this.dropped = meters.counter("kloop.inference.prediction.log.dropped");
    this.failed = meters.counter("kloop.inference.prediction.log.failed");
    meters.gauge("kloop.inference.prediction.log.buffered", buffer, BlockingQueue::size);
    // The producer's own client metrics (send rate, errors, batch sizes, buffer use) beside those of Boot's clients.
    this.clientMetrics = new KafkaClientMetrics(producer);
    clientMetrics.bindTo(meters);
  }

  /** Hands an event over; never blocks. False (and counted) when the buffer is full. */
  public boolean offer(PredictionLogged event) {
    return offer(event, null);
  }

  /**
   * Hands an event over with the trace context of its request's scoring span (null when the request is
   * not traced); never blocks. False (and counted) when the buffer is full.
   */
  public boolean offer(PredictionLogged event, SpanContext scoring) {
    if (buffer.offer(new Pending(event, scoring))) {
      return true;
    }
    dropped.increment();
    if (due(dropWarned)) {
      log.warn("Prediction log: buffer full ({} events) while Kafka is slow or away; new predictions are not logged ({} dropped so far, "
          + "kloop.inference.prediction.log.dropped)", capacity, (long) dropped.count());
    }
    return false;
  }

  /** The log's counts, for the readiness detail: it never makes the service unready. */
  public Map<String, Object> status() {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("capacity", capacity);
    status.put("buffered", buffer.size());
    status.put("sent", (long) logged.count());
    status.put("dropped", (long) dropped.count());
    status.put("failed", (long) failed.count());
    return status;
  }

  private static boolean due(AtomicLong lastWarned) {
    long now = System.nanoTime();
    long last = lastWarned.get();
    return now - last >= WARNING_INTERVAL_NANOS && lastWarned.compareAndSet(last, now);
  }

  @Override
  public void start() {
    if (running.compareAndSet(false, true)) {
      sender = new Thread(this::send, "prediction-log-sender");
      sender.setDaemon(true);
      sender.start();
    }
  }

  private void send() {
    List<Pending> batch = new ArrayList<>(BATCH);
    while (running.get() || !buffer.isEmpty()) {
      try {
        // The sender drains the buffer on its own clock rather than being woken by each event: a request
        // pays for one offer into the buffer (a short lock) and never for a thread wake-up. The producer
        // batches for 20 ms anyway, so waiting up to DRAIN_INTERVAL here delays no batch.
        if (buffer.drainTo(batch, BATCH) == 0) {
          LockSupport.parkNanos(DRAIN_INTERVAL_NANOS);
          continue;
        }
        for (Pending pending : batch) {
          if (pending.scoring() == null) {
            producer.send(new ProducerRecord<>(TOPIC, pending.event().getModel(), pending.event()), this::sent);
          } else {
            sendTraced(pending);
          }
        }
        batch.clear();
      } catch (RuntimeException e) {
        // A send refused at once (producer closed, record too large): counted, never fatal to the sender.
        failed.increment(batch.size());
        log.warn("Prediction log: {} event(s) not sent: {}", batch.size(), e.toString());
        batch.clear();
      }
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
    }
  }

  private void sent(RecordMetadata metadata, Exception error) {
    if (error == null) {
      logged.increment();
    } else {
      failed.increment();
      if (due(failureWarned)) {
        log.warn("Prediction log: Kafka did not take events ({} failed so far, kloop.inference.prediction.log.failed): {}",
            (long) failed.count(), error.toString());
      }
    }
  }

  /** A send in a span of its own, child of the scoring span; the span ends when Kafka has answered. */
  private void sendTraced(Pending pending) {
    Span span = tracing.span("send " + TOPIC).setSpanKind(SpanKind.PRODUCER)
        .setParent(Context.root().with(Span.wrap(pending.scoring())))
        .setAttribute("messaging.system", "kafka").setAttribute("messaging.destination.name", TOPIC)
        .setAttribute("messaging.operation.type", "send").setAttribute("kloop.model", pending.event().getModel())
        .setAttribute("kloop.model.version", pending.event().getVersion())
        .startSpan();
    RecordHeaders headers = new RecordHeaders();
    tracing.inject(span, headers);
    try {
      producer.send(new ProducerRecord<>(TOPIC, null, pending.event().getModel(), pending.event(), headers), (metadata, error) -> {
        sent(metadata, error);
        if (error != null) {
          span.recordException(error);
          span.setStatus(StatusCode.ERROR);
        }
        span.end();
      });
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      span.end();
      throw e;
    }
  }

  @Override
  public void stop() {
    if (running.compareAndSet(true, false)) {
      try {
        sender.join(FLUSH_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.flush();
      clientMetrics.close();
      producer.close(FLUSH_TIMEOUT);
      if (!buffer.isEmpty()) {
        dropped.increment(buffer.size());
        log.warn("Prediction log: {} event(s) still buffered at shutdown were lost", buffer.size());
      }
      log.info("Prediction log flushed: {} sent, {} dropped, {} failed", (long) logged.count(), (long) dropped.count(), (long) failed.count());
    }
  }

  @Override
  public boolean isRunning() {
    return running.get();
  }

  /** Starts before and stops after the web server, so every request it served is in the buffer when it drains. */
  @Override
  public int getPhase() {
    return 0;
  }
}
