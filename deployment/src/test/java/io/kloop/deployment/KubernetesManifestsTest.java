package io.kloop.deployment;

import static io.kloop.deployment.RepositoryFiles.at;
import static io.kloop.deployment.RepositoryFiles.list;
import static io.kloop.deployment.RepositoryFiles.map;
import static io.kloop.deployment.RepositoryFiles.maps;
import static io.kloop.deployment.RepositoryFiles.string;
import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * k8s/ deploys the services as their code expects to be run, and Kafka with every platform topic, in the
 * base and in every overlay (each built the way {@code kubectl apply -k} builds it).
 */
class KubernetesManifestsTest {

  static final List<String> KUSTOMIZATIONS = Workloads.KUSTOMIZATIONS;
  static final List<String> OVERLAYS = List.of("overlays/dev", "overlays/prod");

  private static final String LIVENESS = "/actuator/health/liveness";
  private static final String READINESS = "/actuator/health/readiness";
  private static final String ARTIFACT_CLAIM = "kloop-artifacts";

  private final List<PlatformService> services = PlatformService.all();

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldGiveEveryServiceADeploymentAndAServiceWithItsOwnPort(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    for (PlatformService service : services) {
      Map<String, Object> deployment = Workloads.deployment(resources, service.name());
      Map<String, Object> container = Workloads.container(deployment);
      assertThat(maps(container.get("ports"))).as(service.name())
          .anySatisfy(port -> assertThat(port).containsEntry("name", "http").containsEntry("containerPort", service.port()));
      assertThat(Workloads.environment(resources, deployment)).as(service.name())
          .containsEntry("SERVER_PORT", String.valueOf(service.port()));

      Map<String, Object> podLabels = map(at(deployment, "spec", "template", "metadata", "labels"));
      assertThat(podLabels).containsAllEntriesOf(stringMap(at(deployment, "spec", "selector", "matchLabels")));
      Map<String, Object> k8sService = Kustomization.find(resources, "Service", service.name())
          .orElseThrow(() -> new AssertionError("no Service " + service.name()));
      assertThat(podLabels).as("pods the Service %s selects", service.name())
          .containsAllEntriesOf(stringMap(at(k8sService, "spec", "selector")));
      assertThat(maps(at(k8sService, "spec", "ports"))).as(service.name()).anySatisfy(port -> {
        assertThat(port.get("port")).isEqualTo(service.port());
        assertThat(String.valueOf(port.get("targetPort"))).isIn("http", String.valueOf(service.port()));
      });
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldProbeLivenessAndReadinessOnTheActuatorPaths(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    for (PlatformService service : services) {
      Map<String, Object> container = Workloads.container(Workloads.deployment(resources, service.name()));
      assertProbe(service, container, "livenessProbe", LIVENESS);
      assertProbe(service, container, "readinessProbe", READINESS);
      if (container.get("startupProbe") != null) {
        assertProbe(service, container, "startupProbe", LIVENESS);
      }
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldRequestAndLimitTheResourcesOfEveryContainer(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    for (PlatformService service : services) {
      Map<String, Object> limits = map(at(Workloads.container(Workloads.deployment(resources, service.name())), "resources"));
      for (String resource : List.of("cpu", "memory")) {
        Object request = at(limits, "requests", resource);
        Object limit = at(limits, "limits", resource);
        assertThat(request).as("%s requests %s", service.name(), resource).isNotNull();
        assertThat(limit).as("%s limits %s", service.name(), resource).isNotNull();
        assertThat(quantity(string(request))).as("%s: %s request within its limit", service.name(), resource)
            .isLessThanOrEqualTo(quantity(string(limit)));
      }
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldGiveEveryServiceOnlyEnvironmentVariablesItsConfigurationKnows(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    for (PlatformService service : services) {
      Map<String, Object> deployment = Workloads.deployment(resources, service.name());
      assertThat(EnvironmentBinding.unknown(Workloads.environment(resources, deployment), service))
          .as("variables of %s that set no property it has", service.name())
          .isEmpty();
      for (Map<String, Object> source : maps(Workloads.container(deployment).get("envFrom"))) {
        if (source.get("secretRef") != null) {
          assertThat(at(source, "secretRef", "optional")).as("%s starts without its secret %s", service.name(), source)
              .isEqualTo(Boolean.TRUE);
        }
      }
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldConnectEveryServiceToTheStrimziBootstrapService(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    Map<String, Object> kafka = kafka(resources);
    Set<String> plainBootstraps = maps(at(kafka, "spec", "kafka", "listeners")).stream()
        .filter(listener -> Boolean.FALSE.equals(listener.get("tls")))
        .map(listener -> Kustomization.name(kafka) + "-kafka-bootstrap:" + listener.get("port"))
        .collect(Collectors.toSet());
    for (PlatformService service : services) {
      Map<String, String> environment = Workloads.environment(resources, Workloads.deployment(resources, service.name()));
      assertThat(environment.get("SPRING_KAFKA_BOOTSTRAP_SERVERS")).as(service.name()).isIn(plainBootstraps);
      assertThat(environment).as(service.name())
          .containsEntry("OTEL_SERVICE_NAME", service.name())
          .containsEntry("OTEL_TRACES_EXPORTER", "otlp")
          .containsKey("OTEL_EXPORTER_OTLP_ENDPOINT");
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldMountTheSharedArtifactClaimWhereverAnArtifactRootIsSet(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    Map<String, Object> claim = Kustomization.find(resources, "PersistentVolumeClaim", ARTIFACT_CLAIM)
        .orElseThrow(() -> new AssertionError("no PersistentVolumeClaim " + ARTIFACT_CLAIM));
    // Pods on every node write and read it; a single-node development cluster may do with ReadWriteOnce.
    assertThat(list(at(claim, "spec", "accessModes"))).as("access of %s in %s", ARTIFACT_CLAIM, kustomization)
        .containsExactly(kustomization.equals("overlays/dev") ? "ReadWriteOnce" : "ReadWriteMany");
    for (PlatformService service : services) {
      Map<String, Object> deployment = Workloads.deployment(resources, service.name());
      Map<String, String> mounts = Workloads.mounts(deployment);
      if (service.artifactRootProperty().isEmpty()) {
        assertThat(mounts.values().stream().map(volume -> Workloads.volume(deployment, volume)))
            .as("%s has no artifact store", service.name())
            .noneSatisfy(volume -> assertThat(at(volume, "persistentVolumeClaim", "claimName")).isEqualTo(ARTIFACT_CLAIM));
        continue;
      }
      String root = Workloads.environment(resources, deployment).get(EnvironmentBinding.variable(service.artifactRootProperty().get()));
      assertThat(root).as("artifact root of %s", service.name()).isNotBlank();
      assertThat(mounts).as("%s mounts its artifact root", service.name()).containsKey(root);
      assertThat(at(Workloads.volume(deployment, mounts.get(root)), "persistentVolumeClaim", "claimName")).as(service.name())
          .isEqualTo(ARTIFACT_CLAIM);
    }
  }

  /** A read-only root file system leaves writable only what is mounted: Streams' state, and /tmp (native libraries). */
  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldMountEveryDirectoryAServiceWritesTo(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    for (PlatformService service : services) {
      Map<String, Object> deployment = Workloads.deployment(resources, service.name());
      Map<String, String> environment = Workloads.environment(resources, deployment);
      Map<String, String> mounts = Workloads.mounts(deployment);
      String stateDir = environment.get("SPRING_KAFKA_STREAMS_STATE_DIR");
      assertThat(stateDir != null).as("%s gets a Kafka Streams state dir", service.name()).isEqualTo(service.streamsStateDir());
      if (stateDir != null) {
        assertThat(mounts).as(service.name()).containsKey(stateDir);
      }
      if (Boolean.TRUE.equals(at(Workloads.container(deployment), "securityContext", "readOnlyRootFilesystem"))) {
        assertThat(mounts).as(service.name()).containsKey("/tmp");
      }
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldDeclareEveryPlatformTopicWithItsPartitionsAndCleanupPolicy(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    Map<String, Map<String, Object>> declared = topics(resources);
    for (Topic<?, ?> topic : Topics.all()) {
      Map<String, Object> kafkaTopic = declared.get(topic.name());
      assertThat(kafkaTopic).as("KafkaTopic %s", topic.name()).isNotNull();
      assertThat(at(kafkaTopic, "spec", "partitions")).as("partitions of %s", topic.name()).isEqualTo(topic.partitions());
      assertThat(stringMap(at(kafkaTopic, "spec", "config"))).as("config of %s", topic.name()).isEqualTo(topic.configs());
      assertThat(at(kafkaTopic, "metadata", "labels", "strimzi.io/cluster")).as("cluster of %s", topic.name())
          .isEqualTo(Kustomization.name(kafka(resources)));
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldDeclareNoTopicThePlatformDoesNotKnow(String kustomization) {
    Set<String> known = Topics.all().stream().map(Topic::name).collect(Collectors.toSet());
    assertThat(topics(Kustomization.of(kustomization).build()).keySet()).isSubsetOf(known);
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldListEveryManifestInItsKustomization(String kustomization) throws IOException {
    Kustomization k = Kustomization.of(kustomization);
    Set<String> listed = new HashSet<>(k.resources());
    listed.addAll(k.patchFiles());
    for (String entry : listed) {
      assertThat(k.directory.resolve(entry)).as("%s lists %s", kustomization, entry).exists();
    }
    try (Stream<Path> files = Files.list(k.directory)) {
      List<String> manifests = files.map(f -> f.getFileName().toString())
          .filter(f -> f.endsWith(".yaml") || f.endsWith(".yml"))
          .filter(f -> !f.equals("kustomization.yaml"))
          .toList();
      assertThat(listed).as("files of %s that its kustomization.yaml lists", kustomization).containsAll(manifests);
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldScaleTheInferenceDeploymentWithItsAutoscaler(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    List<Map<String, Object>> autoscalers = Kustomization.ofKind(resources, "HorizontalPodAutoscaler");
    assertThat(autoscalers).anySatisfy(hpa -> {
      assertThat(stringMap(at(hpa, "spec", "scaleTargetRef")))
          .containsEntry("apiVersion", "apps/v1").containsEntry("kind", "Deployment").containsEntry("name", "inference-service");
      int min = (Integer) at(hpa, "spec", "minReplicas");
      int max = (Integer) at(hpa, "spec", "maxReplicas");
      assertThat(min).isPositive().isLessThanOrEqualTo(max);
      assertThat(maps(at(hpa, "spec", "metrics"))).anySatisfy(metric -> assertThat(at(metric, "resource", "name")).isEqualTo("cpu"));
    });
    for (Map<String, Object> hpa : autoscalers) {
      String target = string(at(hpa, "spec", "scaleTargetRef", "name"));
      Map<String, Object> deployment = Workloads.deployment(resources, target);
      assertThat(at(deployment, "spec", "replicas")).as("replicas of %s are the autoscaler's", target).isNull();
      assertThat(at(Workloads.container(deployment), "resources", "requests", "cpu")).as(target).isNotNull();
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldKeepReplicationFactorsAndMinIsrWithinTheBrokers(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    Map<String, Object> kafka = kafka(resources);
    int brokers = Kustomization.ofKind(resources, "KafkaNodePool").stream()
        .filter(pool -> Kustomization.name(kafka).equals(at(pool, "metadata", "labels", "strimzi.io/cluster")))
        .filter(pool -> list(at(pool, "spec", "roles")).contains("broker"))
        .mapToInt(pool -> (Integer) at(pool, "spec", "replicas"))
        .sum();
    assertThat(brokers).isPositive();
    Map<String, Object> config = map(at(kafka, "spec", "kafka", "config"));
    // Each replication factor, and the min ISR that writes (acks=all, transactions) need from it.
    Map<String, String> minIsrOf = new LinkedHashMap<>();
    minIsrOf.put("default.replication.factor", "min.insync.replicas");
    minIsrOf.put("offsets.topic.replication.factor", null);
    minIsrOf.put("transaction.state.log.replication.factor", "transaction.state.log.min.isr");
    minIsrOf.put("share.coordinator.state.topic.replication.factor", "share.coordinator.state.topic.min.isr");
    minIsrOf.forEach((factorKey, minIsrKey) -> {
      assertThat(config).as("%s sets %s", kustomization, factorKey).containsKey(factorKey);
      int factor = Integer.parseInt(string(config.get(factorKey)));
      assertThat(factor).as("%s in %s (%d brokers)", factorKey, kustomization, brokers).isBetween(1, brokers);
      if (minIsrKey != null) {
        assertThat(config).as("%s sets %s", kustomization, minIsrKey).containsKey(minIsrKey);
        int minIsr = Integer.parseInt(string(config.get(minIsrKey)));
        assertThat(minIsr).as("%s in %s (replication factor %d)", minIsrKey, kustomization, factor).isBetween(1, factor);
        if (factor > 1) {
          assertThat(minIsr).as("%s leaves room for one broker down", minIsrKey).isLessThan(factor);
        }
      }
    });
    for (Map<String, Object> topic : topics(resources).values()) {
      Object replicas = at(topic, "spec", "replicas");
      if (replicas != null) {
        assertThat((Integer) replicas).as("replicas of %s", Kustomization.name(topic)).isBetween(1, brokers);
      }
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldRunTheKafkaVersionOfTheServicesClients(String kustomization) {
    assertThat(at(kafka(Kustomization.of(kustomization).build()), "spec", "kafka", "version"))
        .isEqualTo(RepositoryFiles.kafkaVersion());
  }

  /** The registry answers from the state of the partitions it owns, and two trainings could both train on one trigger. */
  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldRunTrainingAndRegistryAsOneInstanceReplacedNotOverlapped(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    for (String name : List.of("training-service", "registry-service")) {
      Map<String, Object> deployment = Workloads.deployment(resources, name);
      assertThat(at(deployment, "spec", "replicas")).as(name).isEqualTo(1);
      assertThat(at(deployment, "spec", "strategy", "type")).as(name).isEqualTo("Recreate");
    }
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldLetPrometheusScrapeEveryService(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    for (PlatformService service : services) {
      assertThat(stringMap(at(Workloads.deployment(resources, service.name()), "spec", "template", "metadata", "annotations")))
          .as(service.name())
          .containsEntry("prometheus.io/scrape", "true")
          .containsEntry("prometheus.io/path", "/actuator/prometheus")
          .containsEntry("prometheus.io/port", String.valueOf(service.port()));
    }
  }

  @ParameterizedTest
  @FieldSource("OVERLAYS")
  void shouldPatchOnlyWhatTheBaseDefines(String overlay) {
    // Building fails on a patch whose kind and name the resources do not define.
    assertThat(Kustomization.of(overlay).build()).isNotEmpty();
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void shouldRunEveryServiceFromItsOwnImage(String kustomization) {
    List<Map<String, Object>> resources = Kustomization.of(kustomization).build();
    for (PlatformService service : services) {
      String image = string(Workloads.container(Workloads.deployment(resources, service.name())).get("image"));
      assertThat(image).as(service.name()).matches("(.+/)?kloop/" + service.name() + ":[^:/]+");
    }
  }

  @Test
  void shouldGiveProductionTheImagesOfARegistry() {
    Kustomization prod = Kustomization.of("overlays/prod");
    assertThat(prod.images()).extracting(image -> image.get("name"))
        .containsExactlyInAnyOrderElementsOf(services.stream().map(s -> "kloop/" + s.name()).toList());
    List<Map<String, Object>> resources = prod.build();
    for (PlatformService service : services) {
      assertThat(string(Workloads.container(Workloads.deployment(resources, service.name())).get("image")))
          .as(service.name()).doesNotStartWith("kloop/").doesNotEndWith(":latest");
    }
  }

  private static void assertProbe(PlatformService service, Map<String, Object> container, String probe, String path) {
    Map<String, Object> get = map(at(container, probe, "httpGet"));
    assertThat(get).as("%s of %s", probe, service.name()).containsEntry("path", path);
    assertThat(String.valueOf(get.get("port"))).as("%s port of %s", probe, service.name())
        .isIn("http", String.valueOf(service.port()));
  }

  private static Map<String, Object> kafka(List<Map<String, Object>> resources) {
    List<Map<String, Object>> clusters = Kustomization.ofKind(resources, "Kafka");
    assertThat(clusters).hasSize(1);
    return clusters.get(0);
  }

  /** KafkaTopic resources by topic name ({@code spec.topicName}, or the resource's name). */
  private static Map<String, Map<String, Object>> topics(List<Map<String, Object>> resources) {
    Map<String, Map<String, Object>> topics = new LinkedHashMap<>();
    for (Map<String, Object> topic : Kustomization.ofKind(resources, "KafkaTopic")) {
      String name = at(topic, "spec", "topicName") != null ? string(at(topic, "spec", "topicName")) : Kustomization.name(topic);
      assertThat(topics.put(name, topic)).as("KafkaTopic %s declared twice", name).isNull();
    }
    return topics;
  }

  private static Map<String, String> stringMap(Object value) {
    Map<String, String> result = new LinkedHashMap<>();
    map(value).forEach((k, v) -> result.put(k, string(v)));
    return result;
  }

  /** A Kubernetes quantity (250m, 2, 1Gi, 512Mi) as a number, to compare requests with limits. */
  static BigDecimal quantity(String text) {
    Map<String, BigDecimal> suffixes = Map.of(
        "m", new BigDecimal("0.001"), "k", BigDecimal.valueOf(1000), "M", BigDecimal.valueOf(1000_000),
        "G", BigDecimal.valueOf(1000_000_000), "Ki", BigDecimal.valueOf(1024), "Mi", BigDecimal.valueOf(1024 * 1024),
        "Gi", BigDecimal.valueOf(1024L * 1024 * 1024));
    for (String suffix : List.of("Ki", "Mi", "Gi", "m", "k", "M", "G")) {
      if (text.endsWith(suffix)) {
        return new BigDecimal(text.substring(0, text.length() - suffix.length())).multiply(suffixes.get(suffix));
      }
    }
    return new BigDecimal(text);
  }
}
