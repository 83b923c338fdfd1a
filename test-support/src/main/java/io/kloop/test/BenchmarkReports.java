package io.kloop.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a load driver writes its figures: {@code target/benchmark/} when it measures ({@code -Pbenchmark}),
 * {@code target/benchmark-smoke/} when the build runs it tiny to check that it still works
 * ({@code bench.smoke}, every {@code verify}), so that a smoke run's figures are never taken for measurements.
 */
public final class BenchmarkReports {

  private BenchmarkReports() {}

  /** Whether this is the build's smoke run (tiny sizes, figures meaningless). */
  public static boolean smoke() {
    return Boolean.getBoolean("bench.smoke");
  }

  /** The report file of that name, its directory created. */
  public static Path file(String name) {
    Path file = Path.of(smoke() ? "target/benchmark-smoke" : "target/benchmark", name);
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
