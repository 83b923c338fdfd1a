package io.kloop.monitor.truth;

import io.kloop.monitor.MonitorProperties;
import io.kloop.service.web.ClientText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules of the join of served predictions and their labels, by prediction id, on a {@link JoinState}. Time is
 * the caller's (the processor's clock), in epoch milliseconds.
 *
 * <ul>
 *   <li>A prediction waits for its label until its event time (inference's clock) plus the after-horizon. A label
 *       that comes while it waits (by the caller's time when the label is handled, not the label's observed time)
 *       joins it (when the label is one of the version's classes); one that comes after is late.
 *   <li>A label that finds no prediction waits for it for the before-horizon; a prediction that comes meanwhile
 *       joins it. A label whose prediction does not come is unknown.
 *   <li>A label for a prediction joined already, or while another label for the same prediction waits, is a
 *       duplicate: the first label counts.
 *   <li>A label that is not one of the version's output classes is refused (unknown class) and its prediction
 *       goes on waiting, for a corrected label.
 *   <li>Joined and expired predictions are remembered for the marker retention, so that their labels are found
 *       duplicate or late; after that, such a label is unknown.
 *   <li>A prediction id seen already (a prediction logged twice) is ignored: the first counts.
 * </ul>
 *
 * <p>The same answers whether or not expiry ({@link #expire}) ran: what is past its time when it is touched is
 * expired first.
 */
public final class GroundTruthJoin {

  /** At most this many characters of an id or a label are repeated in a reason. */
  static final int MAX_ECHO = 100;

  /** The output classes of a model version, when known. */
  public interface Classes {
    Optional<List<String>> of(String model, int version);
  }

  /** What happened to a prediction. */
  public enum Fate {
    /** It waits for its label. */
    WAITING,
    /** Its label had come before it: joined at once. */
    JOINED,
    /** Its id was seen already: ignored. */
    REPEATED,
    /** It came after its own after-horizon: not kept (its label would be late). */
    TOO_OLD,
    /** Its id breaks {@link TruthLimits}: refused before the join (dead-lettered by the processor). */
    INVALID
  }

  /** A prediction joined to its label. */
  public record Joined(String model, String predictionId, PendingPrediction prediction, String label, long observedAt) {}

  /**
   * A label refused, with the reason in words. {@code stored} is the label as it waited (it came earlier); null
   * when it is the record being handled.
   */
  public record Refusal(Outcome outcome, String model, String predictionId, EarlyLabel stored, String reason) {}

  /**
   * What one step of the join did.
   *
   * @param fate what became of the prediction handled (null when a label or expiry was handled)
   * @param joined the joins made
   * @param refusals the labels refused
   * @param expired predictions whose horizon passed without a label
   * @param held whether the label handled waits for its prediction
   * @param ended index entries an expiry run took off (as many as it was allowed: more may be due); 0 for a record
   */
  public record Step(Fate fate, List<Joined> joined, List<Refusal> refusals, int expired, boolean held, int ended) {}

  private final MonitorProperties.GroundTruth settings;
  private final Classes classes;

  public GroundTruthJoin(MonitorProperties.GroundTruth settings, Classes classes) {
    this.settings = settings;
    this.classes = classes;
  }

  /** The state key of a model's prediction. */
  public static String key(String model, String predictionId) {
    return model + '\0' + predictionId;
  }

  /** A prediction arrives. */
  public Step prediction(String model, String predictionId, PendingPrediction prediction, long now, JoinState state) {
    String key = key(model, predictionId);
    Builder step = new Builder();
    JoinState.Held held = settle(key, state.held(key), now, state, step);
    if (held instanceof PendingPrediction || held instanceof Marker) {
      step.fate = Fate.REPEATED;
      return step.build();
    }
    EarlyLabel early = (EarlyLabel) held;
    if (early != null) {
      // Whatever follows, the early label is replaced: by a marker or by the waiting prediction.
      state.unschedule(new JoinState.Due(early.deadline(), JoinState.Kind.EARLY, key));
    }
    long horizon = prediction.deadline();
    EarlyLabel joinable = early;
    if (early != null && early.arrivedAt() >= horizon) {
      step.refusals.add(new Refusal(Outcome.LATE, model, predictionId, early, late(model, predictionId)));
      joinable = null;
    }
    if (joinable != null) {
      Optional<String> problem = classProblem(model, predictionId, prediction, joinable.label());
      if (problem.isEmpty()) {
        joined(key, early, model, predictionId, prediction, joinable.label(), joinable.observedAt(), now, state, step);
        step.fate = Fate.JOINED;
        return step.build();
      }
      step.refusals.add(new Refusal(Outcome.UNKNOWN_CLASS, model, predictionId, joinable, problem.get()));
    }
    if (horizon <= now) {
      remember(key, early, Marker.Kind.EXPIRED, now, state);
      step.fate = Fate.TOO_OLD;
      return step.build();
    }
    state.replace(key, early, prediction);
    state.schedule(new JoinState.Due(prediction.deadline(), JoinState.Kind.PENDING, key));
    step.fate = Fate.WAITING;
    return step.build();
  }

  /** The deadline of a prediction served at {@code predictedAt}. */
  public long deadline(long predictedAt) {
    return predictedAt + settings.afterHorizon().toMillis();
  }

  /** A label arrives; {@code label} as {@link EarlyLabel#arriving}. */
  public Step label(String model, String predictionId, EarlyLabel label, long now, JoinState state) {
    String key = key(model, predictionId);
    Builder step = new Builder();
    JoinState.Held held = settle(key, state.held(key), now, state, step);
    if (held instanceof Marker marker) {
      step.refusals.add(marker.kind() == Marker.Kind.JOINED
          ? new Refusal(Outcome.DUPLICATE, model, predictionId, null,
              "prediction " + echo(predictionId) + " of model " + model + " was joined to a label already")
          : new Refusal(Outcome.LATE, model, predictionId, null, late(model, predictionId)));
      return step.build();
    }
    if (held instanceof PendingPrediction pending) {
      Optional<String> problem = classProblem(model, predictionId, pending, label.label());
      if (problem.isPresent()) {
        step.refusals.add(new Refusal(Outcome.UNKNOWN_CLASS, model, predictionId, null, problem.get()));
        return step.build();
      }
      state.unschedule(new JoinState.Due(pending.deadline(), JoinState.Kind.PENDING, key));
      joined(key, pending, model, predictionId, pending, label.label(), label.observedAt(), now, state, step);
      return step.build();
    }
    if (held instanceof EarlyLabel) {
      step.refusals.add(new Refusal(Outcome.DUPLICATE, model, predictionId, null,
          "a label for prediction " + echo(predictionId) + " of model " + model + " came already and waits for the prediction"));
      return step.build();
    }
    long deadline = now + settings.beforeHorizon().toMillis();
    if (deadline <= now) {
      step.refusals.add(new Refusal(Outcome.UNKNOWN, model, predictionId, null, unknown(model, predictionId)));
      return step.build();
    }
    EarlyLabel waiting = label.waiting(now, deadline);
    state.replace(key, null, waiting);
    state.schedule(new JoinState.Due(deadline, JoinState.Kind.EARLY, key));
    step.held = true;
    return step.build();
  }

  /** Ends what is due at {@code now}, at most {@code max} entries (the rest the next time). */
  public Step expire(long now, int max, JoinState state) {
    Builder step = new Builder();
    for (JoinState.Due due : state.due(now, max)) {
      step.ended++;
      state.unschedule(due);
      JoinState.Held held = state.held(due.key());
      if (held != null && deadline(held) == due.deadline() && kind(held) == due.kind()) {
        end(due.key(), held, now, state, step);
      }
    }
    return step.build();
  }

  /**
   * Ends what the key holds ({@code held}, as read) if it is past its time, as expiry would have; returns what the
   * key holds then.
   */
  private JoinState.Held settle(String key, JoinState.Held held, long now, JoinState state, Builder step) {
    JoinState.Held left = held;
    // An expired prediction leaves a marker, which may be past its time too (when it is kept for no time).
    while (left != null && deadline(left) <= now) {
      state.unschedule(new JoinState.Due(deadline(left), kind(left), key));
      left = end(key, left, now, state, step);
    }
    return left;
  }

  /** Ends what the key holds (its index entry removed already); returns what it holds afterwards. */
  private JoinState.Held end(String key, JoinState.Held held, long now, JoinState state, Builder step) {
    if (held instanceof PendingPrediction pending) {
      step.expired++;
      return remember(key, pending, Marker.Kind.EXPIRED, now, state);
    }
    state.replace(key, held, null);
    if (held instanceof EarlyLabel early) {
      int split = key.indexOf('\0');
      String model = key.substring(0, split);
      String predictionId = key.substring(split + 1);
      step.refusals.add(new Refusal(Outcome.UNKNOWN, model, predictionId, early, unknown(model, predictionId)));
    }
    return null;
  }

  /** Until when an entry is held. */
  private static long deadline(JoinState.Held held) {
    if (held instanceof PendingPrediction pending) {
      return pending.deadline();
    }
    return held instanceof EarlyLabel early ? early.deadline() : ((Marker) held).until();
  }

  private static JoinState.Kind kind(JoinState.Held held) {
    if (held instanceof PendingPrediction) {
      return JoinState.Kind.PENDING;
    }
    return held instanceof EarlyLabel ? JoinState.Kind.EARLY : JoinState.Kind.MARKER;
  }

  private void joined(String key, JoinState.Held previous, String model, String predictionId, PendingPrediction prediction, String label,
      long observedAt, long now, JoinState state, Builder step) {
    remember(key, previous, Marker.Kind.JOINED, now, state);
    step.joined.add(new Joined(model, predictionId, prediction, label, observedAt));
  }

  /** The key, which held {@code previous}, now holds a marker of the kind. */
  private Marker remember(String key, JoinState.Held previous, Marker.Kind kind, long now, JoinState state) {
    Marker marker = new Marker(kind, now + settings.markerRetention().toMillis());
    state.replace(key, previous, marker);
    state.schedule(new JoinState.Due(marker.until(), JoinState.Kind.MARKER, key));
    return marker;
  }

  /** Why the label is not one of the version's classes: its approval's signature, or the classes the prediction's probabilities name. */
  private Optional<String> classProblem(String model, String predictionId, PendingPrediction prediction, String label) {
    List<String> known = classes.of(model, prediction.version()).orElseGet(() -> List.copyOf(prediction.probabilities().keySet()));
    if (known.contains(label)) {
      return Optional.empty();
    }
    return Optional.of("label '" + echo(label) + "' of prediction " + echo(predictionId) + " is not one of model " + model + " version "
        + prediction.version() + "'s classes " + ClientText.clip(known.toString(), 300));
  }

  private String late(String model, String predictionId) {
    return "the label of prediction " + echo(predictionId) + " of model " + model + " came after the prediction's horizon: a prediction waits "
        + words(settings.afterHorizon()) + " (after-horizon) for its label";
  }

  private String unknown(String model, String predictionId) {
    return "no prediction " + echo(predictionId) + " of model " + model + " came within " + words(settings.beforeHorizon())
        + " (before-horizon) of its label";
  }

  /** {@code 7d}, {@code 1h}, {@code 90s}: as the settings are written. */
  static String words(Duration duration) {
    long millis = duration.toMillis();
    for (var unit : List.of(Map.entry(86_400_000L, "d"), Map.entry(3_600_000L, "h"), Map.entry(60_000L, "m"), Map.entry(1_000L, "s"))) {
      if (millis != 0 && millis % unit.getKey() == 0) {
        return millis / unit.getKey() + unit.getValue();
      }
    }
    return millis + "ms";
  }

  private static String echo(String text) {
    return ClientText.echo(text, MAX_ECHO);
  }

  private static final class Builder {
    private Fate fate;
    private final List<Joined> joined = new ArrayList<>(1);
    private final List<Refusal> refusals = new ArrayList<>(1);
    private int expired;
    private boolean held;
    private int ended;

    Step build() {
      return new Step(fate, List.copyOf(joined), List.copyOf(refusals), expired, held, ended);
    }
  }
}
