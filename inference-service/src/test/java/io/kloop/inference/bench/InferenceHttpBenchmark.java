package io.kloop.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kloop.events.ArtifactRef;
import io.kloop.inference.InferenceServiceApplication;
import io.kloop.inference.TestModels;
import io.kloop.model.OnnxClassifier;
import io.kloop.schemas.Topics;
import io.kloop.service.artifacts.LocalArtifactStore;
import io.kloop.test.TestEvents;
import io.kloop.test.TestKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP throughput and latency of the named-feature API against a bare Netty server wrapping the same ONNX
 * Runtime model, and the cost of the prediction log, in one JVM and one run (a load driver, not a test of
 * speed). Three servers run side by side: the service with its prediction log to the in-JVM broker, the
 * service with the log off, and the bare Netty control; each request is one instance of the breast cancer
 * data (30 features).
 *
 * <ol>
 *   <li>warm-up: each server under closed-loop load, not counted;
 *   <li>saturation (closed loop, {@code bench.connections} connections): the servers in turn, for
 *       {@code bench.rounds} rounds; medians;
 *   <li>latency (open loop, wrk2-style): each server at half of the service's saturation rate, timed from
 *       each request's due time; p50, p99, p99.9.
 * </ol>
 *
 * <p>Run: {@code ./mvnw -B -ntp -pl inference-service -am verify -Pbenchmark -Dit.test=InferenceHttpBenchmark}.
 * Figures go to {@code inference-service/target/benchmark/inference-http.md}.
 */
class InferenceHttpBenchmark {

  private static final String MODEL = "breast-cancer-bench";
  private static final int CONNECTIONS = Integer.getInteger("bench.connections", 16);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final Duration WARM_UP = Duration.ofSeconds(Integer.getInteger("bench.warmup.seconds", 15));
  private static final Duration ROUND = Duration.ofSeconds(Integer.getInteger("bench.round.seconds", 10));
  private static final Duration OPEN_LOOP = Duration.ofSeconds(Integer.getInteger("bench.latency.seconds", 20));

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

    ConfigurableApplicationContext logged = start(home, true);
    ConfigurableApplicationContext unlogged = start(home, false);
    // The services create the topics they use; approve once they are up.
    TestEvents.publish(Topics.MODEL_APPROVED.name(), MODEL, TestModels.approval(MODEL, 1, artifact, bench.signature));
    try (OnnxClassifier classifier = OnnxClassifier.load(bench.onnx, bench.signature);
         BareNettyServer bare = new BareNettyServer(classifier, Runtime.getRuntime().availableProcessors())) {
      Map<String, Integer> ports = new LinkedHashMap<>();
      ports.put("service, prediction log on", port(logged));
      ports.put("service, prediction log off", port(unlogged));
      ports.put("bare Netty + ONNX Runtime (control)", bare.port());
      for (int port : ports.values().stream().limit(2).toList()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> status(port, "/v2/models/" + MODEL + "/ready") == 200);
      }
      Map<String, LoadDriver> drivers = new LinkedHashMap<>();
      ports.forEach((name, port) -> drivers.put(name, new LoadDriver(port, "/v1/models/" + MODEL + "/predict", bodies, CONNECTIONS)));
      try {
        for (LoadDriver driver : drivers.values()) {
          LoadDriver.Result warm = driver.closedLoop(CONNECTIONS, WARM_UP);
          assertThat(warm.failed()).as("failed requests while warming up").isZero();
        }
        Map<String, List<LoadDriver.Result>> saturation = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
          for (Map.Entry<String, LoadDriver> driver : drivers.entrySet()) {
            LoadDriver.Result result = driver.getValue().closedLoop(CONNECTIONS, ROUND);
            assertThat(result.failed()).as(driver.getKey() + ": failed requests").isZero();
            saturation.computeIfAbsent(driver.getKey(), k -> new ArrayList<>()).add(result);
            System.out.printf(Locale.ROOT, "round %d %-40s %,.0f requests/s%n", round, driver.getKey(), result.perSecond());
          }
        }
        double serviceRate = median(saturation.get("service, prediction log on"), LoadDriver.Result::perSecond);
        double rate = serviceRate / 2;
        Map<String, LoadDriver.Result> latency = new LinkedHashMap<>();
        for (Map.Entry<String, LoadDriver> driver : drivers.entrySet()) {
          LoadDriver.Result result = driver.getValue().openLoop(rate, OPEN_LOOP);
          assertThat(result.failed()).as(driver.getKey() + ": failed requests").isZero();
          latency.put(driver.getKey(), result);
        }
        report(saturation, latency, rate);
      } finally {
        drivers.values().forEach(LoadDriver::close);
      }
    } finally {
      logged.close();
      unlogged.close();
    }
  }

  private void report(Map<String, List<LoadDriver.Result>> saturation, Map<String, LoadDriver.Result> latency, double rate) throws Exception {
    double control = median(saturation.get("bare Netty + ONNX Runtime (control)"), LoadDriver.Result::perSecond);
    double unlogged = median(saturation.get("service, prediction log off"), LoadDriver.Result::perSecond);
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Saturation: closed loop, %d connections, %d rounds of %d s (median); one instance (30 features) per request.%n%n",
        CONNECTIONS, ROUNDS, ROUND.toSeconds()));
    out.append("| server | requests/s | ratio to control | ratio to log off |\n| --- | ---: | ---: | ---: |\n");
    saturation.forEach((name, results) -> {
      double perSecond = median(results, LoadDriver.Result::perSecond);
      out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %.2f |%n", name, perSecond, perSecond / control, perSecond / unlogged));
    });
    out.append(String.format(Locale.ROOT, "%nLatency: open loop at %,.0f requests/s (half of the service's saturation with its log on) for %d s, "
        + "timed from each request's due time.%n%n", rate, OPEN_LOOP.toSeconds()));
    out.append("| server | p50 µs | p99 µs | p99.9 µs | max µs |\n| --- | ---: | ---: | ---: | ---: |\n");
    latency.forEach((name, result) -> out.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f |%n", name,
        result.micros(0.5), result.micros(0.99), result.micros(0.999), result.micros(1.0))));
    System.out.println(out);
    Path file = Path.of("target/benchmark/inference-http.md");
    Files.createDirectories(file.getParent());
    Files.writeString(file, out);
  }

  private static double median(List<LoadDriver.Result> results, ToDoubleFunction<LoadDriver.Result> value) {
    double[] values = results.stream().mapToDouble(value).sorted().toArray();
    return values[values.length / 2];
  }

  private static ConfigurableApplicationContext start(Path home, boolean predictionLog) {
    return InferenceServiceApplication.builder().run(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + TestKafkaBroker.bootstrapServers(),
        "--kloop.inference.artifact-root=" + home.resolve("artifacts"),
        "--kloop.inference.prediction-log=" + predictionLog,
        "--logging.level.root=WARN");
  }

  private static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  private static int status(int port, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
