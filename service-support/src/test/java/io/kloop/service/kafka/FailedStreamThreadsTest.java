package io.kloop.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kloop.service.settings.SettingsValidation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.GenericApplicationContext;

class FailedStreamThreadsTest {

  private final MovableClock clock = new MovableClock();
  private final List<Duration> waits = new ArrayList<>();
  private boolean cutShort;

  private FailedStreamThreads failedThreads(int maxReplacements) {
    FailedStreamThreads.Policy policy = new FailedStreamThreads.Policy(maxReplacements, Duration.ofMinutes(10), Duration.ofSeconds(1),
        Duration.ofSeconds(5));
    return new FailedStreamThreads(policy, clock, duration -> {
      waits.add(duration);
      clock.now = clock.now.plus(duration);
      return !cutShort;
    });
  }

  @Test
  void shouldReplaceAFailedThreadAfterADoublingCappedBackoff() {
    FailedStreamThreads failed = failedThreads(5);

    for (int i = 0; i < 5; i++) {
      assertThat(failed.handle(new IllegalStateException("boom " + i))).isEqualTo(REPLACE_THREAD);
    }

    assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5),
        Duration.ofSeconds(5));
    assertThat(failed.failures()).isEqualTo(5);
    assertThat(failed.lastFailure()).hasValueSatisfying(last -> {
      assertThat(last.response()).isEqualTo(REPLACE_THREAD);
      assertThat(last.cause()).isEqualTo("IllegalStateException: boom 4");
      assertThat(last.thread()).isEqualTo(Thread.currentThread().getName());
    });
  }

  @Test
  void shouldShutTheClientDownOnceTheFailuresInARowPassTheLimit() {
    FailedStreamThreads failed = failedThreads(2);

    assertThat(failed.handle(new IllegalStateException("one"))).isEqualTo(REPLACE_THREAD);
    assertThat(failed.handle(new IllegalStateException("two"))).isEqualTo(REPLACE_THREAD);
    assertThat(failed.handle(new IllegalStateException("three"))).isEqualTo(SHUTDOWN_CLIENT);

    assertThat(waits).as("no wait before shutting down").hasSize(2);
    assertThat(failed.lastFailure()).hasValueSatisfying(last -> assertThat(last.response()).isEqualTo(SHUTDOWN_CLIENT));
  }

  @Test
  void shouldStartCountingAgainAfterAQuietResetPeriod() {
    FailedStreamThreads failed = failedThreads(2);
    failed.handle(new IllegalStateException("one"));
    failed.handle(new IllegalStateException("two"));

    clock.now = clock.now.plus(Duration.ofMinutes(10));

    assertThat(failed.handle(new IllegalStateException("three, much later"))).isEqualTo(REPLACE_THREAD);
    assertThat(waits).as("the back-off starts again").endsWith(Duration.ofSeconds(1));
    assertThat(failed.failures()).isEqualTo(3);
  }

  @Test
  void shouldGiveUpOnACauseThatStaysEvenWhenEachReplacementTakesAWhile() {
    FailedStreamThreads failed = failedThreads(3);

    // Each replacement waits for the dead thread's session to expire (45 s) and restores its state.
    for (int i = 0; i < 3; i++) {
      assertThat(failed.handle(new IllegalStateException("disk full"))).isEqualTo(REPLACE_THREAD);
      clock.now = clock.now.plus(Duration.ofSeconds(45 + 30));
    }
    assertThat(failed.handle(new IllegalStateException("disk still full"))).isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  void shouldShutDownAtOnceWhenTryingAgainCannotHelp() {
    FailedStreamThreads failed = failedThreads(5);

    assertThat(failed.handle(new StreamsException("wrapped", new UnrecoverableStreamException("input gone"))))
        .isEqualTo(SHUTDOWN_CLIENT);
    assertThat(waits).isEmpty();
    assertThat(failed.lastFailure()).hasValueSatisfying(last -> assertThat(last.cause()).endsWith("UnrecoverableStreamException: input gone"));
  }

  @Test
  void shouldLeaveAMissingSourceTopicToKafkaStreams() {
    FailedStreamThreads failed = failedThreads(0);

    assertThat(failed.handle(new MissingSourceTopicException("One or more source topics were missing"))).isEqualTo(REPLACE_THREAD);
    assertThat(failed.failures()).as("not a failed thread").isZero();
    assertThat(waits).isEmpty();
  }

  @Test
  void shouldNeverReplaceWithZeroReplacements() {
    FailedStreamThreads failed = failedThreads(0);

    assertThat(failed.handle(new IllegalStateException("one"))).isEqualTo(SHUTDOWN_CLIENT);
    assertThat(waits).isEmpty();
  }

  @Test
  void shouldShutDownWhenTheBackoffIsCutShortOrTheContextIsClosing() {
    FailedStreamThreads failed = failedThreads(5);
    cutShort = true;
    assertThat(failed.handle(new IllegalStateException("during the back-off"))).isEqualTo(SHUTDOWN_CLIENT);

    cutShort = false;
    failed.onApplicationEvent(new ContextClosedEvent(new GenericApplicationContext()));
    assertThat(failed.handle(new IllegalStateException("after close"))).isEqualTo(SHUTDOWN_CLIENT);
    assertThat(waits).as("no back-off once closing").hasSize(1);
  }

  @Test
  @Timeout(60)
  void shouldEndAReplacedThreadWithoutItsExceptionReachingTheJvmWideHandler() throws Exception {
    FailedStreamThreads failed = failedThreads(5);
    IllegalStateException boom = new IllegalStateException("boom");
    List<Throwable> reachedDefault = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> reachedDefault.add(e));
    try {
      CompletableFuture<StreamThreadExceptionResponse> response = new CompletableFuture<>();
      CompletableFuture<Thread.UncaughtExceptionHandler> ownHandler = new CompletableFuture<>();
      // As Kafka Streams does on REPLACE_THREAD: the handler runs on the failed thread, which then rethrows.
      Thread streamThread = new Thread(() -> {
        response.complete(failed.handle(boom));
        ownHandler.complete(Thread.currentThread().getUncaughtExceptionHandler());
        throw boom;
      });
      streamThread.start();
      streamThread.join(30_000);

      assertThat(streamThread.isAlive()).isFalse();
      assertThat(response.get()).isEqualTo(REPLACE_THREAD);
      assertThat(ownHandler.get()).isEqualTo(new FailedStreamThreads.Ended(boom));
      assertThat(reachedDefault).isEmpty();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  @Test
  void shouldLogAnExceptionOtherThanTheHandledOneThatEndsTheThreadAsAnError() {
    IllegalStateException handled = new IllegalStateException("handled");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(FailedStreamThreads.class);
    Level level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logger.addAppender(logged);
    logged.start();
    try {
      FailedStreamThreads.Ended ended = new FailedStreamThreads.Ended(handled);
      ended.uncaughtException(Thread.currentThread(), handled);
      ended.uncaughtException(Thread.currentThread(), new RuntimeException("wrapped by Kafka Streams", handled));
      ended.uncaughtException(Thread.currentThread(), new IllegalArgumentException("another"));

      assertThat(logged.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.DEBUG, Level.DEBUG, Level.ERROR);
      assertThat(logged.list.get(2).getThrowableProxy().getMessage()).isEqualTo("another");
    } finally {
      logger.detachAppender(logged);
      logger.setLevel(level);
    }
  }

  @Test
  @Timeout(60)
  void shouldCutABackoffShortWhenTheContextCloses() throws Exception {
    FailedStreamThreads failed = new FailedStreamThreads(new FailedStreamThreads.Policy(5, Duration.ofMinutes(10), Duration.ofHours(1),
        Duration.ofHours(1)));
    CompletableFuture<StreamThreadExceptionResponse> response = new CompletableFuture<>();
    Thread streamThread = new Thread(() -> response.complete(failed.handle(new IllegalStateException("failed as the service stops"))));
    streamThread.start();
    // In its hour-long back-off.
    await().atMost(Duration.ofSeconds(30)).until(() -> streamThread.getState() == Thread.State.TIMED_WAITING);

    failed.onApplicationEvent(new ContextClosedEvent(new GenericApplicationContext()));

    assertThat(response.get(30, TimeUnit.SECONDS)).isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  @Timeout(60)
  void shouldCutABackoffShortWhenTheClientStops() throws Exception {
    FailedStreamThreads failed = new FailedStreamThreads(new FailedStreamThreads.Policy(5, Duration.ofMinutes(10), Duration.ofHours(1),
        Duration.ofHours(1)));
    AtomicBoolean stopping = new AtomicBoolean();
    failed.watch(stopping::get);
    CompletableFuture<StreamThreadExceptionResponse> response = new CompletableFuture<>();
    Thread streamThread = new Thread(() -> response.complete(failed.handle(new IllegalStateException("failed as the client stops"))));
    streamThread.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> streamThread.getState() == Thread.State.TIMED_WAITING);

    stopping.set(true);

    assertThat(response.get(30, TimeUnit.SECONDS)).isEqualTo(SHUTDOWN_CLIENT);
    assertThat(failed.lastFailure()).hasValueSatisfying(last -> assertThat(last.response()).isEqualTo(SHUTDOWN_CLIENT));
  }

  @Test
  void shouldDescribeAWrappedExceptionOnOneLine() {
    StreamsException wrapped = new StreamsException("Exception caught in process. taskId=0_0",
        new UncheckedIOException("cannot store artifact abc", new IOException("No space left on device")));

    assertThat(FailedStreamThreads.describe(wrapped)).isEqualTo("StreamsException: Exception caught in process. taskId=0_0"
        + " <- UncheckedIOException: cannot store artifact abc <- IOException: No space left on device");
    assertThat(FailedStreamThreads.describe(new IllegalStateException("x".repeat(400)))).hasSize("IllegalStateException: ".length() + 303);
  }

  @Test
  void shouldPrintDurationsShort() {
    assertThat(FailedStreamThreads.print(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(FailedStreamThreads.print(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(FailedStreamThreads.print(Duration.ofMillis(200))).isEqualTo("0.2s");
  }

  @Test
  void shouldRefuseAnInconsistentPolicy() {
    assertThatThrownBy(() -> checked(new FailedStreamThreads.Policy(-1, Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofSeconds(1))))
        .hasMessageContaining("max-replacements");
    assertThatThrownBy(() -> checked(new FailedStreamThreads.Policy(1, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1))))
        .hasMessageContaining("reset-after");
    assertThatThrownBy(() -> checked(new FailedStreamThreads.Policy(1, Duration.ofMinutes(1), Duration.ofSeconds(2), Duration.ofSeconds(1))))
        .hasMessageContaining("first-backoff <= max-backoff");
  }

  /** The policy as the service binds it: checked against its constraints (the settings' rules live there, not in the constructor). */
  private static FailedStreamThreads.Policy checked(FailedStreamThreads.Policy policy) {
    SettingsValidation.check("kloop.streams.failed-thread", policy);
    return policy;
  }

  private static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-11-22T10:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
