package io.kloop.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * What the platform's {@code TopologyTestDriver} tests share: the driver's settings, and a state directory
 * on a RAM disk. The driver checkpoints its persistent stores, with an fsync, after every record piped in;
 * on a busy disk that made one topology test take a minute instead of seconds.
 */
public final class TopologyDrivers {

  private TopologyDrivers() {}

  /**
   * Settings of a driver: its application id and state directory (Kafka Streams' {@code application.id} and
   * {@code state.dir}), and a bootstrap server the driver requires but never connects to.
   */
  public static Properties config(String applicationId, Path stateDir) {
    Properties config = new Properties();
    config.put("application.id", applicationId);
    config.put("bootstrap.servers", "unused:9092");
    config.put("state.dir", stateDir.toString());
    return config;
  }

  /** {@code @TempDir(factory = TopologyDrivers.RamDisk.class)}: under /dev/shm where the machine has one, else the usual temporary directory. */
  public static final class RamDisk implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws IOException {
      Path shm = Path.of("/dev/shm");
      String prefix = extension.getRequiredTestClass().getSimpleName() + "-";
      return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, prefix) : Files.createTempDirectory(prefix);
    }
  }
}
