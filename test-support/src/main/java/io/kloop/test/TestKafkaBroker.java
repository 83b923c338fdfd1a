package io.kloop.test;

import io.kloop.kafka.embedded.EmbeddedKafkaBroker;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The one real Kafka broker of a test JVM: started on first use (KRaft, loopback, a free port, a fresh
 * temporary data directory), shared by every test class that runs in the JVM, stopped and deleted when
 * the JVM exits. Tests isolate themselves by topic and group names, not by brokers.
 */
public final class TestKafkaBroker {

  private static EmbeddedKafkaBroker broker;

  private TestKafkaBroker() {}

  /** The shared broker, started if it is not running yet. */
  public static synchronized EmbeddedKafkaBroker get() {
    if (broker == null) {
      Path dataDirectory;
      try {
        dataDirectory = Files.createTempDirectory("kloop-test-kafka-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      EmbeddedKafkaBroker started = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory).build()
          .start(Duration.ofSeconds(60));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        started.close();
        deleteRecursively(dataDirectory);
      }, "test-kafka-broker-shutdown"));
      broker = started;
    }
    return broker;
  }

  /** {@code bootstrap.servers} of the shared broker, starting it if needed. */
  public static String bootstrapServers() {
    return get().bootstrapServers();
  }

  /**
   * Creates the platform's topics that do not exist yet, as the services declare them: for tests that write
   * to a topic before a service in another JVM has created it.
   */
  public static void createPlatformTopics() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = Topics.all().stream().filter(t -> !existing.contains(t.name())).map(Topic::newTopic).toList();
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Best effort: the directory is in the system's temporary space.
    }
  }
}
