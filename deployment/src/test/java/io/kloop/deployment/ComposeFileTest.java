package io.kloop.deployment;

import static io.kloop.deployment.RepositoryFiles.at;
import static io.kloop.deployment.RepositoryFiles.list;
import static io.kloop.deployment.RepositoryFiles.map;
import static io.kloop.deployment.RepositoryFiles.maps;
import static io.kloop.deployment.RepositoryFiles.string;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docker-compose.yml runs the services as their code expects to be run. */
class ComposeFileTest {

  private static final String LIVENESS = "/actuator/health/liveness";
  private static final String READINESS = "/actuator/health/readiness";

  private final ComposeFile compose = new ComposeFile();
  private final List<PlatformService> services = PlatformService.all();

  @Test
  void shouldGiveEveryServiceAComposeServiceWithItsOwnPort() {
    for (PlatformService service : services) {
      assertThat(compose.serviceNames()).contains(service.name());
      assertThat(compose.ports(service.name())).as(service.name()).contains(service.port() + ":" + service.port());
      assertThat(compose.environment(service.name())).as(service.name()).containsEntry("SERVER_PORT", String.valueOf(service.port()));
    }
  }

  @Test
  void shouldBuildEveryServiceImageFromItsOwnBootJar() {
    for (PlatformService service : services) {
      Map<String, Object> build = map(compose.service(service.name()).get("build"));
      assertThat(string(build.get("context"))).as(service.name()).isEqualTo(".");
      assertThat(RepositoryFiles.root().resolve(string(build.get("dockerfile")))).as(service.name())
          .isEqualTo(DockerImageTest.DOCKERFILE);
      assertThat(map(build.get("args"))).as(service.name()).containsEntry("SERVICE", service.name());
      assertThat(string(compose.service(service.name()).get("image"))).as(service.name()).startsWith("kloop/" + service.name() + ":");
    }
  }

  @Test
  void shouldCheckTheHealthOfEveryContainer() {
    for (String name : compose.serviceNames()) {
      assertThat(compose.healthcheck(name)).as("health check of %s", name).isNotBlank().doesNotContain("NONE");
      assertThat(at(compose.service(name), "healthcheck", "disable")).as(name).isNotEqualTo(Boolean.TRUE);
    }
    for (PlatformService service : services) {
      assertThat(compose.healthcheck(service.name())).as(service.name())
          .containsAnyOf("http://127.0.0.1:" + service.port() + READINESS, "http://127.0.0.1:" + service.port() + LIVENESS,
              "http://localhost:" + service.port() + READINESS, "http://localhost:" + service.port() + LIVENESS);
    }
  }

  @Test
  void shouldStartEveryContainerOnlyOnceWhatItNeedsIsHealthy() {
    for (String name : compose.serviceNames()) {
      compose.dependsOn(name).forEach((dependency, condition) -> {
        assertThat(compose.serviceNames()).as("%s depends on %s", name, dependency).contains(dependency);
        assertThat(string(map(condition).get("condition"))).as("%s waits for %s", name, dependency).isEqualTo("service_healthy");
      });
    }
    for (PlatformService service : services) {
      assertThat(compose.dependsOn(service.name())).as(service.name()).containsKeys("kafka", "otel-collector");
    }
  }

  @Test
  void shouldGiveEveryServiceOnlyEnvironmentVariablesItsConfigurationKnows() {
    for (PlatformService service : services) {
      assertThat(EnvironmentBinding.unknown(compose.environment(service.name()), service))
          .as("variables of %s that set no property it has", service.name())
          .isEmpty();
    }
  }

  @Test
  void shouldConnectEveryServiceToTheComposeBrokerAndCollector() {
    List<String> advertised = List.of(compose.environment("kafka").get("KAFKA_ADVERTISED_LISTENERS").split(","));
    Map<String, Object> collector = RepositoryFiles.yaml(RepositoryFiles.path("deployment/otel-collector.yaml"));
    String otlpHttp = string(at(collector, "receivers", "otlp", "protocols", "http", "endpoint"));
    String otlpHttpPort = otlpHttp.substring(otlpHttp.lastIndexOf(':') + 1);
    for (PlatformService service : services) {
      Map<String, String> environment = compose.environment(service.name());
      String bootstrap = environment.get("SPRING_KAFKA_BOOTSTRAP_SERVERS");
      assertThat(advertised).as("listeners the broker advertises, to %s", service.name())
          .anySatisfy(listener -> assertThat(listener).endsWith("://" + bootstrap));
      assertThat(bootstrap).startsWith("kafka:");
      assertThat(environment).as(service.name())
          .containsEntry("OTEL_SERVICE_NAME", service.name())
          .containsEntry("OTEL_TRACES_EXPORTER", "otlp")
          .containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector:" + otlpHttpPort)
          .containsEntry("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    }
  }

  @Test
  void shouldRunOneKraftNodeWithEveryReplicationFactorAndMinIsrAtOne() {
    Map<String, String> kafka = compose.environment("kafka");
    assertThat(string(compose.service("kafka").get("image"))).isEqualTo("apache/kafka:" + RepositoryFiles.kafkaVersion());
    assertThat(kafka.get("KAFKA_PROCESS_ROLES")).contains("broker").contains("controller");
    // The services commit transactions (exactly-once Kafka Streams) and consumer offsets; share groups too.
    List<String> oneReplica = List.of("KAFKA_DEFAULT_REPLICATION_FACTOR", "KAFKA_MIN_INSYNC_REPLICAS",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR");
    for (String key : oneReplica) {
      assertThat(kafka).as(key).containsEntry(key, "1");
    }
    assertThat(kafka.keySet().stream().filter(k -> k.endsWith("_REPLICATION_FACTOR") || k.endsWith("_MIN_ISR")
        || k.endsWith("_INSYNC_REPLICAS"))).allSatisfy(key -> assertThat(kafka.get(key)).as(key).isEqualTo("1"));
  }

  @Test
  void shouldShareOneArtifactVolumeWhereEveryArtifactRootPoints() {
    Set<String> volumes = new HashSet<>();
    for (PlatformService service : services) {
      Map<String, String> environment = compose.environment(service.name());
      if (service.artifactRootProperty().isEmpty()) {
        assertThat(compose.mounts(service.name()).values()).as(service.name()).doesNotContain("/var/lib/kloop/artifacts");
        continue;
      }
      String root = environment.get(EnvironmentBinding.variable(service.artifactRootProperty().get()));
      assertThat(root).as("artifact root of %s", service.name()).isNotBlank();
      String volume = compose.mounts(service.name()).entrySet().stream()
          .filter(mount -> mount.getValue().equals(root)).map(Map.Entry::getKey).findFirst()
          .orElseThrow(() -> new AssertionError(service.name() + " mounts nothing at its artifact root " + root));
      assertThat(compose.volumes()).as("named volumes").containsKey(volume);
      volumes.add(volume);
    }
    assertThat(volumes).as("artifact volumes").hasSize(1);
  }

  @Test
  void shouldKeepEachKafkaStreamsStateOnAVolumeOfItsOwn() {
    Set<String> volumes = new HashSet<>();
    for (PlatformService service : services) {
      String stateDir = compose.environment(service.name()).get("SPRING_KAFKA_STREAMS_STATE_DIR");
      if (!service.streamsStateDir()) {
        assertThat(stateDir).as(service.name()).isNull();
        continue;
      }
      assertThat(stateDir).as("state dir of %s", service.name()).isNotBlank();
      String volume = compose.mounts(service.name()).entrySet().stream()
          .filter(mount -> mount.getValue().equals(stateDir)).map(Map.Entry::getKey).findFirst()
          .orElseThrow(() -> new AssertionError(service.name() + " mounts nothing at its state dir " + stateDir));
      assertThat(volumes.add(volume)).as("%s shares its state volume %s", service.name(), volume).isTrue();
    }
  }

  @Test
  void shouldMountOnlyFilesThatExist() {
    for (String name : compose.serviceNames()) {
      compose.mounts(name).keySet().stream().filter(source -> source.startsWith("./")).forEach(source ->
          assertThat(RepositoryFiles.root().resolve(source)).as("%s mounts %s", name, source).exists());
    }
  }

  @Test
  void shouldScrapeEveryServiceWithPrometheus() {
    String config = compose.mounts("prometheus").entrySet().stream()
        .filter(mount -> mount.getValue().equals("/etc/prometheus/prometheus.yml")).map(Map.Entry::getKey).findFirst()
        .orElseThrow(() -> new AssertionError("prometheus.yml is not mounted"));
    List<Map<String, Object>> jobs = maps(RepositoryFiles.yaml(RepositoryFiles.root().resolve(config)).get("scrape_configs"));
    for (PlatformService service : services) {
      assertThat(jobs).as("scrape jobs").anySatisfy(job -> {
        assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
        assertThat(maps(job.get("static_configs")).stream().flatMap(c -> list(c.get("targets")).stream()).toList())
            .contains(service.name() + ":" + service.port());
      });
    }
    Set<String> hosts = new HashSet<>(compose.serviceNames());
    jobs.forEach(job -> maps(job.get("static_configs")).stream().flatMap(c -> list(c.get("targets")).stream())
        .forEach(target -> assertThat(hosts).as("host of target %s", target).contains(String.valueOf(target).split(":")[0])));
  }

  @Test
  void shouldExportTracesFromTheCollectorToJaeger() {
    assertThat(compose.mounts("otel-collector")).containsEntry("./deployment/otel-collector.yaml", "/etc/otelcol/config.yaml");
    Map<String, Object> collector = RepositoryFiles.yaml(RepositoryFiles.path("deployment/otel-collector.yaml"));
    Map<String, Object> traces = map(at(collector, "service", "pipelines", "traces"));
    assertThat(list(traces.get("receivers"))).contains("otlp");
    List<Object> exporters = list(traces.get("exporters"));
    assertThat(exporters).anySatisfy(exporter -> {
      String endpoint = string(at(collector, "exporters", String.valueOf(exporter), "endpoint"));
      assertThat(endpoint).isNotNull();
      String host = URI.create(endpoint.contains("://") ? endpoint : "grpc://" + endpoint).getHost();
      assertThat(host).isEqualTo("jaeger");
    });
    assertThat(compose.serviceNames()).contains("jaeger");
    assertThat(Files.exists(RepositoryFiles.path("deployment/otel-collector.Dockerfile"))).isTrue();
  }
}
