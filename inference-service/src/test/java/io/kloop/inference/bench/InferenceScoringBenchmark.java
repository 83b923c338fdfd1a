package io.kloop.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.test.BenchmarkReports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH scoring benchmarks ({@link ScoringJmh}) in a forked JVM and writes their figures to
 * {@code inference-service/target/benchmark/inference-scoring.md}.
 *
 * <p>Run: {@code ./mvnw -B -ntp -pl inference-service -am verify -Pbenchmark -Dit.test=InferenceScoringBenchmark}.
 */
class InferenceScoringBenchmark {

  @Test
  void measure() throws Exception {
    // ONNX Runtime's native loader crashes a JVM started with a very long -cp: the fork gets a manifest jar.
    System.setProperty("jmh.separateClasspathJAR", "true");
    Options options = new OptionsBuilder()
        .include(ScoringJmh.class.getName())
        .forks(1)
        .warmupIterations(Integer.getInteger("bench.jmh.warmups", 5))
        .warmupTime(TimeValue.seconds(Integer.getInteger("bench.jmh.seconds", 2)))
        .measurementIterations(Integer.getInteger("bench.jmh.iterations", 5))
        .measurementTime(TimeValue.seconds(Integer.getInteger("bench.jmh.seconds", 2)))
        .threads(1)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    assertThat(results).as("benchmarks run").hasSize(4);

    double floor = results.stream().filter(r -> r.getParams().getBenchmark().endsWith("onnxRuntimeOneRow"))
        .findFirst().orElseThrow().getPrimaryResult().getScore();
    StringBuilder out = new StringBuilder("In-process scoring (JMH, 1 thread, average time per call; 30-feature logistic regression).\n\n"
        + "| benchmark | µs per call | ± (99.9 %) | ratio to ONNX Runtime alone |\n| --- | ---: | ---: | ---: |\n");
    for (RunResult result : results) {
      String name = result.getParams().getBenchmark();
      double score = result.getPrimaryResult().getScore();
      out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", name.substring(name.lastIndexOf('.') + 1), score,
          result.getPrimaryResult().getScoreError(), score / floor));
    }
    System.out.println(out);
    Path file = BenchmarkReports.file("inference-scoring.md");
    Files.createDirectories(file.getParent());
    Files.writeString(file, out);
  }
}
