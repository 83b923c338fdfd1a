package io.kloop.ingest.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a phase of the benchmark spends the machine: the CPU time of the whole JVM (broker, producer,
 * pipeline and controls all run in it), per record and in cores kept busy, and the busiest threads, each as
 * the cores it kept busy, threads of one kind together (their names' numbers folded). A JVM at about
 * {@code availableProcessors()} cores ran out of machine: its records per second are then set by the CPU
 * time each record costs.
 */
final class CpuMeter {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final CompilationMXBean COMPILER = ManagementFactory.getCompilationMXBean();

  static {
    if (OS.getProcessCpuTime() < 0 || !THREADS.isThreadCpuTimeSupported() || COMPILER == null
        || !COMPILER.isCompilationTimeMonitoringSupported()) {
      throw new IllegalStateException("this JVM does not measure process CPU time, thread CPU time or JIT compile time");
    }
    THREADS.setThreadCpuTimeEnabled(true);
  }

  private final long wallStart = System.nanoTime();
  private final long cpuStart = OS.getProcessCpuTime();
  private final Map<Long, Long> threadStart = threadCpu();
  private final long jitStart = COMPILER.getTotalCompilationTime();

  /**
   * A phase's figures: cores kept busy by the JVM, its CPU microseconds per record, and the cores kept busy
   * by each kind of thread (by name, numbers folded), with the JIT compilers' compile time and the rest of
   * the JVM's own threads.
   */
  record Usage(double cores, double microsPerRecord, Map<String, Double> kinds) {
    static final String JIT = "JIT compile time";

    /** Cores kept busy by threads of this kind (0 if none ran). */
    double cores(String kind) {
      return kinds.getOrDefault(kind, 0.0);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.2f cores, %.1f µs per record; ", cores, microsPerRecord) + kinds.entrySet().stream()
          .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
          .limit(6)
          .map(kind -> String.format(Locale.ROOT, "%s %.2f", kind.getKey(), kind.getValue()))
          .collect(Collectors.joining(", "));
    }
  }

  /** The figures since this meter was made, for a phase that moved {@code records} records. */
  Usage stop(int records) {
    long wall = System.nanoTime() - wallStart;
    long cpu = OS.getProcessCpuTime() - cpuStart;
    Map<Long, Long> threadEnd = threadCpu();
    Map<Long, String> names = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(threadEnd.keySet().stream().mapToLong(Long::longValue).toArray())) {
      if (info != null) {
        names.put(info.getThreadId(), info.getThreadName());
      }
    }
    Map<String, Long> kinds = new HashMap<>();
    long live = 0;
    for (Map.Entry<Long, Long> thread : threadEnd.entrySet()) {
      long used = thread.getValue() - threadStart.getOrDefault(thread.getKey(), 0L);
      live += used;
      kinds.merge(names.getOrDefault(thread.getKey(), "?").replaceAll("[0-9a-f-]{8,}", "…").replaceAll("[0-9]+", "N"), used, Long::sum);
    }
    // The JVM's own threads are not Java threads. The compilers' time is known, though as time spent
    // compiling rather than on a core (an upper bound while they wait for one); the garbage collectors' is
    // not, nor that of threads that ended during the phase (the benchmark's producers' network threads).
    long jit = (COMPILER.getTotalCompilationTime() - jitStart) * 1_000_000;
    kinds.put(Usage.JIT, jit);
    // Compile time can exceed the compilers' CPU time: the rest is then counted as none.
    kinds.put("(ended, or the JVM's own but the JIT)", Math.max(0, cpu - live - jit));
    Map<String, Double> cores = new HashMap<>();
    kinds.forEach((kind, nanos) -> cores.put(kind, (double) nanos / wall));
    return new Usage((double) cpu / wall, cpu / 1e3 / records, cores);
  }

  private static Map<Long, Long> threadCpu() {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long nanos = THREADS.getThreadCpuTime(id);
      if (nanos >= 0) {
        cpu.put(id, nanos);
      }
    }
    return cpu;
  }
}
