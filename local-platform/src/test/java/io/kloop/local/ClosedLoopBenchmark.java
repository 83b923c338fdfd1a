package io.kloop.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.test.BenchmarkReports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * The loop's reaction time (a load driver, not a test of speed): from the first drifted prediction to the
 * first answer of the retrained version, on the embedded platform as {@code ./kloop --demo} runs it (count
 * windows of 1,000 predictions and of 500 labelled ones, the policy's promotion, ingest's 5 s batch age, retraining
 * on a drop of live accuracy). The reaction includes the demo's wait for the new scanner's first biopsy results to
 * be sealed into batches before the rest of the labelled window. Each round starts a fresh platform and runs
 * {@link ClosedLoopDemo}; the traffic's pace
 * decides how fast the monitor's windows fill, so the rounds run at each pace of {@code bench.paces}
 * (predictions per second, 0 for as fast as one client goes; default {@code 0,500}, 500 being the demo's),
 * {@code bench.rounds} times each (default 3), and the median of each step is reported.
 *
 * <p>Run with {@code ./mvnw -B -ntp -pl local-platform -am verify -Pbenchmark -Dit.test=ClosedLoopBenchmark}.
 * The figures are printed and written to {@code local-platform/target/benchmark/closed-loop.md}.
 */
@Tag("benchmark")
class ClosedLoopBenchmark {

  private static final Duration GOAL = Duration.ofSeconds(60);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final int[] PACES = Arrays.stream(System.getProperty("bench.paces", "0,500").split(","))
      .mapToInt(p -> Integer.parseInt(p.trim())).toArray();

  @TempDir Path work;

  @Test
  void measureDriftOnsetToTheRetrainedVersionServing() throws Exception {
    LocalPlatform.useOneLogConfiguration();
    StringBuilder report = new StringBuilder()
        .append("# Closed loop: drift onset to the retrained version serving\n\n")
        .append(String.format(Locale.ROOT, "%d round(s) per pace, median seconds after the first drifted prediction; goal %d s.%n%n",
            ROUNDS, GOAL.toSeconds()))
        .append("| pace (predictions/s) | drift detected | accuracy drop measured | retraining requested | model trained | model approved | new version serving | ratio to goal |\n")
        .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int pace : PACES) {
      Map<String, List<Duration>> steps = new LinkedHashMap<>();
      for (int round = 0; round < ROUNDS; round++) {
        ClosedLoopDemo.Outcome outcome = oneLoop(pace, work.resolve("pace-" + pace + "-round-" + round));
        outcome.reaction().forEach((step, time) -> steps.computeIfAbsent(step, s -> new ArrayList<>()).add(time));
        assertThat(outcome.second().getVersion()).isGreaterThan(outcome.first().getVersion());
      }
      report.append("| ").append(pace == 0 ? "as fast as one client" : String.valueOf(pace));
      Duration serving = Duration.ZERO;
      for (Map.Entry<String, List<Duration>> step : steps.entrySet()) {
        Duration median = median(step.getValue());
        report.append(String.format(Locale.ROOT, " | %.1f", median.toMillis() / 1000.0));
        serving = median;
      }
      report.append(String.format(Locale.ROOT, " | %.3f |%n", (double) serving.toMillis() / GOAL.toMillis()));
    }
    report.append(String.format(Locale.ROOT, "%nJava %s, %d processors.%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors()));
    System.out.println(report);
    Path out = BenchmarkReports.file("closed-loop.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  private static ClosedLoopDemo.Outcome oneLoop(int pace, Path home) throws Exception {
    try (LocalPlatform platform = new LocalPlatform(LocalPlatformSettings.parse(FreePorts.arguments(home)), LocalPlatform.DEMO_OVERRIDES).start()) {
      ClosedLoopDemo.Settings settings = ClosedLoopDemo.Settings.defaults(Path.of("..", "data", "breast_cancer.csv"))
          .withWindowSizes(platform.monitorWindowSize(), platform.monitorLabelledWindowSize()).withPace(pace);
      return new ClosedLoopDemo(ClosedLoopDemo.Endpoints.of(platform), settings).run();
    } finally {
      FileSystemUtils.deleteRecursively(home);
    }
  }

  private static Duration median(List<Duration> values) {
    List<Duration> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
