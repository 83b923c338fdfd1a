package io.kloop.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ArtifactRef;
import io.kloop.inference.TestModels;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.test.BenchmarkReports;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP throughput and latency of the named-feature API against a bare Netty server wrapping the same ONNX
 * Runtime model, and the cost of the prediction log, in one run (a load driver, not a test of speed). Three
 * servers run side by side, each in a JVM of its own with the same options ({@link ForkedJvm}): the service
 * (its executable jar) with its prediction log to the broker, the service with the log off, and the bare
 * Netty control. The load driver and the broker share the benchmark's JVM. Each request is one instance of
 * the breast cancer data (30 features).
 *
 * <ol>
 *   <li>warm-up: each server under closed-loop load, not counted;
 *   <li>saturation (closed loop, {@code bench.connections} connections): the servers in turn, for
 *       {@code bench.rounds} rounds; medians;
 *   <li>latency (open loop, wrk2-style): each server at half of the service's saturation rate (the goal's),
 *       then at a tenth of it (the machine's own tail when nearly idle), timed from each request's due time;
 *       p50, p99, p99.9.
 * </ol>
 *
 * <p>Run: {@code ./mvnw -B -ntp -pl inference-service -am verify -Pbenchmark -Dit.test=InferenceHttpBenchmark}.
 * Figures go to {@code inference-service/target/benchmark/inference-http.md}.
 */
class InferenceHttpBenchmark {

  private static final String MODEL = "breast-cancer-bench";
  private static final int CONNECTIONS = Integer.getInteger("bench.connections", 16);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
  /**
   * Warm-up per server, until it is steady: at least {@code bench.warmup.seconds}, then slices of 10 s
   * until the last three are within 10 % of each other, at most four times the minimum. Each server has its
   * own JIT: on two cores the service's reactive stack keeps C2 busy for minutes (compilations of up to a
   * second each), and rounds measured before that mostly measure the compiler.
   */
  private static final Duration WARM_UP = Duration.ofSeconds(Integer.getInteger("bench.warmup.seconds", 60));
  private static final Duration WARM_UP_SLICE = Duration.ofSeconds(Math.min(10, WARM_UP.toSeconds()));
  private static final double STEADY = 1.10;
  private static final Duration ROUND = Duration.ofSeconds(Integer.getInteger("bench.round.seconds", 10));
  private static final Duration OPEN_LOOP = Duration.ofSeconds(Integer.getInteger("bench.latency.seconds", 20));

  private static final String LOG_ON = "service, prediction log on";
  private static final String LOG_OFF = "service, prediction log off";
  private static final String CONTROL = "bare Netty + ONNX Runtime (control)";

  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void measure(@TempDir Path home) throws Exception {
    BenchModel bench = new BenchModel();
    LocalArtifactStore store = new LocalArtifactStore(home.resolve("artifacts"));
    ArtifactRef artifact = store.put(bench.onnx, "application/onnx");
    List<byte[]> bodies = new ArrayList<>();
    for (Map<String, Object> instance : bench.instances) {
      bodies.add(json.writeValueAsBytes(Map.of("instances", List.of(instance))));
    }

    Map<String, ForkedJvm> servers = new LinkedHashMap<>();
    try {
      servers.put(LOG_ON, service(home, "service-log-on", true));
      servers.put(LOG_OFF, service(home, "service-log-off", false));
      servers.put(CONTROL, ForkedJvm.main(CONTROL, home.resolve("control.log"), BareNettyServer.class));
      // The services create the topics they use; approve once they are up.
      for (String name : List.of(LOG_ON, LOG_OFF)) {
        awaitServer(servers.get(name), port -> status(port, "/actuator/health/liveness") == 200);
      }
      TestEvents.publish(Topics.MODEL_APPROVED.name(), MODEL, TestModels.approval(MODEL, 1, artifact, bench.signature));
      for (String name : List.of(LOG_ON, LOG_OFF)) {
        awaitServer(servers.get(name), port -> status(port, "/v2/models/" + MODEL + "/ready") == 200);
      }
      awaitServer(servers.get(CONTROL), InferenceHttpBenchmark::accepts);
      Map<String, LoadDriver> drivers = new LinkedHashMap<>();
      servers.forEach((name, server) -> drivers.put(name, new LoadDriver(server.port, "/v1/models/" + MODEL + "/predict", bodies, CONNECTIONS)));
      try {
        Map<String, String> warmUps = new LinkedHashMap<>();
        drivers.forEach((name, driver) -> warmUps.put(name, warmUp(name, driver)));
        Map<String, List<LoadDriver.Result>> saturation = new LinkedHashMap<>();
        Map<String, List<Double>> cpuPerRequest = new LinkedHashMap<>();
        Map<String, List<Double>> driverCpuPerRequest = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
          for (Map.Entry<String, LoadDriver> driver : drivers.entrySet()) {
            ForkedJvm server = servers.get(driver.getKey());
            Duration cpuBefore = server.cpu();
            Duration driverCpuBefore = ownCpu();
            LoadDriver.Result result = driver.getValue().closedLoop(CONNECTIONS, ROUND);
            double cpuMicros = server.cpu().minus(cpuBefore).toNanos() / 1e3 / result.ok();
            driverCpuPerRequest.computeIfAbsent(driver.getKey(), k -> new ArrayList<>())
                .add(ownCpu().minus(driverCpuBefore).toNanos() / 1e3 / result.ok());
            assertThat(result.failed()).as(driver.getKey() + ": failed requests").isZero();
            saturation.computeIfAbsent(driver.getKey(), k -> new ArrayList<>()).add(result);
            cpuPerRequest.computeIfAbsent(driver.getKey(), k -> new ArrayList<>()).add(cpuMicros);
            System.out.printf(Locale.ROOT, "round %d %-40s %,.0f requests/s, %.0f µs CPU per request%n", round, driver.getKey(),
                result.perSecond(), cpuMicros);
          }
        }
        double serviceRate = median(saturation.get(LOG_ON), LoadDriver.Result::perSecond);
        // The goal's rate (half of saturation), and a tenth of it: what the machine's tail is when it is nearly idle.
        Map<Double, Map<String, LoadDriver.Result>> latency = new LinkedHashMap<>();
        for (double rate : List.of(serviceRate / 2, serviceRate / 10)) {
          for (Map.Entry<String, LoadDriver> driver : drivers.entrySet()) {
            LoadDriver.Result result = driver.getValue().openLoop(rate, OPEN_LOOP);
            assertThat(result.failed()).as(driver.getKey() + ": failed requests").isZero();
            latency.computeIfAbsent(rate, r -> new LinkedHashMap<>()).put(driver.getKey(), result);
          }
        }
        // The log-on figures count only if the log kept up: every event sent, none dropped or failed.
        Map<String, Object> counts = predictionLog(servers.get(LOG_ON).port);
        assertThat(counts).as("prediction log of the log-on service").containsEntry("dropped", 0).containsEntry("failed", 0);
        assertThat(((Number) counts.get("sent")).longValue()).as("events sent").isGreaterThan(0);
        report(warmUps, saturation, cpuPerRequest, driverCpuPerRequest, latency);
      } finally {
        drivers.values().forEach(LoadDriver::close);
      }
    } finally {
      for (ForkedJvm server : servers.values()) {
        server.close();
      }
    }
  }

  /** Closed-loop load in slices until the server is steady (see {@link #WARM_UP}); says how long it took. */
  private static String warmUp(String name, LoadDriver driver) {
    List<Double> rates = new ArrayList<>();
    long start = System.nanoTime();
    while (true) {
      LoadDriver.Result slice;
      try {
        slice = driver.closedLoop(CONNECTIONS, WARM_UP_SLICE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      assertThat(slice.failed()).as(name + ": failed requests while warming up").isZero();
      rates.add(slice.perSecond());
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      List<Double> last = rates.subList(Math.max(0, rates.size() - 3), rates.size());
      boolean steady = last.size() == 3 && Collections.max(last) <= STEADY * Collections.min(last);
      if (elapsed.compareTo(WARM_UP) >= 0 && (steady || elapsed.compareTo(WARM_UP.multipliedBy(4)) >= 0)) {
        String outcome = String.format(Locale.ROOT, "%d s%s (last slices %s requests/s)", elapsed.toSeconds(), steady ? "" : ", not steady",
            last.stream().map(rate -> String.format(Locale.ROOT, "%,.0f", rate)).toList());
        System.out.printf(Locale.ROOT, "warm-up %-40s %s%n", name, outcome);
        return outcome;
      }
    }
  }

  private void report(Map<String, String> warmUps, Map<String, List<LoadDriver.Result>> saturation, Map<String, List<Double>> cpuPerRequest,
      Map<String, List<Double>> driverCpuPerRequest, Map<Double, Map<String, LoadDriver.Result>> latency) throws Exception {
    double control = median(saturation.get(CONTROL), LoadDriver.Result::perSecond);
    double unlogged = median(saturation.get(LOG_OFF), LoadDriver.Result::perSecond);
    StringBuilder out = new StringBuilder("Warm-up (closed loop until steady):\n\n");
    warmUps.forEach((name, warmUp) -> out.append("- ").append(name).append(": ").append(warmUp).append('\n'));
    out.append('\n');
    out.append(String.format(Locale.ROOT, "Saturation: closed loop, %d connections, %d rounds of %d s (median); one instance (30 features) per request.%n%n",
        CONNECTIONS, ROUNDS, ROUND.toSeconds()));
    out.append("| server | requests/s | ratio to control | ratio to log off |\n| --- | ---: | ---: | ---: |\n");
    saturation.forEach((name, results) -> {
      double perSecond = median(results, LoadDriver.Result::perSecond);
      out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %.2f |%n", name, perSecond, perSecond / control, perSecond / unlogged));
    });
    double unloggedCpu = median(cpuPerRequest.get(LOG_OFF), Double::doubleValue);
    out.append("\nCPU time per request answered, same rounds (medians): the server's JVM (all its threads: event loops, prediction "
        + "log, JIT, GC), and the benchmark's JVM (the load driver, and the broker that receives the prediction log):\n\n");
    out.append("| server | server CPU µs per request | ratio to log off | load driver + broker CPU µs per request |\n"
        + "| --- | ---: | ---: | ---: |\n");
    cpuPerRequest.forEach((name, values) -> {
      double micros = median(values, Double::doubleValue);
      out.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.0f |%n", name, micros, micros / unloggedCpu,
          median(driverCpuPerRequest.get(name), Double::doubleValue)));
    });
    out.append(String.format(Locale.ROOT, "%nLatency: open loop for %d s per server and rate, timed from each request's due time, at half "
        + "of the service's saturation with its log on (the goal's rate), then at a tenth of it.%n%n", OPEN_LOOP.toSeconds()));
    out.append("| server | requests/s | p50 µs | p99 µs | p99.9 µs | max µs |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
    latency.forEach((rate, results) -> results.forEach((name, result) -> out.append(String.format(Locale.ROOT,
        "| %s | %,.0f | %.0f | %.0f | %.0f | %.0f |%n", name, rate, result.micros(0.5), result.micros(0.99), result.micros(0.999),
        result.micros(1.0)))));
    System.out.println(out);
    Path file = BenchmarkReports.file("inference-http.md");
    Files.createDirectories(file.getParent());
    Files.writeString(file, out);
  }

  private static <T> double median(List<T> results, ToDoubleFunction<T> value) {
    double[] values = results.stream().mapToDouble(value).sorted().toArray();
    return values[values.length / 2];
  }

  /** The service from its executable jar, in a JVM of its own, on the in-JVM broker. */
  private static ForkedJvm service(Path home, String name, boolean predictionLog) {
    return ForkedJvm.service(name, home.resolve(name + ".log"),
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--kloop.inference.artifact-root=" + home.resolve("artifacts"),
        "--kloop.inference.prediction-log=" + predictionLog,
        "--logging.level.root=WARN");
  }

  private static Duration ownCpu() {
    return ProcessHandle.current().info().totalCpuDuration().orElseThrow();
  }

  /** Waits until the server passes the check, failing with its output if it exits first. */
  private static void awaitServer(ForkedJvm server, IntPredicate check) {
    await().atMost(Duration.ofSeconds(120)).until(() -> !server.alive() || check.test(server.port));
    assertThat(server.alive()).as(server::output).isTrue();
  }

  /** The prediction log's counts from the readiness detail. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> predictionLog(int port) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    Map<?, ?> components = (Map<?, ?>) json.readValue(response.body(), Map.class).get("components");
    return (Map<String, Object>) ((Map<?, ?>) components.get("predictionLog")).get("details");
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int status(int port, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
