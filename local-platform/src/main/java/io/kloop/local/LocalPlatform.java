package io.kloop.local;

import io.kloop.inference.InferenceServiceApplication;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.kafka.embedded.EmbeddedKafkaBroker;
import io.kloop.monitor.MonitorServiceApplication;
import io.kloop.registry.RegistryServiceApplication;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.StaticMembership;
import io.kloop.training.TrainingServiceApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

/**
 * The embedded default: a real Apache Kafka broker (KRaft) on {@code 127.0.0.1:9092} with its data in
 * {@code <home>/kafka}, the platform's topics, and all five services, each a full Spring Boot application
 * with its own HTTP port, in this one JVM. Ctrl-C stops the services first, then the broker.
 */
public final class LocalPlatform implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalPlatform.class);

  /** A service the platform runs: its name, its application and the settings the platform gives it. */
  record Service(String name, Supplier<SpringApplicationBuilder> application, int defaultPort, boolean usesArtifactStore) {}

  static final List<Service> SERVICES = List.of(
      new Service(IngestServiceApplication.NAME, IngestServiceApplication::builder, 8081, true),
      new Service(TrainingServiceApplication.NAME, TrainingServiceApplication::builder, 8082, true),
      new Service(RegistryServiceApplication.NAME, RegistryServiceApplication::builder, 8083, true),
      new Service(InferenceServiceApplication.NAME, InferenceServiceApplication::builder, 8084, true),
      new Service(MonitorServiceApplication.NAME, MonitorServiceApplication::builder, 8085, false));

  /** The name the registry records as the actor of the local operator's decisions. */
  static final String OPERATOR = "local-operator";

  /** The demo model, trained on the dataset of the same name: the shipped breast cancer data. */
  static final String DEMO_MODEL = "breast-cancer";
  /** The demo model learns from the newest rows only, so that it follows the world when it changes... */
  static final int DEMO_WINDOW_ROWS = 400;
  /** ... and trains on new data alone once this many rows arrived (the shipped data set has 569)... */
  static final int DEMO_MIN_NEW_ROWS = 500;
  /** ... at most once in this time after its last run. */
  static final String DEMO_COOLDOWN = "1h";

  private final LocalPlatformSettings settings;
  private final Map<String, Map<String, Object>> overrides;
  private EmbeddedKafkaBroker broker;
  private final Map<String, ConfigurableApplicationContext> services = new LinkedHashMap<>();

  LocalPlatform(LocalPlatformSettings settings) {
    this(settings, Map.of());
  }

  /** With extra properties per service (by service name), which outrank the platform's own. */
  LocalPlatform(LocalPlatformSettings settings, Map<String, Map<String, Object>> overrides) {
    this.settings = settings;
    this.overrides = overrides;
  }

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(LocalPlatformSettings.USAGE);
      return;
    }
    if (List.of(args).equals(List.of(CDS_TRAINING))) {
      cdsTrainingRun();
      System.exit(0);
    }
    LocalPlatformSettings settings;
    try {
      settings = LocalPlatformSettings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    useOneLogConfiguration();
    if (settings.demo() && settings.demoHomeIsOwn()) {
      // The demo tells its story from the start: its own home, emptied at every start.
      FileSystemUtils.deleteRecursively(settings.home());
    }
    LocalPlatform platform = new LocalPlatform(settings, settings.demo() ? DEMO_OVERRIDES : Map.of());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      platform.close();
      stopped.countDown();
    }, "local-platform-shutdown"));
    try {
      platform.start();
    } catch (Exception e) {
      log.error("The local platform could not start: {}", e.getMessage(), e);
      System.exit(1);
    }
    System.out.println(platform.summary());
    if (settings.demo()) {
      platform.runDemo();
    }
    stopped.await();
  }

  /** The option of ./kloop's class-data archive run (not for people: see {@link #cdsTrainingRun()}). */
  static final String CDS_TRAINING = "--cds-training-run";

  /**
   * Starts the whole platform once in a throwaway home on free ports and stops it, so that the JVM, run with
   * {@code -XX:ArchiveClassesAtExit}, writes the classes every start loads into a class-data-sharing archive.
   * ./kloop makes the archive once per build and starts from it: the platform then needs about a third less
   * CPU to start (no class parsing and verification), which is most of how fast it is back after a crash.
   */
  static void cdsTrainingRun() throws Exception {
    useOneLogConfiguration();
    Path home = Files.createTempDirectory("kloop-cds-training");
    try {
      List<String> args = new ArrayList<>(List.of("--home=" + home, "--kafka-port=0", "--controller-port=0"));
      for (Service service : SERVICES) {
        args.add("--" + service.name() + "-port=0");
      }
      try (LocalPlatform platform = new LocalPlatform(LocalPlatformSettings.parse(args.toArray(String[]::new)))) {
        platform.start();
      }
    } finally {
      FileSystemUtils.deleteRecursively(home);
    }
  }

  /** In the demo, ingest seals a batch 5 s after its first record rather than 30 s, so nobody waits long. */
  static final Map<String, Map<String, Object>> DEMO_OVERRIDES = demoOverrides("5s");

  /**
   * The demo's settings beside the platform's: ingest seals a batch {@code batchAge} after its first record, and the
   * monitor asks for retraining on a drop of live performance only (drift is reported and detected, and waits for the
   * labels to confirm it).
   */
  static Map<String, Map<String, Object>> demoOverrides(String batchAge) {
    return Map.of(IngestServiceApplication.NAME, Map.of("kloop.ingest.batch-max-age", batchAge),
        MonitorServiceApplication.NAME, Map.of("kloop.monitor.retraining.reasons", "performance"));
  }

  /** Drives the closed loop once; a failure is logged and the platform keeps running for a look around. */
  private void runDemo() {
    Path data = Path.of("data", "breast_cancer.csv");
    try {
      ClosedLoopDemo.Outcome outcome = new ClosedLoopDemo(ClosedLoopDemo.Endpoints.of(this),
          ClosedLoopDemo.Settings.defaults(data).withWindowSizes(monitorWindowSize(), monitorLabelledWindowSize())).run();
      System.out.printf("%n  The loop closed: drift onset to %s v%d serving in %.1f s. The platform keeps running (Ctrl-C stops it).%n"
              + "  Drift report: http://127.0.0.1:%d/v1/models/%s/drift/report%n%n", DEMO_MODEL, outcome.second().getVersion(),
          outcome.onsetToServing().toMillis() / 1000.0, httpPort(MonitorServiceApplication.NAME), DEMO_MODEL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.error("The demo stopped: {}. The platform keeps running.", e.getMessage(), e);
    }
  }

  /** The monitor's count window, so that the demo's stationary traffic fills whole windows. */
  int monitorWindowSize() {
    return services.get(MonitorServiceApplication.NAME).getEnvironment().getProperty("kloop.monitor.window.size", Integer.class, 1000);
  }

  /** The monitor's count window of labelled predictions. */
  int monitorLabelledWindowSize() {
    return services.get(MonitorServiceApplication.NAME).getEnvironment()
        .getProperty("kloop.monitor.performance.labelled.size", Integer.class, 500);
  }

  /**
   * Five applications share this JVM's Logback: configure it once from this module's logback.xml instead
   * of letting each application re-initialise it while the others are logging.
   */
  static void useOneLogConfiguration() {
    System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
  }

  /**
   * Starts the broker, declares the topics and starts the services, all five at once. After a crash (Kafka's
   * data is there but it did not stop cleanly) the services start while the broker does: their topics exist,
   * their Kafka clients wait for the broker, and the CPU-bound part of their start (classes, beans, the HTTP
   * server) overlaps the broker's wait for its old registration to expire. Otherwise they start once the
   * broker is ready, which is sooner on two cores than sharing them with it.
   */
  synchronized LocalPlatform start() throws InterruptedException, ExecutionException {
    long started = System.nanoTime();
    broker = EmbeddedKafkaBroker.builder()
        .dataDirectory(settings.home().resolve("kafka"))
        .port(settings.kafkaPort())
        .controllerPort(settings.controllerPort())
        // After a crash (kill -9) the controller, restarted too, keeps the broker's old registration until its
        // session times out, and the new broker cannot register before: 9 s by default, 12 s to a ready broker.
        // Broker and controller share this JVM, so a short session costs nothing: ready in about 4 s. A pause of the
        // whole JVM longer than the session (a long GC) fences the broker until its next heartbeat; clients retry.
        // (The tests' shared broker keeps Kafka's 9 s: it never crashes, and its JVM is loaded by the tests.)
        .brokerProperty("broker.session.timeout.ms", "2000")
        .brokerProperty("broker.heartbeat.interval.ms", "500")
        .build();
    // Kafka leaves this file when it stops cleanly; without it, on a home that has Kafka's data, the last run crashed.
    boolean afterCrash = Files.exists(broker.dataDirectory().resolve("meta.properties"))
        && !Files.exists(broker.dataDirectory().resolve(".kafka_cleanshutdown"));
    ExecutorService starter = Executors.newFixedThreadPool(SERVICES.size() + 1, runnable -> new Thread(runnable, "service-start"));
    try {
      CompletableFuture<Void> brokerUp = CompletableFuture.runAsync(() -> {
        broker.start(Duration.ofSeconds(60));
        createTopics();
      }, starter);
      if (!afterCrash) {
        awaitBroker(brokerUp);
      }
      Map<String, CompletableFuture<ConfigurableApplicationContext>> starting = new LinkedHashMap<>();
      for (Service service : SERVICES) {
        starting.put(service.name(), CompletableFuture.supplyAsync(() -> startService(service), starter));
      }
      List<String> failures = new ArrayList<>();
      try {
        awaitBroker(brokerUp);
      } catch (ExecutionException e) {
        failures.add("kafka: " + e.getCause().getMessage());
      }
      for (Map.Entry<String, CompletableFuture<ConfigurableApplicationContext>> entry : starting.entrySet()) {
        try {
          services.put(entry.getKey(), entry.getValue().get());
        } catch (ExecutionException e) {
          failures.add(entry.getKey() + ": " + e.getCause().getMessage());
        }
      }
      if (!failures.isEmpty()) {
        close();
        throw new IllegalStateException("the platform failed to start: " + failures);
      }
    } finally {
      starter.shutdown();
    }
    log.info("Local platform ready in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return this;
  }

  private ConfigurableApplicationContext startService(Service service) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
    properties.put("server.port", settings.servicePort(service.name(), service.defaultPort()));
    // Traces name their service even when OTEL_SERVICE_NAME is set, which would give all five one name in this JVM.
    properties.put("management.opentelemetry.resource-attributes[service.name]", service.name());
    properties.put("spring.kafka.streams.state-dir", settings.home().resolve("state").resolve(service.name()).toString());
    // One instance of each service, the same after every restart: static group members take their partitions
    // back at once after a crash instead of waiting out their dead selves' sessions.
    properties.put(StaticMembership.PROPERTY, "local");
    if (service.usesArtifactStore()) {
      String shortName = service.name().replace("-service", "");
      properties.put("kloop." + shortName + ".artifact-root", settings.home().resolve("artifacts").toString());
    }
    if (service.name().equals(RegistryServiceApplication.NAME)) {
      properties.put("kloop.registry.access.operators." + OPERATOR, operatorToken());
    }
    if (service.name().equals(TrainingServiceApplication.NAME)) {
      // The demo model: ./kloop produce breast-cancer commits 569 rows, enough to train it.
      String demo = "kloop.training.models." + DEMO_MODEL + ".";
      properties.put(demo + "dataset", DEMO_MODEL);
      properties.put(demo + "algorithms", "logistic-regression,liblinear");
      properties.put(demo + "min-new-rows", String.valueOf(DEMO_MIN_NEW_ROWS));
      properties.put(demo + "window", "last-rows:" + DEMO_WINDOW_ROWS);
      // New data starts a run at most once an hour: the first run, then only the monitor's requests (the feedback of the
      // demo's traffic would otherwise start runs of its own).
      properties.put(demo + "cooldown", DEMO_COOLDOWN);
    }
    properties.putAll(overrides.getOrDefault(service.name(), Map.of()));
    // Command-line style arguments outrank each service's own yml; the platform owns ports and paths here.
    String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    return service.application().get()
        .bannerMode(Banner.Mode.OFF)
        .registerShutdownHook(false)
        .run(args);
  }

  private static void awaitBroker(CompletableFuture<Void> brokerUp) throws InterruptedException, ExecutionException {
    try {
      brokerUp.get(2, TimeUnit.MINUTES);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new ExecutionException(new IllegalStateException("the Kafka broker did not start within 2 minutes"));
    }
  }

  private void createTopics() {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> topic : Topics.all()) {
        if (!existing.contains(topic.name())) {
          missing.add(topic.newTopic());
        }
      }
      try {
        admin.createTopics(missing).all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      log.info("Topics: {} declared, {} created", Topics.all().size(), missing.size());
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot declare the platform's topics: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while declaring the topics", e);
    }
  }

  /**
   * The local operator's bearer token for the registry's approve, reject and rollback calls: made once,
   * random, in {@code <home>/operator-token} (readable by the owner only), and reused on every start.
   */
  String operatorToken() {
    Path file = operatorTokenFile();
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
      }
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = HexFormat.of().formatHex(random);
      Files.createDirectories(file.getParent());
      try {
        // Created readable by the owner only from the start, never briefly world-readable.
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file); // not a POSIX file system: the directory's default permissions
      }
      Files.writeString(file, token + "\n", StandardCharsets.US_ASCII);
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the operator token " + file, e);
    }
  }

  Path operatorTokenFile() {
    return settings.home().resolve("operator-token");
  }

  /** Where everything listens, for people. */
  String summary() {
    StringBuilder text = new StringBuilder();
    text.append("\n  Kloop local platform is running (Ctrl-C stops it)\n\n");
    text.append(String.format("  %-20s %s%n", "kafka", broker.bootstrapServers() + "   (data: " + broker.dataDirectory() + ")"));
    for (Map.Entry<String, ConfigurableApplicationContext> entry : services.entrySet()) {
      text.append(String.format("  %-20s http://127.0.0.1:%d   (readiness: /actuator/health/readiness)%n",
          entry.getKey(), httpPort(entry.getKey())));
    }
    text.append("\n  Topics: kcat -b ").append(broker.bootstrapServers()).append(" -L\n");
    text.append("  Registry decisions (approve, reject, rollback): -H \"Authorization: Bearer $(cat ").append(operatorTokenFile())
        .append(")\"   (operator '").append(OPERATOR).append("')\n");
    return text.toString();
  }

  /** The HTTP port a running service listens on. */
  int httpPort(String service) {
    return services.get(service).getEnvironment().getProperty("local.server.port", Integer.class, -1);
  }

  EmbeddedKafkaBroker broker() {
    return broker;
  }

  Set<String> runningServices() {
    return services.keySet();
  }

  /** Stops the services (all at once), then the broker. Safe to call more than once. */
  @Override
  public synchronized void close() {
    if (!services.isEmpty()) {
      log.info("Stopping {}", services.keySet());
      services.values().parallelStream().forEach(ConfigurableApplicationContext::close);
      services.clear();
    }
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }
}
