package io.kloop.deployment;

import static io.kloop.deployment.RepositoryFiles.at;
import static io.kloop.deployment.RepositoryFiles.list;
import static io.kloop.deployment.RepositoryFiles.map;
import static io.kloop.deployment.RepositoryFiles.maps;
import static io.kloop.deployment.RepositoryFiles.string;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** .github/workflows/release.yml releases every service and takes a failed rollout back; ci.yml stays the test command. */
class ReleaseWorkflowTest {

  private final Map<String, Object> workflow = RepositoryFiles.yaml(RepositoryFiles.path(".github/workflows/release.yml"));
  private final List<String> services = PlatformService.all().stream().map(PlatformService::name).toList();

  @Test
  void shouldReleaseOnVersionTagsOnly() {
    // YAML 1.1 reads the key "on" as true.
    Object on = workflow.containsKey("on") ? workflow.get("on") : workflow.get("true");
    assertThat(map(on)).containsOnlyKeys("push");
    assertThat(map(map(on).get("push"))).containsOnlyKeys("tags");
    assertThat(list(at(on, "push", "tags"))).containsExactly("v*");
  }

  @Test
  void shouldBuildTheJarOfEveryService() {
    String build = runs(job("jars"));
    assertThat(build).contains("./mvnw").contains("package");
    services.forEach(service -> assertThat(build).as("the jar build covers %s", service).contains(service));
    String uploaded = string(at(step(job("jars"), "actions/upload-artifact"), "with", "path"));
    var matcher = FileSystems.getDefault().getPathMatcher("glob:" + uploaded);
    services.forEach(service -> assertThat(matcher.matches(Path.of(service + "/target/" + service + "-1.0-exec.jar")))
        .as("the uploaded jars include %s's", service).isTrue());
  }

  @Test
  void shouldBuildAndPushAnImageForEveryService() {
    Map<String, Object> images = job("images");
    assertThat(string(images.get("needs"))).isEqualTo("jars");
    assertThat(list(at(images, "strategy", "matrix", "service"))).containsExactlyInAnyOrderElementsOf(services);
    Map<String, Object> build = step(images, "docker/build-push-action");
    assertThat(RepositoryFiles.root().resolve(string(at(build, "with", "file")))).isEqualTo(DockerImageTest.DOCKERFILE);
    assertThat(string(at(build, "with", "context"))).isEqualTo(".");
    assertThat(string(at(build, "with", "build-args"))).contains("SERVICE=${{ matrix.service }}");
    assertThat(at(build, "with", "push")).isEqualTo(Boolean.TRUE);
    assertThat(string(at(build, "with", "tags"))).contains("${{ steps.image.outputs.name }}:${{ steps.image.outputs.version }}");
    assertThat(runs(images)).as("images go to the GitHub Container Registry").contains("ghcr.io/${owner}/kloop/${{ matrix.service }}");
    assertThat(map(images.get("permissions"))).containsEntry("packages", "write");
  }

  @Test
  void shouldDeployTheProdOverlayAndWaitForEveryRollout() {
    Map<String, Object> deploy = job("deploy");
    assertThat(string(deploy.get("needs"))).isEqualTo("images");
    Map<String, Object> environment = map(deploy.get("env"));
    String overlay = string(environment.get("OVERLAY"));
    assertThat(Kustomization.K8S.getParent().resolve(overlay).resolve("kustomization.yaml")).exists();
    assertThat(List.of(string(environment.get("SERVICES")).split("\\s+"))).containsExactlyInAnyOrderElementsOf(services);
    String steps = runs(deploy);
    assertThat(String.valueOf(deploy)).as("cluster credentials come from a secret").contains("secrets.KUBECONFIG");
    assertThat(steps).contains("kubectl apply -k \"$OVERLAY\"");
    assertThat(steps).contains("for deployment in $SERVICES").contains("rollout status \"deployment/$deployment\"");
    String setImages = run(step(deploy, "kustomize edit set image"));
    services.forEach(service -> assertThat(setImages).as("image of %s set for the release", service)
        .contains("kloop/" + service + "=ghcr.io/"));
  }

  @Test
  void shouldRollEveryDeploymentBackWhenARolloutFails() {
    Map<String, Object> deploy = job("deploy");
    List<Map<String, Object>> steps = maps(deploy.get("steps"));
    int waiting = indexOf(steps, "rollout status");
    int rollback = indexOf(steps, "rollout undo");
    assertThat(rollback).as("the rollback comes after the wait").isGreaterThan(waiting);
    Map<String, Object> undo = steps.get(rollback);
    assertThat(string(undo.get("if"))).contains("failure()");
    int remembered = indexOf(steps, "kubernetes\\.io/revision");
    assertThat(remembered).as("each Deployment's revision is read before applying").isBetween(0, indexOf(steps, "kubectl apply -k"));
    assertThat(run(steps.get(remembered))).contains("for deployment in $SERVICES");
    assertThat(run(undo)).contains("rollout undo \"deployment/$deployment\" --to-revision=\"$revision\"");
  }

  @Test
  void shouldKeepCiRunningTheReadmeTestCommand() {
    Map<String, Object> ci = RepositoryFiles.yaml(RepositoryFiles.path(".github/workflows/ci.yml"));
    assertThat(runs(map(at(ci, "jobs", "test")))).contains("bash .ci/run");
    assertThat(RepositoryFiles.text(RepositoryFiles.path(".ci/run"))).contains("./mvnw -B -ntp verify");
  }

  private Map<String, Object> job(String name) {
    return map(Objects.requireNonNull(at(workflow, "jobs", name), "job " + name));
  }

  private static Map<String, Object> step(Map<String, Object> job, String usesOrRuns) {
    return maps(job.get("steps")).stream()
        .filter(s -> string(s.get("uses")) != null && string(s.get("uses")).startsWith(usesOrRuns + "@") || run(s).contains(usesOrRuns))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step " + usesOrRuns));
  }

  private static int indexOf(List<Map<String, Object>> steps, String text) {
    for (int i = 0; i < steps.size(); i++) {
      if (run(steps.get(i)).contains(text)) {
        return i;
      }
    }
    throw new AssertionError("no step runs " + text);
  }

  private static String run(Map<String, Object> step) {
    return Objects.requireNonNullElse(string(step.get("run")), "");
  }

  private static String runs(Map<String, Object> job) {
    return String.join("\n", maps(job.get("steps")).stream().map(ReleaseWorkflowTest::run).toList());
  }
}
