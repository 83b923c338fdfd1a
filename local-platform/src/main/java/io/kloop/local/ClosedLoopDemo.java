package io.kloop.local;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelTrained;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.TrainingFailed;
import io.kloop.producer.BreastCancerCsv;
import io.kloop.producer.ProduceRecords;
import io.kloop.producer.SourceRecord;
import io.kloop.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The closed loop, driven once against a running platform, with a line in the log for every step and every
 * event on the way ({@link LoopTap}):
 *
 * <ol>
 *   <li>the shipped breast cancer data set (shuffled, seeded) is declared and published to Kafka; the demo
 *       model trains on it and the registry approves version 1, which inference serves;
 *   <li>stationary traffic: two windows of predictions drawn from the same data; the monitor reports no drift
 *       and asks for no retraining;
 *   <li>the world changes: a new scanner magnifies every image by {@value #MAGNIFICATION} (radii and perimeters
 *       measure 30 % larger, areas 69 %). Labelled records from it arrive (fewer than the model's new-data
 *       threshold, so they alone train nothing), then traffic from it. The monitor finds drift, asks for
 *       retraining; training learns from the newest rows, the registry approves version 2 and inference
 *       serves it: the time from the first drifted prediction to the first answer of version 2 is the loop's
 *       reaction time;
 *   <li>a window of the same traffic on version 2, which the monitor judges against version 2's own reference.
 * </ol>
 */
final class ClosedLoopDemo {

  private static final Logger log = LoggerFactory.getLogger(ClosedLoopDemo.class);

  /** How much larger the new scanner images every tumour: lengths times this, areas times its square. */
  static final double MAGNIFICATION = 1.3;

  /** Features that measure a length or an area, for the new scanner. */
  static final Set<String> LENGTHS = Set.of("mean_radius", "mean_perimeter", "radius_error", "perimeter_error",
      "worst_radius", "worst_perimeter");
  static final Set<String> AREAS = Set.of("mean_area", "area_error", "worst_area");

  /** Where the platform listens. */
  record Endpoints(String bootstrapServers, URI ingest, URI registry, URI inference, URI monitor) {

    static Endpoints of(LocalPlatform platform) {
      return new Endpoints(platform.broker().bootstrapServers(), local(platform, "ingest-service"),
          local(platform, "registry-service"), local(platform, "inference-service"), local(platform, "monitor-service"));
    }

    private static URI local(LocalPlatform platform, String service) {
      return URI.create("http://127.0.0.1:" + platform.httpPort(service));
    }
  }

  /**
   * What the demo does.
   *
   * @param model the model the platform trains on {@code dataset} (declared with the platform)
   * @param data the shipped CSV; its spec is the {@code .spec.json} beside it
   * @param windowSize the monitor's count window, so that stationary traffic fills whole windows
   * @param scannerRecords labelled records from the new scanner; fewer than the model's {@code minNewRows}
   * @param predictionsPerSecond pace of the traffic, 0 for as fast as one client goes
   * @param timeout how long any one step may take
   */
  record Settings(String model, String dataset, Path data, long seed, int windowSize, int scannerRecords,
      int predictionsPerSecond, Duration timeout) {

    static Settings defaults(Path data) {
      return new Settings(LocalPlatform.DEMO_MODEL, LocalPlatform.DEMO_MODEL, data, 7, 1000, LocalPlatform.DEMO_WINDOW_ROWS, 500,
          Duration.ofMinutes(3));
    }

    Settings withPace(int predictionsPerSecond) {
      return new Settings(model, dataset, data, seed, windowSize, scannerRecords, predictionsPerSecond, timeout);
    }

    Settings withWindowSize(int windowSize) {
      return new Settings(model, dataset, data, seed, windowSize, scannerRecords, predictionsPerSecond, timeout);
    }
  }

  /** What happened, by id, with the loop's timings. */
  record Outcome(ModelApproved first, List<DriftReported> stationaryReports, List<DatasetBatchCommitted> scannerBatches,
      Instant driftOnset, DriftDetected detection, RetrainingRequested request, ModelTrained retrained, ModelApproved second,
      Instant secondServing, DriftReported secondReport) {

    Duration onsetToServing() {
      return Duration.between(driftOnset, secondServing);
    }

    /** Each step of the loop's reaction, with its time since the drift onset. */
    Map<String, Duration> reaction() {
      Map<String, Duration> steps = new LinkedHashMap<>();
      steps.put("drift detected", Duration.between(driftOnset, detection.getEventTime()));
      steps.put("retraining requested", Duration.between(driftOnset, request.getEventTime()));
      steps.put("model trained", Duration.between(driftOnset, retrained.getEventTime()));
      steps.put("model approved", Duration.between(driftOnset, second.getEventTime()));
      steps.put("new version serving", onsetToServing());
      return steps;
    }
  }

  private static final int INSTANCES_PER_REQUEST = 25;
  /** How long the tap may lag behind an event that caused one it has already seen (other topics, other partitions). */
  private static final Duration SETTLE = Duration.ofSeconds(15);

  private final Endpoints endpoints;
  private final Settings settings;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JsonMapper json = JsonMapper.builder().build();
  private final AtomicLong requests = new AtomicLong();

  ClosedLoopDemo(Endpoints endpoints, Settings settings) {
    this.endpoints = endpoints;
    this.settings = settings;
  }

  Outcome run() throws Exception {
    String model = settings.model();
    requireFreshModel(model);
    List<SourceRecord> shipped = new ArrayList<>(BreastCancerCsv.read(settings.data()));
    Collections.shuffle(shipped, new Random(settings.seed()));
    try (LoopTap tap = new LoopTap(endpoints.bootstrapServers())) {
      // 1. Data in, first model out.
      step("1/4 publishing the shipped data set (%d records, shuffled with seed %d) to %s", shipped.size(), settings.seed(),
          Topics.DATA_RECORD.name());
      ProduceRecords.declare(endpoints.ingest().toString(), settings.dataset(),
          Files.readString(Path.of(settings.data().toString().replace(".csv", ".spec.json"))));
      ProduceRecords.publish(endpoints.bootstrapServers(), settings.dataset(), shipped);
      step("    waiting for the batch to seal, the model to train and the registry to decide");
      ModelApproved first = tap.await(ModelApproved.class, a -> a.getModel().equals(model), settings.timeout(),
          () -> "approval of " + model + " (" + failures(tap, model) + ")");
      awaitServing(first.getVersion());
      step("    %s v%d is served by inference: %s/v2/models/%s", model, first.getVersion(), endpoints.inference(), model);

      // 2. Stationary traffic: no drift, no request.
      int stationary = 2 * settings.windowSize();
      step("2/4 stationary traffic: %d predictions drawn from the same data (two monitor windows)", stationary);
      Random draw = new Random(settings.seed() + 1);
      send(stationary, () -> shipped.get(draw.nextInt(shipped.size())));
      tap.await(DriftReported.class,
          r -> r.getModel().equals(model) && r.getVersion() == first.getVersion() && r.getWindow().getSequence() == 1,
          settings.timeout(), "the monitor's report of the second stationary window");
      List<DriftReported> stationaryReports = tap.events(DriftReported.class).stream()
          .filter(r -> r.getModel().equals(model) && r.getVersion() == first.getVersion()).toList();
      long requested = tap.events(RetrainingRequested.class).stream().filter(r -> r.getModel().equals(model)).count();
      step("    %d windows judged, %s, %d retraining requests", stationaryReports.size(),
          stationaryReports.stream().anyMatch(DriftReported::getDrifting) ? "SOME DRIFTING" : "none drifting", requested);

      // 3. The world changes.
      List<SourceRecord> scanner = scannerRecords(shipped, settings.scannerRecords(), settings.seed() + 2);
      step("3/4 the world changes: a new scanner images every tumour %.0f %% larger; %d labelled records from it arrive",
          100 * (MAGNIFICATION - 1), scanner.size());
      int batchesBefore = tap.events(DatasetBatchCommitted.class).size();
      ProduceRecords.publish(endpoints.bootstrapServers(), settings.dataset(), scanner);
      awaitRows(tap, batchesBefore, scanner.size());
      List<DatasetBatchCommitted> scannerBatches = List.copyOf(
          tap.events(DatasetBatchCommitted.class).subList(batchesBefore, tap.events(DatasetBatchCommitted.class).size()));
      Instant onset = Instant.now();
      step("    traffic from the new scanner starts now (drift onset); it runs until inference answers with a new version");
      Random drifted = new Random(settings.seed() + 3);
      List<SourceRecord> magnified = shipped.stream().map(ClosedLoopDemo::magnify).toList();
      Traffic traffic = new Traffic(() -> magnified.get(drifted.nextInt(magnified.size())), first.getVersion());
      Thread sender = new Thread(traffic, "kloop-demo-traffic");
      sender.start();
      ModelApproved second;
      try {
        SpecificRecord decision = tap.await(SpecificRecord.class, e -> isDecisionAfter(e, model, first.getVersion()),
            settings.timeout(), () -> "decision on a retrained " + model + " (" + failures(tap, model) + ")");
        if (decision instanceof ModelRejected rejected) {
          throw new IllegalStateException(String.format("%s v%d was rejected by %s: %s; v%d keeps serving", model, rejected.getVersion(),
              rejected.getActor(), rejected.getViolations(), first.getVersion()));
        }
        second = (ModelApproved) decision;
        traffic.awaitVersion(second.getVersion(), settings.timeout());
      } finally {
        traffic.stop();
        sender.join(TimeUnit.SECONDS.toMillis(30));
      }
      if (traffic.failure != null) {
        throw new IllegalStateException("the drifted traffic failed: " + traffic.failure.getMessage(), traffic.failure);
      }
      DriftDetected detection = tap.await(DriftDetected.class, d -> d.getModel().equals(model) && d.getVersion() == first.getVersion(),
          SETTLE, "drift detection on v" + first.getVersion());
      RetrainingRequested request = tap.await(RetrainingRequested.class, r -> r.getModel().equals(model), SETTLE,
          "retraining request");
      ModelTrained retrained = tap.await(ModelTrained.class, t -> t.getRunId().equals(second.getRunId()), SETTLE,
          "the retrained model's run");
      Instant serving = traffic.versionSeenAt;
      Outcome reacted = new Outcome(first, stationaryReports, scannerBatches, onset, detection, request, retrained, second, serving, null);
      step("    %s v%d serves %.1f s after the drift onset: %s", model, second.getVersion(), seconds(onset, serving),
          reacted.reaction().entrySet().stream().map(e -> String.format(Locale.ROOT, "%s +%.1f s", e.getKey(), e.getValue().toMillis() / 1000.0))
              .collect(Collectors.joining(", ")));

      // 4. The new version, judged on the same traffic against its own reference.
      step("4/4 a window of the new scanner's traffic on v%d", second.getVersion());
      send(settings.windowSize(), () -> magnified.get(drifted.nextInt(magnified.size())));
      DriftReported secondReport = tap.await(DriftReported.class,
          r -> r.getModel().equals(model) && r.getVersion() == second.getVersion(), settings.timeout(),
          "the monitor's report of v" + second.getVersion() + "'s first window");
      step("    the loop closed: %s v%d window %d %s. Drift report: %s/v1/models/%s/drift/report", model, second.getVersion(),
          secondReport.getWindow().getSequence(), secondReport.getDrifting() ? "still drifts" : "shows no drift",
          endpoints.monitor(), model);
      return new Outcome(first, stationaryReports, scannerBatches, onset, detection, request, retrained, second, serving,
          secondReport);
    }
  }

  private static boolean isDecisionAfter(SpecificRecord event, String model, int version) {
    if (event instanceof ModelApproved approved) {
      return approved.getModel().equals(model) && approved.getVersion() > version;
    }
    return event instanceof ModelRejected rejected && rejected.getModel().equals(model) && rejected.getVersion() > version;
  }

  /** The demo tells its own story only on a model that has none yet. */
  private void requireFreshModel(String model) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoints.registry().resolve("/v1/models/" + model))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 200 && json.readTree(response.body()).path("championVersion").isNumber()) {
      throw new IllegalStateException("model " + model + " already has a champion here; the demo runs on a platform without it"
          + " (./kloop --demo uses a fresh home of its own, or give --home=<an empty directory>)");
    }
  }

  /** A shipped record as the new scanner measures it, under a new id. */
  static SourceRecord magnify(SourceRecord record) {
    Map<String, Object> features = new LinkedHashMap<>(record.features());
    features.replaceAll((name, value) -> LENGTHS.contains(name) ? (double) value * MAGNIFICATION
        : AREAS.contains(name) ? (double) value * MAGNIFICATION * MAGNIFICATION : value);
    return new SourceRecord("scanner-" + record.id(), features, record.label());
  }

  private static List<SourceRecord> scannerRecords(List<SourceRecord> shipped, int count, long seed) {
    List<SourceRecord> chosen = new ArrayList<>(shipped);
    Collections.shuffle(chosen, new Random(seed));
    // Ids derive from the shipped ones, never from the clock: the held-out split is a hash of the id, so the same seed
    // gives the same splits, the same models and the same decisions on every run.
    return chosen.subList(0, Math.min(count, chosen.size())).stream().map(ClosedLoopDemo::magnify).toList();
  }

  private void awaitRows(LoopTap tap, int batchesBefore, long rows) throws InterruptedException, TimeoutException {
    tap.await(DatasetBatchCommitted.class, b -> {
      List<DatasetBatchCommitted> all = tap.events(DatasetBatchCommitted.class);
      return all.subList(batchesBefore, all.size()).stream().mapToLong(DatasetBatchCommitted::getRowCount).sum() >= rows;
    }, settings.timeout(), rows + " new rows sealed into batches");
  }

  private static String failures(LoopTap tap, String model) {
    List<String> reasons = new ArrayList<>();
    tap.events(TrainingFailed.class).stream().filter(f -> f.getModel().equals(model))
        .forEach(f -> reasons.add("training failed in " + f.getPhase() + ": " + f.getReason()));
    tap.events(ModelRejected.class).stream().filter(r -> r.getModel().equals(model))
        .forEach(r -> reasons.add("v" + r.getVersion() + " rejected: " + r.getViolations()));
    return reasons.isEmpty() ? "no training failure or rejection seen" : String.join("; ", reasons);
  }

  private void awaitServing(int version) throws InterruptedException, TimeoutException {
    URI ready = endpoints.inference().resolve("/v2/models/" + settings.model() + "/ready");
    poll(() -> {
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 && json.readTree(response.body()).path("version").asText().equals(String.valueOf(version));
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }, "inference serving v" + version);
  }

  /** Polls every 100 ms, as a client watching a readiness endpoint does. */
  private void poll(BooleanSupplier condition, String what) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    while (!condition.getAsBoolean()) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("no " + what + " within " + settings.timeout().toSeconds() + " s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  /** Sends {@code count} predictions at the configured pace. */
  private void send(int count, Supplier<SourceRecord> next) throws IOException, InterruptedException {
    long started = System.nanoTime();
    for (int sent = 0; sent < count; sent += INSTANCES_PER_REQUEST) {
      pace(started, sent);
      List<Map<String, Object>> instances = new ArrayList<>();
      for (int i = 0; i < Math.min(INSTANCES_PER_REQUEST, count - sent); i++) {
        instances.add(next.get().features());
      }
      predict(instances);
    }
  }

  private void pace(long started, long sent) {
    if (settings.predictionsPerSecond() > 0) {
      long due = started + TimeUnit.SECONDS.toNanos(sent) / settings.predictionsPerSecond();
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  /** One prediction request; the version that answered it. */
  private int predict(List<Map<String, Object>> instances) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(endpoints.inference().resolve("/v1/models/" + settings.model() + "/predict"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("X-Request-Id", "demo-" + requests.incrementAndGet())
        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("instances", instances))))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("inference answered " + response.statusCode() + ": " + response.body());
    }
    JsonNode body = json.readTree(response.body());
    return body.path("version").asInt();
  }

  /** Drifted traffic until stopped, noting when a newer version first answers. */
  private final class Traffic implements Runnable {

    private final Supplier<SourceRecord> next;
    private volatile boolean running = true;
    private volatile int latestVersion;
    private volatile Instant versionSeenAt;
    private volatile Exception failure;

    Traffic(Supplier<SourceRecord> next, int servedVersion) {
      this.next = next;
      this.latestVersion = servedVersion;
    }

    @Override
    public void run() {
      long started = System.nanoTime();
      long sent = 0;
      try {
        while (running) {
          pace(started, sent);
          List<Map<String, Object>> instances = new ArrayList<>();
          for (int i = 0; i < INSTANCES_PER_REQUEST; i++) {
            instances.add(next.get().features());
          }
          int version = predict(instances);
          sent += instances.size();
          if (version > latestVersion) {
            versionSeenAt = Instant.now();
            latestVersion = version;
            synchronized (this) {
              notifyAll();
            }
          }
        }
      } catch (Exception e) {
        failure = e;
        synchronized (this) {
          notifyAll();
        }
      }
    }

    synchronized void awaitVersion(int version, Duration timeout) throws InterruptedException, TimeoutException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (latestVersion < version && failure == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("inference did not answer with v" + version + " within " + timeout.toSeconds() + " s");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    void stop() {
      running = false;
    }
  }

  private static void step(String format, Object... args) {
    log.info(String.format(Locale.ROOT, format, args));
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }
}
