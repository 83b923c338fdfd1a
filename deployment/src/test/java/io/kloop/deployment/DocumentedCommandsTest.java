package io.kloop.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.kloop.test.DocumentedCommands;
import io.kloop.test.DocumentedCommands.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every command the Markdown files document names things that exist: the Maven modules, profiles, test classes
 * and benchmark options of {@code ./mvnw} commands (and benchmark commands take the form that works on a clean
 * clone), the topics of {@code kcat} commands, and the endpoints of {@code curl} commands. The benchmarks
 * themselves run, tiny, in every build (the {@code benchmark-smoke} executions); the launcher's and the
 * producer's options are parsed by their own modules' tests, and the root README's {@code curl} commands are
 * run against the platform by {@code ClosedLoopIT}.
 */
class DocumentedCommandsTest {

  /** The documented commands, but templates with placeholders such as {@code -pl <module>}. */
  private static final List<Command> COMMANDS = DocumentedCommands.all().stream()
      .filter(command -> !command.text().matches(".*<[a-z][a-zA-Z-]*>.*")).toList();

  @Test
  void shouldFindTheDocumentedCommands() {
    assertThat(COMMANDS).extracting(Command::text)
        .contains("./mvnw -B -ntp verify", "./kloop --demo")
        .anyMatch(c -> c.startsWith("./mvnw -B -ntp -pl ingest-service -am verify -Pbenchmark -Dit.test=WriteBatchingStoreBenchmark"))
        .anyMatch(c -> c.startsWith("curl -s 127.0.0.1:8084/v1/models/breast-cancer/predict -H 'Content-Type: application/json' -d"));
  }

  @Test
  void shouldNameOnlyModulesProfilesAndTestsThatExistInMavenCommands() {
    String pom = RepositoryFiles.text(RepositoryFiles.path("pom.xml"));
    Set<String> modules = all(Pattern.compile("<module>([^<]+)</module>"), pom);
    Set<String> profiles = all(Pattern.compile("<profile>\\s*(?:<!--.*?-->\\s*)?<id>([^<]+)</id>", Pattern.DOTALL), pom);
    List<Command> maven = COMMANDS.stream().filter(c -> c.text().startsWith("./mvnw ")).toList();
    assertThat(maven).hasSizeGreaterThan(5);
    for (Command command : maven) {
      List<String> words = command.words();
      List<String> selected = new ArrayList<>();
      for (int i = 0; i < words.size(); i++) {
        String word = words.get(i);
        if (word.equals("-pl")) {
          selected.addAll(List.of(words.get(i + 1).split(",")));
        } else if (word.startsWith("-P")) {
          String profile = word.length() > 2 ? word.substring(2) : words.get(i + 1);
          assertThat(profiles).as("profile of %s", command).contains(profile);
        }
      }
      assertThat(modules).as("modules of %s", command).containsAll(selected);
      for (String word : words) {
        if (word.startsWith("-Dit.test=") || word.startsWith("-Dtest=")) {
          // A class, or a class#method as Surefire and Failsafe read it.
          String[] test = word.substring(word.indexOf('=') + 1).replace("'", "").split("#", 2);
          assertThat(selected).as("%s names a module for %s", command, test[0]).isNotEmpty();
          assertThat(selected.stream().anyMatch(module -> testSource(module, test[0]) != null))
              .as("%s: a class %s in %s", command, test[0], selected).isTrue();
          if (test.length == 2) {
            assertThat(selected.stream().map(module -> testSource(module, test[0])).filter(source -> source != null)
                .anyMatch(source -> RepositoryFiles.text(source).contains(" void " + test[1] + "(")))
                .as("%s: a method %s in %s", command, test[1], test[0]).isTrue();
          }
        }
      }
      if (words.contains("-Pbenchmark")) {
        assertThat(words).as("a benchmark command that works on a clean clone: %s", command).contains("-am", "verify");
        words.stream().filter(w -> w.startsWith("-Dit.test=")).forEach(w ->
            assertThat(w.replace("'", "").split("#")[0]).as("only load drivers (*Benchmark) run under -Pbenchmark: %s", command).endsWith("Benchmark"));
      }
    }
  }

  @Test
  void shouldDocumentOnlyBenchmarkOptionsTheLoadDriversRead() {
    Pattern option = Pattern.compile("-D(bench\\.[a-z.]+)=");
    for (Command command : COMMANDS.stream().filter(c -> c.text().startsWith("./mvnw ") && c.text().contains("-Pbenchmark")).toList()) {
      String module = command.words().get(command.words().indexOf("-pl") + 1);
      String sources = benchmarkSources(module);
      Matcher documented = option.matcher(command.text());
      while (documented.find()) {
        assertThat(sources).as("%s reads %s (%s)", module, documented.group(1), command).contains("\"" + documented.group(1) + "\"");
      }
    }
  }

  @Test
  void shouldNameOnlyTopicsThatExistInKcatCommands() {
    Set<String> topics = Topics.all().stream().map(Topic::name).collect(Collectors.toSet());
    Pattern named = Pattern.compile("\\bmlops\\.[a-z-]+\\.[a-z-]+");
    List<Command> kcat = COMMANDS.stream().filter(c -> c.text().startsWith("kcat ") || c.text().contains(" -- ")).toList();
    assertThat(kcat).isNotEmpty();
    for (Command command : kcat) {
      Matcher topic = named.matcher(command.text());
      while (topic.find()) {
        assertThat(topics.contains(topic.group()) || topic.group().endsWith(".dead-letter")).as("topic %s of %s", topic.group(), command)
            .isTrue();
      }
    }
  }

  @Test
  void shouldCallOnlyEndpointsTheServicesHaveInCurlCommands() {
    Pattern url = Pattern.compile("(?:127\\.0\\.0\\.1|localhost):(80\\d\\d)(/[^\\s'\"?]*)");
    Map<Integer, PlatformService> byPort = PlatformService.all().stream().collect(Collectors.toMap(PlatformService::port, s -> s));
    int checked = 0;
    for (Command command : COMMANDS.stream().filter(c -> c.text().startsWith("curl ") || c.text().startsWith("xdg-open ")).toList()) {
      Matcher call = url.matcher(command.text());
      while (call.find()) {
        PlatformService service = byPort.get(Integer.parseInt(call.group(1)));
        assertThat(service).as("a service on port %s (%s)", call.group(1), command).isNotNull();
        String path = call.group(2);
        assertThat(endpoints(service.name())).as("%s has an endpoint for %s (%s)", service.name(), path, command)
            .anyMatch(template -> matches(template, path));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(10);
  }

  /** A path template of a mapping ({@code /v1/models/{name}/versions}) against a concrete path. */
  static boolean matches(String template, String path) {
    String[] expected = template.split("/");
    String[] actual = path.split("/");
    if (expected.length != actual.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (!(expected[i].startsWith("{") || expected[i].equals(actual[i]))) {
        return false;
      }
    }
    return true;
  }

  private static final Pattern CLASS_MAPPING = Pattern.compile("@RequestMapping\\(\"([^\"]+)\"\\)\\s*(?:public\\s+)?(?:final\\s+)?class");
  private static final Pattern METHOD_MAPPING = Pattern.compile("@(?:Get|Post|Put|Delete|Patch)Mapping\\((?:value\\s*=\\s*)?(\\{(?:\\s*\"[^\"]*\"\\s*,?)+\\s*\\}|\"[^\"]*\")?");
  private static final Pattern STRING = Pattern.compile("\"(/[^\"]*)\"");

  /** The paths a service's HTTP API maps: its controllers' mappings and its route constants, and the actuator. */
  static Set<String> endpoints(String service) {
    Set<String> endpoints = new LinkedHashSet<>(List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness",
        "/actuator/prometheus", "/actuator/metrics"));
    try (Stream<Path> files = Files.walk(RepositoryFiles.path(service + "/src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = RepositoryFiles.text(file);
        Matcher prefix = CLASS_MAPPING.matcher(source);
        String base = prefix.find() ? prefix.group(1) : "";
        Matcher method = METHOD_MAPPING.matcher(source);
        while (method.find()) {
          if (method.group(1) == null) {
            endpoints.add(base);
            continue;
          }
          Matcher path = Pattern.compile("\"([^\"]*)\"").matcher(method.group(1));
          while (path.find()) {
            endpoints.add(base + path.group(1));
          }
        }
        if (source.contains("RouterFunction")) {
          Matcher constant = STRING.matcher(source);
          while (constant.find()) {
            endpoints.add(constant.group(1));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return endpoints;
  }

  private static Path testSource(String module, String test) {
    try (Stream<Path> files = Files.walk(RepositoryFiles.path(module + "/src/test/java"))) {
      return files.filter(f -> f.getFileName().toString().equals(test + ".java")).findFirst().orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String benchmarkSources(String module) {
    try (Stream<Path> files = Files.walk(RepositoryFiles.path(module + "/src/test/java"))) {
      return files.filter(f -> f.toString().endsWith(".java")).map(RepositoryFiles::text).collect(Collectors.joining("\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Set<String> all(Pattern pattern, String text) {
    Set<String> found = new LinkedHashSet<>();
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      found.add(matcher.group(1).trim());
    }
    return found;
  }
}
