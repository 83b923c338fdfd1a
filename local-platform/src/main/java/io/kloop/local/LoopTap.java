package io.kloop.local;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.EvaluationMetrics;
import io.kloop.events.MetricEstimate;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelRolledBack;
import io.kloop.events.ModelTrained;
import io.kloop.events.PerformanceEvidence;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PerformanceWindowKind;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.TrainingFailed;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topic;
import io.kloop.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the closed loop's topics (new data, training, decisions, drift, retraining requests) from the moment
 * it is opened, prints one line per event for people, and lets the demo wait for an event. Committed records
 * only ({@code read_committed}): what the platform's own consumers see.
 */
final class LoopTap implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LoopTap.class);

  static final List<Topic<String, ?>> TOPICS = List.of(
      Topics.DATASET_BATCH_COMMITTED, Topics.MODEL_TRAINED, Topics.TRAINING_FAILED, Topics.MODEL_APPROVED,
      Topics.MODEL_REJECTED, Topics.MODEL_ROLLED_BACK, Topics.DRIFT_REPORTED, Topics.DRIFT_DETECTED,
      Topics.PERFORMANCE_REPORTED, Topics.RETRAINING_REQUESTED);

  private final KafkaConsumer<String, SpecificRecord> consumer;
  private final Thread thread;
  private final List<SpecificRecord> seen = new ArrayList<>();
  private volatile Exception failure;

  LoopTap(String bootstrapServers) {
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.CLIENT_ID_CONFIG, "kloop-loop-tap"),
        new StringDeserializer(), new EventDeserializer<>());
    List<TopicPartition> partitions = new ArrayList<>();
    for (Topic<String, ?> topic : TOPICS) {
      for (int partition = 0; partition < topic.partitions(); partition++) {
        partitions.add(new TopicPartition(topic.name(), partition));
      }
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    // Fix the starting offsets now: whatever happens after the tap is opened is seen.
    partitions.forEach(consumer::position);
    thread = new Thread(this::follow, "kloop-loop-tap");
    thread.setDaemon(true);
    thread.start();
  }

  private void follow() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.value() != null) {
            log.info("{}", describe(record.value()));
            synchronized (seen) {
              seen.add(record.value());
              seen.notifyAll();
            }
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (Exception e) {
      failure = e;
      log.error("The loop tap stopped: {}", e.toString());
      synchronized (seen) {
        seen.notifyAll();
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Every event seen so far of a type, in arrival order. */
  <T extends SpecificRecord> List<T> events(Class<T> type) {
    synchronized (seen) {
      return seen.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  /** Waits for the first event (seen before or after the call) of a type that matches. */
  <T extends SpecificRecord> T await(Class<T> type, Predicate<? super T> condition, Duration timeout, String what)
      throws InterruptedException, TimeoutException {
    return await(type, condition, timeout, () -> what);
  }

  /** As {@link #await(Class, Predicate, Duration, String)}, with what was awaited described when the wait fails. */
  <T extends SpecificRecord> T await(Class<T> type, Predicate<? super T> condition, Duration timeout, Supplier<String> what)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (seen) {
      while (true) {
        Optional<T> found = seen.stream().filter(type::isInstance).map(type::cast).filter(condition).findFirst();
        if (found.isPresent()) {
          return found.get();
        }
        if (failure != null) {
          throw new IllegalStateException("the loop tap failed while waiting for " + what.get(), failure);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("no " + what.get() + " within " + timeout.toSeconds() + " s");
        }
        TimeUnit.NANOSECONDS.timedWait(seen, left);
      }
    }
  }

  /** One line about an event, for the demo's log. */
  static String describe(SpecificRecord event) {
    if (event instanceof DatasetBatchCommitted batch) {
      return String.format("new data       batch %s of %s sealed: %d rows%s (sha256 %s...)", shortId(batch.getBatchId()),
          batch.getDataset(), batch.getRowCount(),
          batch.getFeedbackRows() == 0 ? "" : batch.getFeedbackRows() == batch.getRowCount() ? ", all feedback from served predictions"
              : ", " + batch.getFeedbackRows() + " of them feedback from served predictions",
          batch.getArtifact().getSha256().substring(0, 12));
    }
    if (event instanceof ModelTrained trained) {
      return String.format("trained        %s run %s (%s, trigger %s) on batches %s: test %s; champion %s on the same split",
          trained.getModel(), shortId(trained.getRunId()), trained.getAlgorithm(), triggerText(trained.getTrigger()),
          trained.getLineage().stream().map(b -> shortId(b.getBatchId())).toList(), metrics(trained.getMetrics()),
          trained.getChampionVersion() == null ? "none" : "v" + trained.getChampionVersion() + " " + metrics(trained.getChampionMetrics()));
    }
    if (event instanceof TrainingFailed failed) {
      return String.format("TRAINING FAILED %s run %s in phase %s: %s", failed.getModel(), shortId(failed.getRunId()),
          failed.getPhase(), failed.getReason());
    }
    if (event instanceof ModelApproved approved) {
      return String.format("approved       %s v%d (run %s) by %s: %s", approved.getModel(), approved.getVersion(),
          shortId(approved.getRunId()), approved.getActor(), approved.getReason());
    }
    if (event instanceof ModelRejected rejected) {
      return String.format("REJECTED       %s v%d by %s: %s %s", rejected.getModel(), rejected.getVersion(), rejected.getActor(),
          rejected.getReason(), rejected.getViolations());
    }
    if (event instanceof ModelRolledBack rolledBack) {
      return String.format("rolled back    %s to v%d by %s", rolledBack.getModel(), rolledBack.getToVersion(), rolledBack.getActor());
    }
    if (event instanceof DriftReported report) {
      return String.format("drift report   %s v%d window %d (%d predictions): %s", report.getModel(), report.getVersion(),
          report.getWindow().getSequence(), report.getWindow().getPredictions(),
          report.getDrifting()
              ? "DRIFTING (features " + report.getDriftedFeatures() + (report.getOutputDrifted() ? ", output" : "") + ")"
              : "no drift" + (report.getDriftedFeatures().isEmpty() ? "" : " (features " + report.getDriftedFeatures() + ")"));
    }
    if (event instanceof DriftDetected detected) {
      return String.format("DRIFT DETECTED %s v%d window %d: %.0f %% of features drifted%s, report %s", detected.getModel(),
          detected.getVersion(), detected.getWindow().getSequence(), 100 * detected.getDriftedShare(),
          detected.getOutputDrifted() ? " and the output" : "", shortId(detected.getReportId()));
    }
    if (event instanceof PerformanceReported report) {
      return performance(report);
    }
    if (event instanceof RetrainingRequested request) {
      return String.format("retraining     %s requested by %s (%s%s), request %s", request.getModel(), request.getRequestedBy(),
          request.getReason(), evidence(request), shortId(request.getEventId()));
    }
    return event.getSchema().getName();
  }

  /** A labelled window: live accuracy beside CBPE's estimate and the test split's; a served window: the estimate. */
  private static String performance(PerformanceReported report) {
    String head = String.format(Locale.ROOT, "%-14s %s v%d window %d (%d %s): ", report.getKind() == PerformanceWindowKind.LABELLED
            ? (report.getDropped().isEmpty() ? "live accuracy" : "ACCURACY DROP") : "estimate", report.getModel(), report.getVersion(),
        report.getWindow().getSequence(), report.getWindow().getPredictions(),
        report.getKind() == PerformanceWindowKind.LABELLED ? "labelled predictions" : "predictions");
    String estimate = report.getEstimated() == null ? "no estimate" : String.format(Locale.ROOT, "CBPE estimate %.3f",
        report.getEstimated().getAccuracy().getValue());
    String test = String.format(Locale.ROOT, "test split %.3f", report.getExpected().getAccuracy());
    if (report.getRealized() == null) {
      return head + estimate + ", " + test;
    }
    MetricEstimate accuracy = report.getRealized().getAccuracy();
    return head + String.format(Locale.ROOT, "accuracy %.3f [%.3f, %.3f]; %s, %s%s", accuracy.getValue(), accuracy.getLower(),
        accuracy.getUpper(), estimate, test, report.getDropped().isEmpty() ? "" : "; dropped: " + report.getDropped());
  }

  private static String evidence(RetrainingRequested request) {
    if (request.getDriftReportId() != null) {
      return ", evidence: drift report " + shortId(request.getDriftReportId());
    }
    PerformanceEvidence evidence = request.getPerformanceEvidence();
    if (evidence == null) {
      return "";
    }
    return String.format(Locale.ROOT, ", evidence: %s%s of v%d %.3f [%.3f, %.3f] against %.3f on the test split, report %s",
        evidence.getEstimated() ? "estimated " : "", evidence.getMetric(), evidence.getVersion(), evidence.getObserved().getValue(),
        evidence.getObserved().getLower(), evidence.getObserved().getUpper(), evidence.getExpected(), shortId(evidence.getReportId()));
  }

  private static String metrics(EvaluationMetrics metrics) {
    if (metrics == null) {
      return "-";
    }
    return String.format(Locale.ROOT, "accuracy %.3f%s", metrics.getAccuracy(),
        metrics.getRocAuc() == null ? "" : String.format(Locale.ROOT, ", ROC-AUC %.3f", metrics.getRocAuc()));
  }

  private static String triggerText(String trigger) {
    return List.of(trigger.split(",")).stream().map(LoopTap::shortId).collect(Collectors.joining(","));
  }

  /** An id that is or ends with a UUID, shortened to the UUID's first 8 characters as git shortens hashes; other ids whole. */
  static String shortId(String id) {
    int uuid = id.length() - 36;
    boolean endsWithUuid = uuid >= 0 && id.charAt(uuid + 8) == '-' && id.charAt(uuid + 13) == '-' && (uuid == 0 || id.charAt(uuid - 1) == '-');
    return endsWithUuid ? id.substring(0, uuid + 8) : id;
  }

  @Override
  public void close() throws InterruptedException {
    consumer.wakeup();
    thread.join(TimeUnit.SECONDS.toMillis(10));
  }
}
