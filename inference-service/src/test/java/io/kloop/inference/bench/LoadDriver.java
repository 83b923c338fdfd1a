package io.kloop.inference.bench;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * An HTTP load driver with its own event loop and connection pool (so it neither shares nor outlives the
 * servers' resources). Two modes:
 *
 * <ul>
 *   <li><b>closed loop</b> (saturation, as wrk measures it): a fixed number of connections, each sending its
 *       next request as soon as the last is answered;
 *   <li><b>open loop</b> (latency, as wrk2 measures it): requests are due at a constant rate whatever the
 *       server does, and each latency is measured from the time the request was <i>due</i>, not from when it
 *       could be sent, so a stalled server is charged for every request that queued behind the stall
 *       (no coordinated omission).
 * </ul>
 */
final class LoadDriver implements AutoCloseable {

  /** A run's outcome: requests answered 200, the others, elapsed time, and latencies (nanoseconds, open loop only). */
  record Result(long ok, long failed, long elapsedNanos, long[] latencies) {

    double perSecond() {
      return ok * 1e9 / elapsedNanos;
    }

    /** The latency at quantile {@code q} in microseconds (open loop only). */
    double micros(double q) {
      if (latencies.length == 0) {
        throw new IllegalStateException("no latencies: the closed loop does not time requests");
      }
      long[] sorted = latencies.clone();
      Arrays.sort(sorted);
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1_000.0;
    }
  }

  /** The most a request may wait for its answer. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final LoopResources loops;
  private final ConnectionProvider pool;
  private final HttpClient client;
  private final String path;
  private final List<byte[]> bodies;

  /**
   * @param bodies request bodies, sent in turn
   * @param connections the most connections open at once
   */
  LoadDriver(int port, String path, List<byte[]> bodies, int connections) {
    this.loops = LoopResources.create("load-driver", 1, true);
    this.pool = ConnectionProvider.builder("load-driver").maxConnections(connections).pendingAcquireMaxCount(-1).build();
    this.client = HttpClient.create(pool).runOn(loops).baseUrl("http://127.0.0.1:" + port)
        .headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON))
        // A request unanswered this long counts as failed rather than holding its connection for good.
        .responseTimeout(REQUEST_TIMEOUT);
    this.path = path;
    this.bodies = bodies;
  }

  private Mono<Integer> call(long i) {
    byte[] body = bodies.get((int) (i % bodies.size()));
    return client.post().uri(path).send(ByteBufMono.fromString(Mono.just(new String(body, StandardCharsets.UTF_8))))
        .responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
        .onErrorReturn(-1);
  }

  /** Saturation: {@code users} connections sending back to back for the duration. */
  Result closedLoop(int users, Duration duration) throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong sequence = new AtomicLong();
    CountDownLatch done = new CountDownLatch(users);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    for (int u = 0; u < users; u++) {
      next(sequence, ok, failed, end, done);
    }
    // Every connection's last request was sent before the end; a request still unanswered long after it hangs.
    if (!done.await(duration.toSeconds() + 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("requests of the closed loop still unanswered 2 minutes after its end");
    }
    return new Result(ok.get(), failed.get(), System.nanoTime() - start, new long[0]);
  }

  private void next(AtomicLong sequence, AtomicLong ok, AtomicLong failed, long end, CountDownLatch done) {
    if (System.nanoTime() >= end) {
      done.countDown();
      return;
    }
    call(sequence.getAndIncrement()).subscribe(status -> {
      (status == 200 ? ok : failed).incrementAndGet();
      next(sequence, ok, failed, end, done);
    });
  }

  /** Latency: requests due at {@code rate} per second for the duration, each timed from when it was due. */
  Result openLoop(double rate, Duration duration) throws InterruptedException {
    int count = (int) (rate * duration.toNanos() / 1e9);
    if (count < 1) {
      throw new IllegalArgumentException("an open loop of " + rate + " requests per second for " + duration + " sends no request");
    }
    long[] latencies = new long[count];
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch answered = new CountDownLatch(count);
    double interval = 1e9 / rate;
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long due = start + (long) (i * interval);
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      call(i).subscribe(status -> {
        latencies[index] = System.nanoTime() - due;
        (status == 200 ? ok : failed).incrementAndGet();
        answered.countDown();
      });
    }
    if (!answered.await(REQUEST_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException((answered.getCount()) + " requests still unanswered two minutes after the last was due");
    }
    return new Result(ok.get(), failed.get(), System.nanoTime() - start, latencies);
  }

  @Override
  public void close() {
    pool.disposeLater().block(Duration.ofSeconds(10));
    loops.disposeLater().block(Duration.ofSeconds(10));
  }
}
