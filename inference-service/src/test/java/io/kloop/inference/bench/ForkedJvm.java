package io.kloop.inference.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A server under test in a JVM of its own, so that its collector, its JIT and its threads are its own and
 * not those of the load driver, the broker or the other servers. It runs with the JDK running the
 * benchmark, the options {@link #OPTIONS} (the same for every server), and writes its output to a file.
 */
final class ForkedJvm implements AutoCloseable {

  /** JVM options of every forked server: a fixed heap, plus {@code bench.jvm.options} (e.g. a flight recording). */
  static final List<String> OPTIONS = Stream.concat(Stream.of("-Xms1g", "-Xmx1g"),
      Arrays.stream(System.getProperty("bench.jvm.options", "").split("\\s+")).filter(o -> !o.isBlank())).toList();

  private final String name;
  private final Process process;
  private final Path log;
  final int port;

  private ForkedJvm(String name, List<String> command, Path log, int port) {
    this.name = name;
    this.log = log;
    this.port = port;
    try {
      this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The service as users run it: its executable jar from {@code target/}, on a free port. */
  static ForkedJvm service(String name, Path log, String... arguments) {
    int port = freePort();
    List<String> command = new ArrayList<>(java());
    command.addAll(List.of("-jar", executableJar().toString(), "--server.port=" + port));
    command.addAll(List.of(arguments));
    return new ForkedJvm(name, command, log, port);
  }

  /**
   * A main class of the test classpath (the control), given its port as first argument. The classpath goes
   * in a manifest-only jar, as Surefire and Failsafe pass theirs: on this JDK 17 and onnxruntime 1.29, a
   * JVM whose {@code java.class.path} is longer than about 4,000 characters crashes (SIGSEGV, no error
   * file) when ONNX Runtime initialises.
   */
  static ForkedJvm main(String name, Path log, Class<?> main) {
    int port = freePort();
    List<String> command = new ArrayList<>(java());
    // Failsafe starts tests from a manifest-only jar of its own and gives the real test classpath here.
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    command.addAll(List.of("-cp", manifestJar(log.resolveSibling(name.replaceAll("\\W+", "-") + "-classpath.jar"), classpath).toString(),
        main.getName(), String.valueOf(port)));
    return new ForkedJvm(name, command, log, port);
  }

  private static Path manifestJar(Path jar, String classpath) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, Arrays.stream(classpath.split(File.pathSeparator))
        .filter(entry -> !entry.isBlank()).map(entry -> Path.of(entry).toAbsolutePath().toUri().toString()).collect(Collectors.joining(" ")));
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** CPU time the server's JVM has used so far, all its threads together. */
  Duration cpu() {
    return process.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException("no CPU time for " + name + " on this system"));
  }

  boolean alive() {
    return process.isAlive();
  }

  /** What the server wrote so far, for failure messages. */
  String output() {
    try {
      return name + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")") + ", output in " + log + ":\n"
          + Files.readString(log);
    } catch (IOException e) {
      return name + ": no output (" + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> java() {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(OPTIONS);
    return command;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path executableJar() {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files.filter(f -> f.getFileName().toString().matches("inference-service-.*-exec\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no inference-service-*-exec.jar in target/: run the package phase first"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
