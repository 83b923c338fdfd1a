package io.kloop.inference.serving;

import io.kloop.events.ModelApproved;
import io.kloop.model.OnnxClassifier;
import io.kloop.model.ShapBackground;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model version and its ONNX Runtime session. Requests hold it between {@link #tryAcquire()}
 * and {@link #release()}; when a newer version replaces it, it is {@link #retire() retired} and its native
 * session is closed only after the last request using it has finished, so a swap never breaks a request.
 */
public final class ServedModel {

  private final ModelApproved approval;
  private final OnnxClassifier classifier;
  private final Instant loadedAt;
  private final NameSizes nameSizes;
  /** Background rows of approximate explanations, drawn at the first one. */
  private volatile List<Map<String, Object>> background;
  /** The serving table's reference plus one per request in flight; 0 once retired and idle (closed). */
  private final AtomicInteger references = new AtomicInteger(1);

  private final MeterRegistry meters;
  private final Timer latency;
  private final Counter predictions;

  ServedModel(ModelApproved approval, OnnxClassifier classifier, Instant loadedAt, MeterRegistry meters) {
    this.approval = approval;
    this.classifier = classifier;
    this.loadedAt = loadedAt;
    this.nameSizes = NameSizes.of(approval.getSignature(), approval.getVersion());
    this.meters = meters;
    Tags tags = Tags.of("model", approval.getModel(), "version", String.valueOf(approval.getVersion()));
    this.latency = Timer.builder("kloop.inference.latency")
        .description("Time to score one request with this model version: checks, encoding, ONNX Runtime, prediction log hand-over")
        .tags(tags).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(1)).register(meters);
    this.predictions = Counter.builder("kloop.inference.predictions").description("Instances scored by this model version")
        .tags(tags).register(meters);
  }

  /** Counts one request's scoring time and its instances; meters are made once per loaded version, not per request. */
  void record(long nanos, int instances) {
    latency.record(nanos, TimeUnit.NANOSECONDS);
    predictions.increment(instances);
  }

  public String name() {
    return approval.getModel();
  }

  public int version() {
    return approval.getVersion();
  }

  public ModelApproved approval() {
    return approval;
  }

  public OnnxClassifier classifier() {
    return classifier;
  }

  public Instant loadedAt() {
    return loadedAt;
  }

  /**
   * Background rows for approximate explanations ({@code io.kloop.model.KernelShap}): drawn from the version's
   * reference profile at the first call (seeded by the profile's seed, so every replica explains alike), and
   * kept; the same rows whatever {@code rows} later calls give.
   */
  public List<Map<String, Object>> background(int rows) {
    List<Map<String, Object>> drawn = background;
    if (drawn == null) {
      drawn = List.copyOf(ShapBackground.draw(approval.getSignature(), approval.getReferenceProfile(), rows,
          approval.getReferenceProfile().getSampleSeed()));
      background = drawn;
    }
    return drawn;
  }

  /** The JSON sizes of the model's names, to bound answers about it. */
  public NameSizes nameSizes() {
    return nameSizes;
  }

  /** Takes a reference for one request; false when the model was retired and closed meanwhile. */
  boolean tryAcquire() {
    for (int current = references.get(); current > 0; current = references.get()) {
      if (references.compareAndSet(current, current + 1)) {
        return true;
      }
    }
    return false;
  }

  /** Gives a request's reference back; the last one out of a retired model closes its session. */
  public void release() {
    if (references.decrementAndGet() == 0) {
      classifier.close();
    }
  }

  /**
   * Drops the serving table's reference: the model closes once no request uses it. Its meters go at once, so
   * that the metrics hold the versions that serve, not every version ever loaded (a request still on it counts
   * into meters no longer shown).
   */
  void retire() {
    meters.remove(latency);
    meters.remove(predictions);
    release();
  }
}
