package io.kloop.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The list of services the deployment tests check is the platform's own, read the same way everywhere. */
class PlatformServicesTest {

  @Test
  void shouldFindEveryServiceModuleTheTopicsAndTheRootPomName() {
    assertThat(PlatformService.all()).extracting(PlatformService::name)
        .containsExactlyInAnyOrderElementsOf(Topics.SERVICES.stream().map(s -> s + "-service").toList());
    String rootPom = RepositoryFiles.text(RepositoryFiles.path("pom.xml"));
    assertThat(PlatformService.all()).allSatisfy(service -> assertThat(rootPom).contains("<module>" + service.name() + "</module>"));
  }

  @Test
  void shouldNameEveryApplicationAfterItsModule() {
    assertThat(PlatformService.all()).allSatisfy(service -> assertThat(service.applicationName()).isEqualTo(service.name()));
  }

  /** The local platform runs the same five services, on the ports of their own yml, with the same artifact stores. */
  @Test
  void shouldAgreeWithTheLocalPlatformOnPortsAndArtifactStores() {
    String source = RepositoryFiles.text(RepositoryFiles.path("local-platform/src/main/java/io/kloop/local/LocalPlatform.java"));
    Matcher matcher = Pattern.compile("new Service\\((\\w+)ServiceApplication\\.NAME, [^,]+, (\\d+), (true|false)\\)").matcher(source);
    Map<String, String> launched = new LinkedHashMap<>();
    while (matcher.find()) {
      launched.put(matcher.group(1).toLowerCase() + "-service", matcher.group(2) + " " + matcher.group(3));
    }
    Map<String, String> expected = new LinkedHashMap<>();
    PlatformService.all().forEach(s -> expected.put(s.name(), s.port() + " " + s.artifactRootProperty().isPresent()));
    assertThat(launched).isEqualTo(expected);
  }

  @Test
  void shouldReadEachServicesPropertiesFromItsCode() {
    PlatformService ingest = PlatformService.of("ingest-service");
    assertThat(ingest.port()).isEqualTo(8081);
    assertThat(ingest.streamsStateDir()).isTrue();
    assertThat(ingest.artifactRootProperty()).contains("kloop.ingest.artifact-root");
    assertThat(ingest.properties()).contains("server.port", "spring.kafka.bootstrap-servers", "kloop.ingest.batch-max-age");

    PlatformService registry = PlatformService.of("registry-service");
    assertThat(registry.ownProperties()).contains("kloop.registry.access.operators.*", "kloop.registry.promotion.models.*.mode",
        "kloop.registry.promotion.no-regression", "kloop.registry.decision-timeout");

    PlatformService monitor = PlatformService.of("monitor-service");
    assertThat(monitor.artifactRootProperty()).isEmpty();
    assertThat(monitor.ownProperties()).contains("kloop.monitor.window.min-predictions", "kloop.monitor.drift.p-value");

    PlatformService training = PlatformService.of("training-service");
    assertThat(training.streamsStateDir()).isFalse();
    assertThat(training.ownProperties()).contains("kloop.training.models.*.min-new-rows");
  }
}
