package io.kloop.service.kafka;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.hibernate.validator.constraints.time.DurationMin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.validation.annotation.Validated;

/**
 * What a Kafka Streams service does when a stream thread dies of an exception its processors did not handle
 * (an artifact store that cannot be written, a bug): it waits a back-off, then replaces the thread, which
 * takes the failed thread's tasks back from their last commit (under exactly-once nothing the failed
 * attempt did is kept). A cause that goes away, such as a full disk or a network store that was away, then
 * costs a pause and nothing else. One that does not go away fails again: once {@code maxReplacements}
 * threads have been replaced without {@code resetAfter} passing free of failures, the next failure shuts
 * the Kafka Streams client down (its health indicator turns DOWN) instead of failing and restoring for ever;
 * its input waits in Kafka until the service is restarted. So does, at once, an {@link
 * UnrecoverableStreamException}: a processor's way of saying that trying again cannot help.
 *
 * <p>Kafka Streams' own default, without a handler, is to shut the client down at the first failure. The
 * back-off doubles with each failure since the last quiet {@code resetAfter}, from {@code firstBackoff} up to
 * {@code maxBackoff}; it is cut short, and the client shut down, when the application context closes or the
 * client stops. A missing source topic, which Kafka Streams reports here without killing the thread, is
 * logged and left to Kafka Streams.
 */
public final class FailedStreamThreads implements StreamsUncaughtExceptionHandler, ApplicationListener<ContextClosedEvent> {

  private static final Logger log = LoggerFactory.getLogger(FailedStreamThreads.class);
  /** How often a back-off looks whether the client still runs. */
  private static final Duration SLICE = Duration.ofMillis(200);

  /**
   * Settings under {@code kloop.streams.failed-thread}.
   *
   * @param maxReplacements failed stream threads replaced in a row (no {@code resetAfter} without a failure
   *     between them); the next failure shuts the client down. 0 shuts it down at the first failure.
   *     Default 10.
   * @param resetAfter how long the service must run without a failure for the count and the back-off to
   *     start again. Default 10 minutes.
   * @param firstBackoff wait before the first replacement; it doubles with each failure in a row. Default 1 s.
   * @param maxBackoff longest wait before a replacement. Default 1 minute; it must stay well under the
   *     consumer's {@code max.poll.interval.ms} (5 minutes in Kafka Streams), as the failed thread keeps its
   *     tasks while it waits.
   */
  @ConfigurationProperties("kloop.streams.failed-thread")
  @Validated
  public record Policy(
      @DefaultValue("10") @Min(value = 0, message = "must be at least 0") int maxReplacements,
      @DefaultValue("10m") @NotNull @DurationMin(nanos = 0, inclusive = false, message = "must be positive") Duration resetAfter,
      @DefaultValue("1s") @NotNull @DurationMin(nanos = 0, message = "must be at least 0") Duration firstBackoff,
      @DefaultValue("1m") @NotNull Duration maxBackoff) {

    /** The one rule across two settings. */
    @AssertTrue(message = "back-offs must satisfy 0 <= first-backoff <= max-backoff")
    boolean isBackoffsInOrder() {
      return firstBackoff == null || maxBackoff == null || maxBackoff.compareTo(firstBackoff) >= 0;
    }

    /** The wait before replacing a thread after the {@code n}th failure in a row (n from 1). */
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

  /**
   * Ends a failed stream thread quietly when the exception that ends it is the one handled (it was logged
   * then), and logs any other as an error.
   */
  record Ended(Throwable handled) implements Thread.UncaughtExceptionHandler {
    @Override
    public void uncaughtException(Thread thread, Throwable exception) {
      if (chain(exception).contains(handled) || chain(handled).contains(exception)) {
        log.debug("Stream thread {} ended with the exception handled above", thread.getName(), exception);
      } else {
        log.error("Stream thread {} ended with an exception", thread.getName(), exception);
      }
    }
  }

  private final Policy policy;
  private final Clock clock;
  private final Pause pause;
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile BooleanSupplier clientStopping = () -> false;
  private int inARow;
  private Instant lastAt;
  private long failures;
  private Failure last;

  public FailedStreamThreads(Policy policy) {
    this.policy = policy;
    this.clock = Clock.systemUTC();
    this.pause = this::awaitUnlessStopping;
  }

  FailedStreamThreads(Policy policy, Clock clock, Pause pause) {
    this.policy = policy;
    this.clock = clock;
    this.pause = pause;
  }

  /** Tells the handler how to see that its Kafka Streams client is stopping, so a back-off ends early. */
  public void watch(BooleanSupplier clientStopping) {
    this.clientStopping = clientStopping;
  }

  @Override
  public StreamThreadExceptionResponse handle(Throwable exception) {
    String thread = Thread.currentThread().getName();
    String cause = describe(exception);
    if (causedBy(exception, MissingSourceTopicException.class)) {
      // Reported on a live thread (Kafka Streams does not replace it, whatever the answer): not a failure.
      log.warn("Kafka Streams reports a missing source topic on {}: {}", thread, cause);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    int n = record();
    if (closing.getCount() == 0 || clientStopping.getAsBoolean()) {
      log.warn("Stream thread {} failed while the service is stopping: not replacing it. Cause: {}", thread, cause);
      return done(thread, cause, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
    if (causedBy(exception, UnrecoverableStreamException.class)) {
      log.error("Stream thread {} failed and trying again cannot help: shutting the Kafka Streams client down, its input waits in"
          + " Kafka until the cause is fixed and the service restarted. Cause: {}", thread, cause, exception);
      return done(thread, cause, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
    if (n > policy.maxReplacements()) {
      log.error("Stream thread {} failed, {} times in a row (kloop.streams.failed-thread.max-replacements is {}): shutting the"
          + " Kafka Streams client down, its input waits in Kafka until the service is restarted. Cause: {}",
          thread, n, policy.maxReplacements(), cause, exception);
      return done(thread, cause, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
    Duration backoff = policy.backoff(n);
    // Kafka Streams logs the stack trace when it replaces the thread.
    log.error("Stream thread {} failed ({} in a row, at most {} are replaced): replacing it in {}, it resumes from the last commit."
        + " Cause: {}", thread, n, policy.maxReplacements(), print(backoff), cause);
    boolean waited;
    try {
      waited = pause.await(backoff);
    } catch (InterruptedException e) {
      // Not re-raised: the thread is dying, and an interrupt flag would make the closing of its clients unclean.
      waited = false;
    }
    if (!waited) {
      log.warn("The service is stopping: not replacing stream thread {}", thread);
      return done(thread, cause, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
    // To replace a thread, Kafka Streams rethrows the exception to end the failed one. It gives the threads
    // it starts with a handler that swallows it, but not the replacements it adds, whose exception the JVM
    // would print on stderr, outside the log format.
    Thread.currentThread().setUncaughtExceptionHandler(new Ended(exception));
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

  /** Counts a failure now and answers how many there have been in a row. */
  private synchronized int record() {
    Instant now = clock.instant();
    if (lastAt != null && !now.isBefore(lastAt.plus(policy.resetAfter()))) {
      inARow = 0;
    }
    lastAt = now;
    failures++;
    return ++inARow;
  }

  private synchronized StreamThreadExceptionResponse done(String thread, String cause, StreamThreadExceptionResponse response) {
    last = new Failure(clock.instant(), thread, cause, response);
    return response;
  }

  private boolean awaitUnlessStopping(Duration duration) throws InterruptedException {
    long deadline = System.nanoTime() + duration.toNanos();
    for (long left = duration.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      if (closing.await(Math.min(left, SLICE.toNanos()), TimeUnit.NANOSECONDS) || clientStopping.getAsBoolean()) {
        return false;
      }
    }
    return true;
  }

  private static boolean causedBy(Throwable exception, Class<? extends Throwable> type) {
    return chain(exception).stream().anyMatch(type::isInstance);
  }

  /** The exception and its causes, at most 8 deep (Kafka Streams wraps a processor's exception in its own). */
  private static List<Throwable> chain(Throwable exception) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = exception; t != null && chain.size() < 8; t = t.getCause() == t ? null : t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  /** 10m, 1m30s, 0.2s. */
  static String print(Duration duration) {
    return duration.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  /** The exception and its causes on one line, each message cut at 300 characters. */
  static String describe(Throwable exception) {
    return chain(exception).stream().map(t -> {
      String message = t.getMessage();
      return t.getClass().getSimpleName() + (message == null ? "" : ": " + (message.length() > 300 ? message.substring(0, 300) + "..." : message));
    }).collect(Collectors.joining(" <- "));
  }
}
