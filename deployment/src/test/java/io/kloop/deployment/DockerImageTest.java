package io.kloop.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The one Dockerfile builds every service's image from the jar Maven makes for it. */
class DockerImageTest {

  static final Path DOCKERFILE = RepositoryFiles.path("deployment/Dockerfile");

  private final String dockerfile = RepositoryFiles.text(DOCKERFILE);

  @Test
  void shouldRunOnAJava17RuntimeImage() {
    Matcher defaultImage = Pattern.compile("(?m)^ARG JRE_IMAGE=(\\S+)$").matcher(dockerfile);
    assertThat(defaultImage.find()).isTrue();
    assertThat(defaultImage.group(1)).startsWith("eclipse-temurin:17-jre");
    assertThat(instructions("FROM")).isNotEmpty().allSatisfy(from -> assertThat(from).startsWith("${JRE_IMAGE}"));
  }

  @Test
  void shouldDownloadNothingWhileBuilding() {
    assertThat(instructions("RUN")).allSatisfy(run ->
        assertThat(run).doesNotContainPattern("\\b(curl|wget|apt-get|apt|apk|mvn|mvnw|gradle|git)\\b"));
    assertThat(instructions("ADD")).isEmpty();
  }

  @Test
  void shouldCopyTheExecutableJarEveryServiceModuleBuilds() throws Exception {
    String source = instructions("COPY").stream().filter(copy -> copy.contains("${SERVICE}/target/")).findFirst()
        .orElseThrow(() -> new AssertionError("no COPY of the service's jar")).split("\\s+")[0];
    for (PlatformService service : PlatformService.all()) {
      String jar = service.name() + "/target/" + service.name() + "-" + version() + "-" + bootJarClassifier(service) + ".jar";
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + source.replace("${SERVICE}", service.name()));
      assertThat(matcher.matches(Path.of(jar))).as("COPY %s takes %s", source, jar).isTrue();
      assertThat(dockerIgnoreLetsIn(jar)).as(".dockerignore lets %s into the build context", jar).isTrue();
    }
  }

  @Test
  void shouldSplitTheJarIntoSpringBootsLayersAndStartItsLauncher() throws Exception {
    assertThat(instructions("RUN")).anySatisfy(run ->
        assertThat(run).contains("-Djarmode=tools").contains("extract --layers --launcher"));
    List<String> copied = instructions("COPY").stream().filter(c -> c.startsWith("--from=layers")).toList();
    assertThat(copied).hasSize(4);
    for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
      assertThat(copied).anySatisfy(c -> assertThat(c).contains("/extracted/" + layer + "/"));
    }
    Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$").matcher(dockerfile);
    assertThat(entrypoint.find()).isTrue();
    String[] arguments = entrypoint.group(1).replace("\"", "").split(",\\s*");
    String launcher = arguments[arguments.length - 1];
    assertThat(Class.forName(launcher)).as("the launcher of this Spring Boot version").isNotNull();
  }

  @Test
  void shouldRunAsAnUnprivilegedUserThatOwnsTheDataDirectories() {
    assertThat(instructions("USER")).singleElement().satisfies(user -> assertThat(user).doesNotStartWith("0").doesNotStartWith("root"));
    assertThat(dockerfile).contains("/var/lib/kloop/artifacts").contains("/var/lib/kloop/state");
  }

  /** The Dockerfile's instructions of one kind, line continuations joined, without the keyword. */
  private List<String> instructions(String keyword) {
    List<String> result = new ArrayList<>();
    String joined = dockerfile.replaceAll("\\\\\\r?\\n", " ");
    for (String line : joined.split("\\r?\\n")) {
      if (line.startsWith(keyword + " ")) {
        result.add(line.substring(keyword.length() + 1).trim());
      }
    }
    return result;
  }

  private static boolean dockerIgnoreLetsIn(String path) {
    boolean included = true;
    for (String line : RepositoryFiles.text(RepositoryFiles.path(".dockerignore")).split("\\r?\\n")) {
      String rule = line.trim();
      if (rule.isEmpty() || rule.startsWith("#")) {
        continue;
      }
      boolean exception = rule.startsWith("!");
      String glob = exception ? rule.substring(1) : rule;
      // A rule also matches everything under a matching directory.
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      Path candidate = Path.of(path);
      boolean matches = false;
      for (Path prefix = candidate; prefix != null; prefix = prefix.getParent()) {
        matches |= matcher.matches(prefix);
      }
      if (matches) {
        included = exception;
      }
    }
    return included;
  }

  private static String version() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(RepositoryFiles.path("pom.xml").toFile());
    return directChild(pom.getDocumentElement(), "version").getTextContent().trim();
  }

  /** The classifier of the spring-boot-maven-plugin's repackaged jar in a service's pom. */
  private static String bootJarClassifier(PlatformService service) throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(RepositoryFiles.path(service.name() + "/pom.xml").toFile());
    NodeList plugins = pom.getElementsByTagName("plugin");
    Map<String, String> classifiers = new LinkedHashMap<>();
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if (directChild(plugin, "artifactId").getTextContent().trim().equals("spring-boot-maven-plugin")) {
        NodeList goals = plugin.getElementsByTagName("goal");
        for (int g = 0; g < goals.getLength(); g++) {
          if (goals.item(g).getTextContent().trim().equals("repackage")) {
            NodeList classifier = plugin.getElementsByTagName("classifier");
            classifiers.put(service.name(), classifier.getLength() == 0 ? "" : classifier.item(0).getTextContent().trim());
          }
        }
      }
    }
    assertThat(classifiers).as("%s repackages its jar with spring-boot-maven-plugin", service.name()).containsKey(service.name());
    assertThat(classifiers.get(service.name())).as("classifier of the Boot jar of %s", service.name()).isNotEmpty();
    return classifiers.get(service.name());
  }

  private static Element directChild(Element parent, String name) {
    NodeList children = parent.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element element && element.getTagName().equals(name)) {
        return element;
      }
    }
    throw new AssertionError("<" + parent.getTagName() + "> has no <" + name + ">");
  }
}
