package io.kloop.kafka.embedded;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker in this JVM: one KRaft node acting as broker and controller, listening on
 * loopback only. It formats its data directory on first start and reuses it afterwards, so topics and
 * records survive restarts when the directory is kept.
 *
 * <p>Settings are those of a single-node cluster: every replication factor and minimum in-sync replica
 * count is 1 (offsets, transaction state, share-group state), so transactions and Kafka Streams
 * exactly-once work; internal topics get few partitions and the log cleaner a small buffer so the broker
 * starts in seconds and fits a small heap.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final Path dataDirectory;
  private final int port;
  private final int controllerPort;
  private final Map<String, String> overrides;
  private KafkaRaftServer server;

  private EmbeddedKafkaBroker(Builder builder) {
    this.dataDirectory = builder.dataDirectory.toAbsolutePath();
    this.port = builder.port == 0 ? freePort() : builder.port;
    this.controllerPort = builder.controllerPort == 0 ? freePort() : builder.controllerPort;
    this.overrides = Map.copyOf(builder.overrides);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Formats the data directory if it is new, starts the broker and waits until it answers clients. */
  public synchronized EmbeddedKafkaBroker start(Duration timeout) {
    if (server != null) {
      return this;
    }
    long started = System.nanoTime();
    Map<String, String> config = brokerConfig();
    format(config);
    KafkaConfig kafkaConfig = new KafkaConfig(config, false);
    KafkaRaftServer raftServer = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
    try {
      raftServer.startup();
    } catch (RuntimeException e) {
      // A half-started server still holds threads, sockets and the data directory's lock.
      raftServer.shutdown();
      raftServer.awaitShutdown();
      throw new IllegalStateException("Kafka broker could not start on " + bootstrapServers() + ": " + e.getMessage(), e);
    }
    server = raftServer;
    awaitReady(timeout);
    log.info("Kafka broker ready on {} (data in {}) after {} ms", bootstrapServers(), dataDirectory,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return this;
  }

  /** {@code host:port} for clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /** Stops the broker in an orderly way (flushes logs, closes the quorum); the data directory stays. */
  @Override
  public synchronized void close() {
    if (server == null) {
      return;
    }
    log.info("Stopping Kafka broker on {}", bootstrapServers());
    server.shutdown();
    server.awaitShutdown();
    server = null;
  }

  Map<String, String> brokerConfig() {
    Map<String, String> config = new HashMap<>();
    config.put("process.roles", "broker,controller");
    config.put("node.id", String.valueOf(NODE_ID));
    config.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    config.put("listeners", "PLAINTEXT://127.0.0.1:" + port + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
    config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    config.put("controller.listener.names", CONTROLLER_LISTENER);
    config.put("inter.broker.listener.name", "PLAINTEXT");
    config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    config.put("log.dirs", dataDirectory.toString());
    // A single node: every replicated internal topic must make do with one replica.
    config.put("default.replication.factor", "1");
    config.put("offsets.topic.replication.factor", "1");
    config.put("transaction.state.log.replication.factor", "1");
    config.put("transaction.state.log.min.isr", "1");
    config.put("share.coordinator.state.topic.replication.factor", "1");
    config.put("share.coordinator.state.topic.min.isr", "1");
    // Fast start and a small footprint.
    config.put("offsets.topic.num.partitions", "5");
    config.put("transaction.state.log.num.partitions", "5");
    config.put("share.coordinator.state.topic.num.partitions", "3");
    config.put("group.initial.rebalance.delay.ms", "0");
    config.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
    config.put("num.partitions", "1");
    // Topics are declared by the platform (see Topics in the schemas module), never created by a typo.
    config.put("auto.create.topics.enable", "false");
    config.putAll(overrides);
    return config;
  }

  private void format(Map<String, String> config) {
    try {
      Files.createDirectories(dataDirectory);
      if (Files.exists(dataDirectory.resolve("meta.properties"))) {
        log.info("Reusing Kafka data directory {}", dataDirectory);
        return;
      }
      PrintStream quiet = new PrintStream(PrintStream.nullOutputStream(), false, StandardCharsets.UTF_8);
      new Formatter()
          .setPrintStream(quiet)
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(dataDirectory.toString()))
          .setMetadataLogDirectory(dataDirectory.toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setIgnoreFormatted(true)
          .run();
      log.info("Formatted new Kafka data directory {}", dataDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Kafka data directory " + dataDirectory, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka data directory " + dataDirectory + ": " + e.getMessage(), e);
    }
  }

  private void awaitReady(Duration timeout) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          admin.listTopics().names().get(5, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            close();
            throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " not ready within " + timeout, e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on loopback", e);
    }
  }

  /** Settings of an embedded broker. */
  public static final class Builder {
    private Path dataDirectory;
    private int port;
    private int controllerPort;
    private final Map<String, String> overrides = new HashMap<>();

    private Builder() {}

    /** Where the broker keeps its logs and metadata; an existing, formatted directory is reused. */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = dataDirectory;
      return this;
    }

    /** Client port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Controller (KRaft quorum) port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder controllerPort(int controllerPort) {
      this.controllerPort = controllerPort;
      return this;
    }

    /** Any broker setting, applied last. */
    public Builder brokerProperty(String key, String value) {
      overrides.put(key, value);
      return this;
    }

    public EmbeddedKafkaBroker build() {
      if (dataDirectory == null) {
        throw new IllegalStateException("an embedded broker needs a data directory");
      }
      return new EmbeddedKafkaBroker(this);
    }
  }
}
