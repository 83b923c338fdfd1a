package io.kloop.monitor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.GroundTruthReported;
import io.kloop.events.PredictionLogged;
import io.kloop.monitor.truth.TruthStores;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ground-truth join throughput and state (a load driver, not a test of speed; issue 24, item 8): labels joined per
 * second and bytes of state per waiting prediction, for a breast-cancer-shaped model serving 1,000 predictions a
 * second of event time, 30 % of which are labelled 60 s after they were served ({@link LabelledTraffic}).
 *
 * <p>The monitor's {@code GroundTruthProcessor} runs in a {@link JoinHarness} on its production RocksDB stores,
 * fed the encoded records in event-time order, the processor's clock at each record's time (the monitor keeping
 * up). First the first 60 s of traffic (60,000 predictions, no label due yet: the state the joins run against)
 * are fed untimed, and the state is measured; then rounds of {@code bench.truth.seconds} (default 60) seconds of
 * traffic each (60,000 predictions and about 18,000 labels, generated before the round): {@code bench.warmup}
 * (default 3) rounds not counted, the median of {@code bench.rounds} (default 5) measured ones reported. The
 * predictions nobody labels wait their whole 7-day horizon (the default), so the state grows by 700 a second.
 *
 * <p>Per round, each record's processing is timed and summed by kind; the expiry runs are shared out by record count:
 * labels/s = labels / (their time + their share). The stores are not flushed during the rounds, as under exactly once
 * ({@link JoinHarness}). Baselines
 * in the same run: decoding the same label and prediction records with {@code EventDeserializer} alone, and the
 * same processor on in-memory stores. CPU per label is the
 * thread's CPU time of the round shared out like wall time; process CPU per label the same for the whole process's
 * (RocksDB's background threads, GC, JIT).
 *
 * <p>Run with {@code ./mvnw -B -ntp -pl monitor-service -am verify -Pbenchmark -Dit.test=GroundTruthJoinBenchmark}.
 * The figures are printed and written to {@code monitor-service/target/benchmark/ground-truth-join.md}.
 */
@Tag("benchmark")
class GroundTruthJoinBenchmark {

  private static final boolean SMOKE = Boolean.getBoolean("bench.smoke");
  private static final int WARMUP_ROUNDS = Integer.getInteger("bench.warmup", 3);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
  private static final int ROUND_SECONDS = Integer.getInteger("bench.truth.seconds", SMOKE ? 2 : 60);
  private static final int RATE = 1_000;
  private static final double LABELLED = 0.30;
  private static final int DELAY_SECONDS = SMOKE ? 2 : 60;
  private static final long START = 1_767_225_600_000L;  // 2026-01-01T00:00:00Z
  private static final double GOAL = 50_000;
  private static final double FORMULA_BYTES = 935;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean PROCESS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  @TempDir Path state;

  /** One measured round: what went through, and where the time went. */
  private record Round(long labels, long predictions, long labelNanos, long predictionNanos, long overheadNanos, long commitNanos, long wallNanos,
      long cpuNanos, long processCpuNanos, long decodeLabelNanos, long decodePredictionNanos, long pendingAfter) {

    double share(boolean label) {
      long records = labels + predictions;
      return (double) (label ? labels : predictions) / records;
    }

    double labelsPerSecond() {
      return labels / ((labelNanos + overheadNanos * share(true)) / 1e9);
    }

    double predictionsPerSecond() {
      return predictions / ((predictionNanos + overheadNanos * share(false)) / 1e9);
    }

    double recordsPerSecond() {
      return (labels + predictions) / (wallNanos / 1e9);
    }

    /** CPU µs per label: the round's CPU time shared out as the labels' part of the processing time. */
    double cpuMicrosPerLabel() {
      double labelTime = labelNanos + overheadNanos * share(true);
      return cpuNanos * labelTime / (labelNanos + predictionNanos + overheadNanos) / 1e3 / labels;
    }

    /** The same for the process's CPU time: every thread's, RocksDB's background flushes and compactions, GC and JIT included. */
    double processCpuMicrosPerLabel() {
      double labelTime = labelNanos + overheadNanos * share(true);
      return processCpuNanos * labelTime / (labelNanos + predictionNanos + overheadNanos) / 1e3 / labels;
    }

    double cpuMicrosPerPrediction() {
      double time = predictionNanos + overheadNanos * share(false);
      return cpuNanos * time / (labelNanos + predictionNanos + overheadNanos) / 1e3 / predictions;
    }

    double decodedLabelsPerSecond() {
      return labels / (decodeLabelNanos / 1e9);
    }

    double decodedPredictionsPerSecond() {
      return predictions / (decodePredictionNanos / 1e9);
    }
  }

  /** What a pass over the traffic on one kind of store found. */
  private record Pass(JoinHarness.Kind kind, List<Round> rounds, long preloaded, Map<String, long[]> liveAfterPreload,
      Map<String, Long> sstAfterPreload, Map<String, long[]> changelogAfterPreload, Map<String, long[]> changelogOfRounds,
      long labelsOfRounds, long predictionsOfRounds, Map<String, long[]> liveAtEnd, Map<String, Long> sstAtEnd, long feedbackRecords,
      long feedbackBytes) {}

  @Test
  void measureLabelsJoinedPerSecondAndStatePerWaitingPrediction() throws Exception {
    System.out.printf(Locale.ROOT, "load average at start: %.2f on %d cores%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        Runtime.getRuntime().availableProcessors());
    Pass rocksDb = pass(JoinHarness.Kind.ROCKSDB, state.resolve("rocksdb"));
    Pass inMemory = pass(JoinHarness.Kind.IN_MEMORY, state.resolve("in-memory"));
    String report = report(rocksDb, inMemory);
    System.out.println("\n" + report);
    Path out = Path.of("target/benchmark/ground-truth-join.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  private Pass pass(JoinHarness.Kind kind, Path dir) throws Exception {
    Files.createDirectories(dir);
    LabelledTraffic traffic = new LabelledTraffic(24, START, RATE, LABELLED, DELAY_SECONDS * 1000L);
    EventDeserializer<GroundTruthReported> labels = new EventDeserializer<>(GroundTruthReported.class);
    EventDeserializer<PredictionLogged> predictions = new EventDeserializer<>(PredictionLogged.class);
    try (JoinHarness join = new JoinHarness(kind, dir)) {
      List<LabelledTraffic.Event> preload = traffic.slice(0, DELAY_SECONDS);
      assertThat(preload).as("no label is due in the first %d s", DELAY_SECONDS).allMatch(event -> !event.label());
      preload.forEach(join::feed);
      join.commit();
      long preloaded = join.predictions("waiting");
      assertThat(preloaded).isEqualTo((long) DELAY_SECONDS * RATE);
      Map<String, long[]> liveAfterPreload = join.live();
      Map<String, Long> sstAfterPreload = join.sstBytes();
      Map<String, long[]> changelogAfterPreload = join.changelog();
      assertThat(liveAfterPreload.get(TruthStores.HELD)[0]).isEqualTo(preloaded);

      List<Round> measured = new ArrayList<>();
      long labelsBefore = join.labels("joined");
      long predictionsBefore = join.predictions("waiting");
      Map<String, long[]> changelogBefore = join.changelog();
      for (int round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
        long from = DELAY_SECONDS + (long) round * ROUND_SECONDS;
        List<LabelledTraffic.Event> events = traffic.slice(from, from + ROUND_SECONDS);
        long labelCount = events.stream().filter(LabelledTraffic.Event::label).count();
        long decodeLabels = 0;
        long decodePredictions = 0;
        for (LabelledTraffic.Event event : events) {
          long start = System.nanoTime();
          if (event.label()) {
            labels.deserialize(Topics.GROUND_TRUTH_REPORTED.name(), event.value());
            decodeLabels += System.nanoTime() - start;
          } else {
            predictions.deserialize(Topics.PREDICTION_LOGGED.name(), event.value());
            decodePredictions += System.nanoTime() - start;
          }
        }
        long joinedBefore = join.labels("joined");
        long waitingBefore = join.predictions("waiting");
        long overheadBefore = join.commitNanos + join.expiryNanos;
        long commitBefore = join.commitNanos;
        long labelNanos = 0;
        long predictionNanos = 0;
        long cpu = THREADS.getCurrentThreadCpuTime();
        long processCpu = PROCESS.getProcessCpuTime();
        long wall = System.nanoTime();
        for (LabelledTraffic.Event event : events) {
          long start = System.nanoTime();
          long overheadSoFar = join.commitNanos + join.expiryNanos;
          join.feed(event);
          // A commit or expiry run made within this feed is counted apart, and shared out by record count.
          long took = System.nanoTime() - start - (join.commitNanos + join.expiryNanos - overheadSoFar);
          if (event.label()) {
            labelNanos += took;
          } else {
            predictionNanos += took;
          }
        }
        long wallNanos = System.nanoTime() - wall;
        long cpuNanos = THREADS.getCurrentThreadCpuTime() - cpu;
        long processCpuNanos = PROCESS.getProcessCpuTime() - processCpu;
        long overhead = join.commitNanos + join.expiryNanos - overheadBefore;
        long joined = join.labels("joined") - joinedBefore;
        long taken = join.predictions("waiting") - waitingBefore;
        assertThat(joined).as("every label of the round joins its waiting prediction").isEqualTo(labelCount);
        assertThat(taken).as("every prediction of the round waits").isEqualTo((long) ROUND_SECONDS * RATE);
        Round result = new Round(joined, taken, labelNanos, predictionNanos, overhead, join.commitNanos - commitBefore, wallNanos, cpuNanos,
            processCpuNanos, decodeLabels, decodePredictions, join.predictions("waiting") - join.labels("joined"));
        boolean warmup = round < WARMUP_ROUNDS;
        System.out.printf(Locale.ROOT,
            "%s, %s round %d: %,d labels joined, %,.0f labels/s, %,.0f predictions/s, %,.0f records/s, %.1f µs CPU per label, %,d waiting%n",
            kind, warmup ? "warm-up" : "measured", round + 1, joined, result.labelsPerSecond(), result.predictionsPerSecond(),
            result.recordsPerSecond(), result.cpuMicrosPerLabel(), result.pendingAfter());
        if (warmup) {
          labelsBefore = join.labels("joined");
          predictionsBefore = join.predictions("waiting");
          changelogBefore = join.changelog();
        } else {
          measured.add(result);
        }
      }
      Map<String, long[]> changelogOfRounds = join.changelog();
      Map<String, long[]> beforeRounds = changelogBefore;
      changelogOfRounds.replaceAll((name, counts) -> new long[] {counts[0] - beforeRounds.get(name)[0], counts[1] - beforeRounds.get(name)[1]});
      assertThat(join.labels("joined")).as("feedback records, one per join").isEqualTo(join.feedbackRecords);
      assertThat(join.deadLetters).as("no label was refused").isZero();
      return new Pass(kind, measured, preloaded, liveAfterPreload, sstAfterPreload, changelogAfterPreload, changelogOfRounds,
          join.labels("joined") - labelsBefore, join.predictions("waiting") - predictionsBefore, join.live(), join.sstBytes(),
          join.feedbackRecords, join.feedbackBytes);
    }
  }

  private static String report(Pass rocksDb, Pass inMemory) {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, """
        Ground-truth join: %,d predictions/s of event time, %.0f %% labelled %d s after being served; %,d predictions waiting when
        the first label comes. Medians of %d measured rounds of %d s of traffic (%,d predictions and about %,.0f labels each) after %d
        warm-up rounds; one stream thread. %d cores, Java %s, load average %.2f at the end.

        | stores | labels joined/s | against the goal (50,000/s) | predictions taken/s | records/s (mixed stream) | CPU µs per label | per prediction | process CPU µs per label |
        | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
        """, RATE, LABELLED * 100, DELAY_SECONDS, (long) DELAY_SECONDS * RATE, ROUNDS, ROUND_SECONDS, (long) ROUND_SECONDS * RATE,
        ROUND_SECONDS * RATE * LABELLED, WARMUP_ROUNDS, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    for (Pass pass : List.of(rocksDb, inMemory)) {
      double labels = median(pass.rounds(), Round::labelsPerSecond);
      text.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %,.0f | %,.0f | %.1f | %.1f | %.1f |%n", pass.kind() == JoinHarness.Kind.ROCKSDB
              ? "RocksDB (production)" : "in memory (baseline)", labels, labels / GOAL, median(pass.rounds(), Round::predictionsPerSecond),
          median(pass.rounds(), Round::recordsPerSecond), median(pass.rounds(), Round::cpuMicrosPerLabel),
          median(pass.rounds(), Round::cpuMicrosPerPrediction), median(pass.rounds(), Round::processCpuMicrosPerLabel)));
    }
    double rocksLabels = median(rocksDb.rounds(), Round::labelsPerSecond);
    double decodeLabels = median(rocksDb.rounds(), Round::decodedLabelsPerSecond);
    double decodePredictions = median(rocksDb.rounds(), Round::decodedPredictionsPerSecond);
    text.append(String.format(Locale.ROOT, """

        Baselines in the same run: decoding the same records with `EventDeserializer` alone, %,.0f labels/s and %,.0f predictions/s,
        so the join takes %.1f times as long per label as decoding it (%.1f times per prediction); RocksDB against in-memory stores:
        %.2f of their labels/s. Expiry runs took %.2f %% of the RocksDB pass's processing time. The stores are not flushed while the task runs
        (exactly once: Kafka Streams checkpoints only a suspended or closed task); RocksDB writes full memtables out on its own threads, whose
        CPU time is in the process CPU column (with GC's and the JIT's). Feedback records: %,.0f bytes each as serialized.
        """, decodeLabels, decodePredictions, decodeLabels / rocksLabels,
        decodePredictions / median(rocksDb.rounds(), Round::predictionsPerSecond), rocksLabels / median(inMemory.rounds(), Round::labelsPerSecond),
        100.0 * (sum(rocksDb, Round::overheadNanos) - sum(rocksDb, Round::commitNanos)) / total(rocksDb),
        (double) rocksDb.feedbackBytes() / Math.max(1, rocksDb.feedbackRecords())));

    long preloaded = rocksDb.preloaded();
    long[] pending = rocksDb.liveAfterPreload().get(TruthStores.HELD);
    long[] index = rocksDb.liveAfterPreload().get(TruthStores.INDEX);
    double live = (double) (pending[1] + pending[2] + index[1] + index[2]) / preloaded;
    long sst = rocksDb.sstAfterPreload().values().stream().mapToLong(Long::longValue).sum();
    long changelogPreload = rocksDb.changelogAfterPreload().values().stream().mapToLong(counts -> counts[1]).sum();
    long changelogRecordsPreload = rocksDb.changelogAfterPreload().values().stream().mapToLong(counts -> counts[0]).sum();
    text.append(String.format(Locale.ROOT, """

        State per waiting prediction, with %,d predictions waiting and no label yet (README formula: about %.0f B before RocksDB's
        and the changelog's overhead):

        | measure | bytes per waiting prediction |
        | --- | ---: |
        | key and value in `truth-held` (%,.0f + %,.0f) and its `truth-index` entry (%,.0f + 0) | %,.0f |
        | RocksDB SST files of the stores after a commit (on disk, uncompressed, before compaction) | %,.0f |
        | written to the changelogs (%.1f records per prediction) | %,.0f |
        """, preloaded, FORMULA_BYTES, (double) pending[1] / preloaded, (double) pending[2] / preloaded, (double) index[1] / preloaded,
        live, (double) sst / preloaded, (double) changelogRecordsPreload / preloaded, (double) changelogPreload / preloaded));

    long labelsOfRounds = rocksDb.labelsOfRounds();
    long predictionsOfRounds = rocksDb.predictionsOfRounds();
    text.append(String.format(Locale.ROOT, """

        Changelog writes over the measured rounds of the RocksDB pass (%,d predictions, %,d labels), per store. A prediction
        writes its `truth-held` entry and an index entry; a join deletes both and writes a marker and its index entry.

        | store | records | bytes |
        | --- | ---: | ---: |
        """, predictionsOfRounds, labelsOfRounds));
    long roundRecords = 0;
    long roundBytes = 0;
    for (Map.Entry<String, long[]> store : rocksDb.changelogOfRounds().entrySet()) {
      text.append(String.format(Locale.ROOT, "| `%s` | %,d | %,d |%n", store.getKey(), store.getValue()[0], store.getValue()[1]));
      roundRecords += store.getValue()[0];
      roundBytes += store.getValue()[1];
    }
    double perPredictionRecords = (double) changelogRecordsPreload / preloaded;
    double perPredictionBytes = (double) changelogPreload / preloaded;
    text.append(String.format(Locale.ROOT, """

        Per label, what the rounds wrote beyond their predictions' share (%.1f records, %,.0f bytes each, from the first %d s):
        %.2f records, %,.0f bytes (key and value bytes; the changelog topic adds its own record overhead).
        """, perPredictionRecords, perPredictionBytes, DELAY_SECONDS, (roundRecords - perPredictionRecords * predictionsOfRounds) / labelsOfRounds,
        (roundBytes - perPredictionBytes * predictionsOfRounds) / labelsOfRounds));

    text.append("\nAt the end of the RocksDB pass, per store: entries, key and value bytes live, SST bytes on disk.\n\n"
        + "| store | entries | key bytes | value bytes | SST bytes |\n| --- | ---: | ---: | ---: | ---: |\n");
    for (Map.Entry<String, long[]> store : rocksDb.liveAtEnd().entrySet()) {
      long[] counts = store.getValue();
      text.append(String.format(Locale.ROOT, "| `%s` | %,d | %,d | %,d | %,d |%n", store.getKey(), counts[0], counts[1], counts[2],
          rocksDb.sstAtEnd().get(store.getKey())));
    }
    return text.toString();
  }

  private static long total(Pass pass) {
    return pass.rounds().stream().mapToLong(round -> round.labelNanos() + round.predictionNanos() + round.overheadNanos()).sum();
  }

  private static long sum(Pass pass, java.util.function.ToLongFunction<Round> part) {
    return pass.rounds().stream().mapToLong(part).sum();
  }

  private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> figure) {
    double[] sorted = rounds.stream().mapToDouble(figure).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
