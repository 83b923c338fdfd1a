package io.kloop.local;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelTrained;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
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
import java.util.ArrayDeque;
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
 * event on the way ({@link LoopTap}). A biopsy lab stands beside the traffic: a quarter of the served predictions
 * (every {@value #LABEL_EVERY}th) get their true class posted to the monitor as ground truth, after a delay.
 *
 * <ol>
 *   <li>the shipped breast cancer data set (shuffled, seeded) is declared and published to Kafka; the demo
 *       model trains on it and the registry approves version 1, which inference serves;
 *   <li>stationary traffic: two drift windows of predictions drawn from the same data, and the biopsy results of a
 *       quarter of them: no drift, live accuracy as on the test split, no retraining. The labelled predictions go
 *       back into ingest as feedback records;
 *   <li>the world changes: a new scanner magnifies every image by {@value #MAGNIFICATION} (radii and perimeters
 *       measure 30 % larger, areas 69 %). Its traffic starts, and no labelled records are posted beside it: the
 *       new world reaches training only through the biopsy results of its served predictions. The monitor finds
 *       the drift at once (reported, not acted on: the demo's monitor retrains on performance only); once the
 *       first results are in ingest, the rest of the labelled window shows live accuracy falling, the monitor asks
 *       for retraining with that evidence, training learns from the newest rows (feedback from the new scanner),
 *       the registry approves version 2 and inference serves it: the time from the first drifted prediction to
 *       the first answer of version 2 is the loop's reaction time;
 *   <li>a labelled window of the same traffic on version 2: live accuracy recovered, and no drift against version
 *       2's own reference.
 * </ol>
 */
final class ClosedLoopDemo {

  private static final Logger log = LoggerFactory.getLogger(ClosedLoopDemo.class);

  /** How much larger the new scanner images every tumour: lengths times this, areas times its square. */
  static final double MAGNIFICATION = 1.3;

  /** The biopsy lab labels every this-many-th served prediction (a quarter of the traffic). */
  static final int LABEL_EVERY = 4;

  /** How long after a prediction the lab's result comes, in the traffic that runs until a new version serves. */
  static final Duration LABEL_DELAY = Duration.ofSeconds(1);

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
   * @param windowSize the monitor's drift count window, so that stationary traffic fills whole windows
   * @param labelledWindowSize the monitor's count window of labelled predictions
   * @param feedbackRows labelled predictions of the new scanner that reach ingest before the accuracy drop is measured:
   *     the model's training window, so that the retrained version learns from the new scanner only
   * @param predictionsPerSecond pace of the traffic, 0 for as fast as one client goes
   * @param timeout how long any one step may take
   */
  record Settings(String model, String dataset, Path data, long seed, int windowSize, int labelledWindowSize, int feedbackRows,
      int predictionsPerSecond, Duration timeout) {

    Settings {
      if (2 * windowSize % (LABEL_EVERY * labelledWindowSize) != 0) {
        throw new IllegalArgumentException("the stationary traffic (two drift windows of " + windowSize + ") must label whole windows of "
            + labelledWindowSize + " labelled predictions (every " + LABEL_EVERY + "th is labelled)");
      }
      if (feedbackRows >= labelledWindowSize) {
        throw new IllegalArgumentException("the " + feedbackRows + " feedback rows that reach training first must be fewer than a labelled window ("
            + labelledWindowSize + "), whose end measures the drop");
      }
    }

    static Settings defaults(Path data) {
      return new Settings(LocalPlatform.DEMO_MODEL, LocalPlatform.DEMO_MODEL, data, 7, 1000, 500, LocalPlatform.DEMO_WINDOW_ROWS, 500,
          Duration.ofMinutes(3));
    }

    Settings withPace(int predictionsPerSecond) {
      return new Settings(model, dataset, data, seed, windowSize, labelledWindowSize, feedbackRows, predictionsPerSecond, timeout);
    }

    Settings withWindowSizes(int windowSize, int labelledWindowSize) {
      return new Settings(model, dataset, data, seed, windowSize, labelledWindowSize, feedbackRows, predictionsPerSecond, timeout);
    }
  }

  /**
   * What happened, by id, with the loop's timings.
   *
   * @param stationaryPerformance version 1's labelled window of the stationary traffic
   * @param feedbackBatches the batches that took the new scanner's first labelled predictions, before the drop
   * @param drop version 1's labelled window of the new scanner's traffic whose drop asked for retraining
   * @param secondPerformance version 2's first labelled window of the new scanner's traffic
   */
  record Outcome(ModelApproved first, List<DriftReported> stationaryReports, PerformanceReported stationaryPerformance,
      Instant driftOnset, List<DatasetBatchCommitted> feedbackBatches, DriftDetected detection, PerformanceReported drop,
      RetrainingRequested request, ModelTrained retrained, ModelApproved second, Instant secondServing, DriftReported secondReport,
      PerformanceReported secondPerformance) {

    Duration onsetToServing() {
      return Duration.between(driftOnset, secondServing);
    }

    /** Each step of the loop's reaction, with its time since the drift onset. */
    Map<String, Duration> reaction() {
      Map<String, Duration> steps = new LinkedHashMap<>();
      steps.put("drift detected", Duration.between(driftOnset, detection.getEventTime()));
      steps.put("accuracy drop measured", Duration.between(driftOnset, drop.getEventTime()));
      steps.put("retraining requested", Duration.between(driftOnset, request.getEventTime()));
      steps.put("model trained", Duration.between(driftOnset, retrained.getEventTime()));
      steps.put("model approved", Duration.between(driftOnset, second.getEventTime()));
      steps.put("new version serving", onsetToServing());
      return steps;
    }
  }

  /** A biopsy result of a served prediction. */
  record Label(String predictionId, String label) {}

  private static final int INSTANCES_PER_REQUEST = 25;
  private static final int LABELS_PER_POST = 1000;
  /** How long the tap may lag behind an event that caused one it has already seen (other topics, other partitions). */
  private static final Duration SETTLE = Duration.ofSeconds(15);

  private final Endpoints endpoints;
  private final Settings settings;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JsonMapper json = JsonMapper.builder().build();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong served = new AtomicLong();

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

      // 2. Stationary traffic: no drift, accuracy as on the test split, no request.
      int stationary = 2 * settings.windowSize();
      step("2/4 stationary traffic: %d predictions drawn from the same data (two monitor windows)", stationary);
      Random draw = new Random(settings.seed() + 1);
      List<Label> stationaryLabels = send(stationary, () -> shipped.get(draw.nextInt(shipped.size())));
      tap.await(DriftReported.class,
          r -> r.getModel().equals(model) && r.getVersion() == first.getVersion() && r.getWindow().getSequence() == 1,
          settings.timeout(), "the monitor's report of the second stationary window");
      List<DriftReported> stationaryReports = tap.events(DriftReported.class).stream()
          .filter(r -> r.getModel().equals(model) && r.getVersion() == first.getVersion()).toList();
      step("    the biopsy results of %d of them (every %dth) arrive", stationaryLabels.size(), LABEL_EVERY);
      int batchesBefore = tap.events(DatasetBatchCommitted.class).size();
      postLabels(stationaryLabels);
      PerformanceReported stationaryPerformance = tap.await(PerformanceReported.class,
          r -> isLabelled(r, model, first.getVersion()) && r.getWindow().getSequence() == stationaryLabels.size() / settings.labelledWindowSize() - 1,
          settings.timeout(), "the monitor's labelled windows of the stationary traffic");
      awaitFeedbackRows(tap, batchesBefore, stationaryLabels.size());
      long requested = tap.events(RetrainingRequested.class).stream().filter(r -> r.getModel().equals(model)).count();
      step("    %d windows judged, %s; live accuracy %.3f (test split %.3f); %d retraining requests; %d feedback rows in ingest",
          stationaryReports.size(), stationaryReports.stream().anyMatch(DriftReported::getDrifting) ? "SOME DRIFTING" : "none drifting",
          stationaryPerformance.getRealized().getAccuracy().getValue(), stationaryPerformance.getExpected().getAccuracy(), requested,
          stationaryLabels.size());

      // 3. The world changes; only the biopsy results of its traffic tell training about it.
      Random drifted = new Random(settings.seed() + 3);
      List<SourceRecord> magnified = shipped.stream().map(ClosedLoopDemo::magnify).toList();
      Supplier<SourceRecord> scanner = () -> magnified.get(drifted.nextInt(magnified.size()));
      Instant onset = Instant.now();
      int firstScanned = LABEL_EVERY * settings.feedbackRows();
      step("3/4 the world changes: a new scanner images every tumour %.0f %% larger; %d predictions of its traffic (drift onset)",
          100 * (MAGNIFICATION - 1), firstScanned);
      List<Label> firstResults = send(firstScanned, scanner);
      step("    their %d biopsy results arrive and go back into ingest as feedback", firstResults.size());
      batchesBefore = tap.events(DatasetBatchCommitted.class).size();
      postLabels(firstResults);
      List<DatasetBatchCommitted> feedbackBatches = awaitFeedbackRows(tap, batchesBefore, firstResults.size());
      step("    the new scanner's traffic goes on, its biopsy results %d s after each prediction, until inference answers with a new version",
          LABEL_DELAY.toSeconds());
      Traffic traffic = new Traffic(scanner, first.getVersion());
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
      PerformanceReported drop = tap.await(PerformanceReported.class, r -> request.getPerformanceEvidence() != null
          && r.getReportId().equals(request.getPerformanceEvidence().getReportId()), SETTLE, "the labelled window that asked for retraining");
      ModelTrained retrained = tap.await(ModelTrained.class, t -> t.getRunId().equals(second.getRunId()), SETTLE,
          "the retrained model's run");
      Instant serving = traffic.versionSeenAt;
      Outcome reacted = new Outcome(first, stationaryReports, stationaryPerformance, onset, feedbackBatches, detection, drop, request,
          retrained, second, serving, null, null);
      step("    %s v%d serves %.1f s after the drift onset: %s", model, second.getVersion(), seconds(onset, serving),
          reacted.reaction().entrySet().stream().map(e -> String.format(Locale.ROOT, "%s +%.1f s", e.getKey(), e.getValue().toMillis() / 1000.0))
              .collect(Collectors.joining(", ")));

      // 4. The new version, judged on the same traffic: its labels and its own reference.
      int judged = Math.max(settings.windowSize(), LABEL_EVERY * settings.labelledWindowSize());
      step("4/4 %d predictions of the new scanner's traffic on v%d, and their biopsy results", judged, second.getVersion());
      postLabels(send(judged, scanner));
      DriftReported secondReport = tap.await(DriftReported.class,
          r -> r.getModel().equals(model) && r.getVersion() == second.getVersion(), settings.timeout(),
          "the monitor's report of v" + second.getVersion() + "'s first window");
      PerformanceReported secondPerformance = tap.await(PerformanceReported.class, r -> isLabelled(r, model, second.getVersion()),
          settings.timeout(), "the monitor's first labelled window of v" + second.getVersion());
      step("    the loop closed: live accuracy on the new scanner %.3f with v%d, %.3f with v%d (%.3f on the old one); v%d window %d %s."
              + " Report: %s/v1/models/%s/drift/report",
          drop.getRealized().getAccuracy().getValue(), first.getVersion(), secondPerformance.getRealized().getAccuracy().getValue(),
          second.getVersion(), stationaryPerformance.getRealized().getAccuracy().getValue(), second.getVersion(),
          secondReport.getWindow().getSequence(), secondReport.getDrifting() ? "still drifts" : "shows no drift", endpoints.monitor(), model);
      return new Outcome(first, stationaryReports, stationaryPerformance, onset, feedbackBatches, detection, drop, request, retrained,
          second, serving, secondReport, secondPerformance);
    }
  }

  private static boolean isLabelled(PerformanceReported report, String model, int version) {
    return report.getModel().equals(model) && report.getVersion() == version && report.getKind() == PerformanceWindowKind.LABELLED;
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

  /** Waits until the batches sealed after the first {@code batchesBefore} hold {@code rows} feedback rows; those batches. */
  private List<DatasetBatchCommitted> awaitFeedbackRows(LoopTap tap, int batchesBefore, long rows) throws InterruptedException, TimeoutException {
    tap.await(DatasetBatchCommitted.class, b -> {
      List<DatasetBatchCommitted> all = tap.events(DatasetBatchCommitted.class);
      return all.subList(batchesBefore, all.size()).stream().mapToLong(DatasetBatchCommitted::getFeedbackRows).sum() >= rows;
    }, settings.timeout(), rows + " feedback rows sealed into batches");
    List<DatasetBatchCommitted> all = tap.events(DatasetBatchCommitted.class);
    return List.copyOf(all.subList(batchesBefore, all.size()));
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

  /** Sends {@code count} predictions at the configured pace; the biopsy results of the lab's share of them. */
  private List<Label> send(int count, Supplier<SourceRecord> next) throws IOException, InterruptedException {
    long started = System.nanoTime();
    List<Label> labels = new ArrayList<>();
    for (int sent = 0; sent < count; sent += INSTANCES_PER_REQUEST) {
      pace(started, sent);
      List<SourceRecord> instances = new ArrayList<>();
      for (int i = 0; i < Math.min(INSTANCES_PER_REQUEST, count - sent); i++) {
        instances.add(next.get());
      }
      labels.addAll(predict(instances).labels());
    }
    return labels;
  }

  /** Posts biopsy results to the monitor, at most {@value #LABELS_PER_POST} a request. */
  private void postLabels(List<Label> labels) throws IOException, InterruptedException {
    for (int from = 0; from < labels.size(); from += LABELS_PER_POST) {
      List<Map<String, String>> body = labels.subList(from, Math.min(labels.size(), from + LABELS_PER_POST)).stream()
          .map(l -> Map.of("predictionId", l.predictionId(), "label", l.label())).toList();
      HttpRequest request = HttpRequest.newBuilder(endpoints.monitor().resolve("/v1/models/" + settings.model() + "/ground-truth"))
          .timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
          .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 202) {
        throw new IOException("the monitor answered " + response.statusCode() + " to biopsy results: " + response.body());
      }
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

  /** What inference answered: the version, and the biopsy results the lab will have for its share of the predictions. */
  private record Answer(int version, List<Label> labels) {}

  /** One prediction request. */
  private Answer predict(List<SourceRecord> instances) throws IOException, InterruptedException {
    List<Map<String, Object>> features = instances.stream().map(SourceRecord::features).toList();
    HttpRequest request = HttpRequest.newBuilder(endpoints.inference().resolve("/v1/models/" + settings.model() + "/predict"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("X-Request-Id", "demo-" + requests.incrementAndGet())
        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("instances", features))))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("inference answered " + response.statusCode() + ": " + response.body());
    }
    JsonNode body = json.readTree(response.body());
    List<Label> labels = new ArrayList<>();
    JsonNode predictions = body.path("predictions");
    for (int i = 0; i < instances.size(); i++) {
      if (served.getAndIncrement() % LABEL_EVERY == 0) {
        labels.add(new Label(predictions.path(i).path("predictionId").asText(), instances.get(i).label()));
      }
    }
    return new Answer(body.path("version").asInt(), labels);
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
      // The lab's results, due LABEL_DELAY after their predictions.
      ArrayDeque<Label> pending = new ArrayDeque<>();
      ArrayDeque<Long> due = new ArrayDeque<>();
      try {
        while (running) {
          pace(started, sent);
          List<SourceRecord> instances = new ArrayList<>();
          for (int i = 0; i < INSTANCES_PER_REQUEST; i++) {
            instances.add(next.get());
          }
          Answer answer = predict(instances);
          sent += instances.size();
          long now = System.nanoTime();
          answer.labels().forEach(label -> {
            pending.add(label);
            due.add(now + LABEL_DELAY.toNanos());
          });
          List<Label> results = new ArrayList<>();
          while (!due.isEmpty() && due.peek() <= now) {
            due.poll();
            results.add(pending.poll());
          }
          postLabels(results);
          if (answer.version() > latestVersion) {
            versionSeenAt = Instant.now();
            latestVersion = answer.version();
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
