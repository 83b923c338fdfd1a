package io.kloop.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A service in a JVM of its own, run from its executable jar as users run it, so that a test can kill it
 * without warning ({@code kill -9}): nothing is flushed, closed or committed.
 */
public final class ServiceProcess implements AutoCloseable {

  private final Process process;
  private final Path log;
  private final int port;

  private ServiceProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts {@code <service>-*-exec.jar} from the module's {@code target/} (built by the package phase, before
   * integration tests run) with the test's own {@code java}, the heap given, the arguments and a free HTTP
   * port (in place of any {@code --server.port} among them), its output going to {@code log}.
   */
  public static ServiceProcess start(String service, String maxHeap, Path log, List<String> arguments) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx" + maxHeap,
        "-jar", executableJar(service).toString(), "--server.port=" + port));
    arguments.stream().filter(argument -> !argument.startsWith("--server.port=")).forEach(command::add);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ServiceProcess(process, log, port);
  }

  /** The HTTP port it was given. */
  public int port() {
    return port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What it has written so far, for assertion messages. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills it without warning (SIGKILL) and waits for it to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  private static Path executableJar(String service) throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files.filter(f -> f.getFileName().toString().matches(service + "-.*-exec\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no " + service + "-*-exec.jar in target/: run the package phase first"));
    }
  }
}
