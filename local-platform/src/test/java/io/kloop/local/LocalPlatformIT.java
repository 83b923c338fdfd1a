package io.kloop.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default as a user runs it: broker, topics and all five services, then a clean stop and a restart. */
class LocalPlatformIT {

  @TempDir Path home;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void oneLogConfiguration() {
    LocalPlatform.useOneLogConfiguration();
  }

  @Test
  void shouldRunBrokerAndAllServicesToReadinessStopCleanlyAndReuseItsDataOnRestart() throws Exception {
    String clusterId;
    String operatorToken;
    List<Integer> ports = new ArrayList<>();
    try (LocalPlatform platform = new LocalPlatform(LocalPlatformSettings.parse(FreePorts.arguments(home))).start()) {
      assertThat(platform.runningServices())
          .containsExactly("ingest-service", "training-service", "registry-service", "inference-service", "monitor-service");
      for (String service : platform.runningServices()) {
        int port = platform.httpPort(service);
        ports.add(port);
        assertReady(service, port);
        HttpResponse<String> metrics = get(port, "/actuator/prometheus");
        assertThat(metrics.statusCode()).as("%s prometheus", service).isEqualTo(200);
        assertThat(metrics.body()).contains("application=\"" + service + "\"");
      }
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.broker().bootstrapServers()))) {
        assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS))
            .containsAll(Topics.all().stream().map(Topic::name).toList());
        clusterId = admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS);
      }
      assertThat(platform.summary()).contains("kcat -b " + platform.broker().bootstrapServers() + " -L")
          .contains("Bearer $(cat " + platform.operatorTokenFile() + ")");
      // The registry takes the local operator's token (the call passes access control and finds no such model) and no other.
      String token = Files.readString(platform.operatorTokenFile()).trim();
      assertThat(token).matches("[0-9a-f]{64}");
      int registry = platform.httpPort("registry-service");
      assertThat(post(registry, "/v1/models/nothing-yet/rollback", token).statusCode()).isEqualTo(404);
      assertThat(post(registry, "/v1/models/nothing-yet/rollback", "not-" + token).statusCode()).isEqualTo(403);
      operatorToken = token;
    }
    assertThat(new LocalPlatform(LocalPlatformSettings.parse("--home=" + home)).operatorToken()).as("token kept between runs")
        .isEqualTo(operatorToken);

    for (int port : ports) {
      assertThatThrownBy(() -> get(port, "/actuator/health/liveness")).isInstanceOf(ConnectException.class);
    }

    // Again, as ./kloop runs it: the packaged jar in its own JVM, on the same home, stopped with a signal.
    Path output = home.resolve("platform.log");
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-Xmx1g", "-jar", "target/local-platform.jar"));
    command.addAll(List.of(FreePorts.arguments(home)));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(180)).until(() -> !process.isAlive() || Files.readString(output).contains("Ctrl-C stops it"));
      String printed = Files.readString(output);
      assertThat(process.isAlive()).as("platform output:%n%s", printed).isTrue();
      Matcher kafka = Pattern.compile("kafka\\s+(127\\.0\\.0\\.1:\\d+)").matcher(printed);
      assertThat(kafka.find()).isTrue();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.group(1)))) {
        assertThat(admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS)).isEqualTo(clusterId);
      }
      Matcher service = Pattern.compile("(\\S+-service)\\s+http://127\\.0\\.0\\.1:(\\d+)").matcher(printed);
      int services = 0;
      while (service.find()) {
        assertReady(service.group(1), Integer.parseInt(service.group(2)));
        services++;
      }
      assertThat(services).isEqualTo(5);
    } finally {
      process.destroy();
    }
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("platform stops on SIGTERM").isTrue();
    assertThat(Files.readString(output)).contains("Stopping Kafka broker");
  }

  private void assertReady(String service, int port) {
    // The first Kafka health check of a cold admin client can take a moment on a loaded machine.
    await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
      HttpResponse<String> readiness = get(port, "/actuator/health/readiness");
      assertThat(readiness.statusCode()).as("%s readiness: %s", service, readiness.body()).isEqualTo(200);
      assertThat(readiness.body()).contains("\"status\":\"UP\"");
      // Every service but inference, which answers without Kafka, is out of rotation while Kafka is away.
      if (!service.equals("inference-service")) {
        assertThat(readiness.body()).contains("\"kafka\"");
      }
    });
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(get(port, "/actuator/health/liveness").statusCode()).as("%s liveness", service).isEqualTo(200));
  }

  private HttpResponse<String> post(int port, String path, String token) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"test\"}")).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
