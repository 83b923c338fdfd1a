package io.kloop.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    LocalPlatformSettings settings = LocalPlatformSettings.parse(freePortArguments());
    String clusterId;
    List<Integer> ports = new ArrayList<>();
    try (LocalPlatform platform = new LocalPlatform(settings).start()) {
      assertThat(platform.runningServices())
          .containsExactly("ingest-service", "training-service", "registry-service", "inference-service", "monitor-service");
      for (String service : platform.runningServices()) {
        int port = platform.httpPort(service);
        ports.add(port);
        HttpResponse<String> readiness = get(port, "/actuator/health/readiness");
        assertThat(readiness.statusCode()).as("%s readiness", service).isEqualTo(200);
        assertThat(readiness.body()).contains("\"status\":\"UP\"").contains("\"kafka\"");
        assertThat(get(port, "/actuator/health/liveness").statusCode()).as("%s liveness", service).isEqualTo(200);
        HttpResponse<String> metrics = get(port, "/actuator/prometheus");
        assertThat(metrics.statusCode()).as("%s prometheus", service).isEqualTo(200);
        assertThat(metrics.body()).contains("application=\"" + service + "\"");
      }
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.broker().bootstrapServers()))) {
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
            .containsAll(Topics.all().stream().map(Topic::name).toList());
        clusterId = admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
      }
      assertThat(platform.summary()).contains("kcat -b " + platform.broker().bootstrapServers() + " -L");
    }

    for (int port : ports) {
      assertThatThrownBy(() -> get(port, "/actuator/health/liveness")).isInstanceOf(ConnectException.class);
    }

    try (LocalPlatform again = new LocalPlatform(LocalPlatformSettings.parse(freePortArguments())).start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", again.broker().bootstrapServers()))) {
      assertThat(again.broker().dataDirectory()).isEqualTo(home.resolve("kafka").toAbsolutePath());
      assertThat(admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS)).isEqualTo(clusterId);
    }
  }

  @Test
  void shouldExplainABadArgument() {
    assertThatThrownBy(() -> LocalPlatformSettings.parse("--nonsense-port=1"))
        .hasMessageContaining("unknown option --nonsense-port");
    assertThatThrownBy(() -> LocalPlatformSettings.parse("--kafka-port=ninety"))
        .hasMessageContaining("--kafka-port needs a port number, not 'ninety'");
  }

  private String[] freePortArguments() {
    List<String> args = new ArrayList<>(List.of("--home=" + home, "--kafka-port=0", "--controller-port=0"));
    LocalPlatform.SERVICES.forEach(s -> args.add("--" + s.name() + "-port=0"));
    return args.toArray(String[]::new);
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
