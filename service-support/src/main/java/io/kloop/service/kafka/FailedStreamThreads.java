package io.kloop.service.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * What a Kafka Streams service does when a stream thread dies of an exception its processors did not handle
 * (an artifact store that cannot be written, a bug): it waits a back-off, then replaces the thread, which
 * takes the failed thread's tasks back from their last commit (under exactly-once nothing the failed
 * attempt did is kept). A cause that goes away, such as a full disk or a network store that was away, then
 * costs a pause and nothing else. One that does not go away fails again: after {@code maxReplacements}
 * failures within {@code window} the Kafka Streams client is shut down (its health indicator turns DOWN)
 * instead of failing and restoring for ever; its input waits in Kafka until the service is restarted.
 *
 * <p>Kafka Streams' own default, without a handler, is to shut the client down at the first failure. The
 * back-off doubles with each failure in the window, from {@code firstBackoff} up to {@code maxBackoff}; it
 * is cut short when the application context closes, and the client is then shut down.
 */
public final class FailedStreamThreads implements StreamsUncaughtExceptionHandler, ApplicationListener<ContextClosedEvent> {

  private static final Logger log = LoggerFactory.getLogger(FailedStreamThreads.class);

  /**
   * Settings under {@code kloop.streams.failed-thread}.
   *
   * @param maxReplacements failed stream threads replaced within {@code window}; the next failure shuts
   *     the client down. 0 shuts it down at the first failure. Default 10.
   * @param window how far back failures count. Default 10 minutes.
   * @param firstBackoff wait before the first replacement; it doubles with each failure in the window.
   *     Default 1 s.
   * @param maxBackoff longest wait before a replacement. Default 1 minute; it must stay well under the
   *     consumer's {@code max.poll.interval.ms} (5 minutes in Kafka Streams), as the failed thread keeps its
   *     tasks while it waits.
   */
  @ConfigurationProperties("kloop.streams.failed-thread")
  public record Policy(
      @DefaultValue("10") int maxReplacements,
      @DefaultValue("10m") Duration window,
      @DefaultValue("1s") Duration firstBackoff,
      @DefaultValue("1m") Duration maxBackoff) {

    public Policy {
      if (maxReplacements < 0) {
        throw new IllegalArgumentException("kloop.streams.failed-thread.max-replacements must be at least 0, got " + maxReplacements);
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("kloop.streams.failed-thread.window must be positive, got " + window);
      }
      if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
        throw new IllegalArgumentException("kloop.streams.failed-thread back-offs must satisfy 0 <= first-backoff <= max-backoff, got "
            + firstBackoff + " and " + maxBackoff);
      }
    }

    /** The wait before replacing a thread after the {@code n}th failure in the window (n from 1). */
    Duration backoff(int n) {
      Duration backoff = firstBackoff;
      for (int i = 1; i < n && backoff.compareTo(maxBackoff) < 0; i++) {
        backoff = backoff.multipliedBy(2);
      }
      return backoff.compareTo(maxBackoff) < 0 ? backoff : maxBackoff;
    }
  }

  /** The last failure: when, on which thread, what, and what was done about it. */
  public record Failure(Instant at, String thread, String cause, StreamThreadExceptionResponse response) {}

  /** Waits up to a duration; answers false if it was cut short. */
  interface Pause {
    boolean await(Duration duration) throws InterruptedException;
  }

  private final Policy policy;
  private final Clock clock;
  private final Pause pause;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Deque<Instant> recent = new ArrayDeque<>();
  private long failures;
  private Failure last;

  public FailedStreamThreads(Policy policy) {
    this.policy = policy;
    this.clock = Clock.systemUTC();
    this.pause = duration -> !closing.await(duration.toNanos(), TimeUnit.NANOSECONDS);
  }

  FailedStreamThreads(Policy policy, Clock clock, Pause pause) {
    this.policy = policy;
    this.clock = clock;
    this.pause = pause;
  }

  @Override
  public StreamThreadExceptionResponse handle(Throwable exception) {
    String thread = Thread.currentThread().getName();
    String cause = describe(exception);
    int inWindow = record();
    if (inWindow > policy.maxReplacements() || closing.getCount() == 0) {
      log.error("Stream thread {} failed (failure {} within {}, kloop.streams.failed-thread.max-replacements is {}): shutting the"
          + " Kafka Streams client down, its input waits in Kafka until the service is restarted. Cause: {}",
          thread, inWindow, print(policy.window()), policy.maxReplacements(), cause, exception);
      return done(thread, cause, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
    Duration backoff = policy.backoff(inWindow);
    // Kafka Streams logs the stack trace when it replaces the thread.
    log.error("Stream thread {} failed (failure {} of at most {} within {}): replacing it in {}, it resumes from the last commit."
        + " Cause: {}", thread, inWindow, policy.maxReplacements(), print(policy.window()), print(backoff), cause);
    try {
      if (!pause.await(backoff)) {
        log.warn("The application is closing: not replacing stream thread {}", thread);
        return done(thread, cause, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return done(thread, cause, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
    return done(thread, cause, StreamThreadExceptionResponse.REPLACE_THREAD);
  }

  /** Cuts a back-off short: a closing application replaces no thread. */
  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    closing.countDown();
  }

  /** Stream threads that have failed since the service started. */
  public synchronized long failures() {
    return failures;
  }

  public synchronized Optional<Failure> lastFailure() {
    return Optional.ofNullable(last);
  }

  /** Counts a failure now and answers how many fell within the window. */
  private synchronized int record() {
    Instant now = clock.instant();
    while (!recent.isEmpty() && !recent.peekFirst().isAfter(now.minus(policy.window()))) {
      recent.removeFirst();
    }
    recent.addLast(now);
    failures++;
    return recent.size();
  }

  private synchronized StreamThreadExceptionResponse done(String thread, String cause, StreamThreadExceptionResponse response) {
    last = new Failure(clock.instant(), thread, cause, response);
    return response;
  }

  /** 10m, 1m30s, 0.2s. */
  static String print(Duration duration) {
    return duration.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  /**
   * The exception and its causes on one line (Kafka Streams wraps a processor's exception in its own), each
   * message cut at 300 characters, at most 8 deep.
   */
  static String describe(Throwable exception) {
    StringBuilder text = new StringBuilder();
    Throwable t = exception;
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause() == t ? null : t.getCause()) {
      if (depth > 0) {
        text.append(" <- ");
      }
      text.append(t.getClass().getSimpleName());
      String message = t.getMessage();
      if (message != null) {
        text.append(": ").append(message.length() > 300 ? message.substring(0, 300) + "..." : message);
      }
    }
    return text.toString();
  }
}
