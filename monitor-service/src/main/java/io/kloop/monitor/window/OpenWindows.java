package io.kloop.monitor.window;

import io.kloop.events.ModelApproved;
import io.kloop.monitor.MonitorProperties;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bookkeeping of the windows a processor fills, apart from Kafka and from judging: which version's window
 * of a model is open, where a prediction goes, and when a window closes.
 *
 * <ul>
 *   <li>A model has at most one open window, of one version. A prediction of a newer version, or of the
 *       champion the model was rolled back to, closes it and opens one of its own; a prediction of any other
 *       older version is a late arrival from before a swap and is skipped.
 *   <li>A count window closes when it holds {@code size} predictions. A time window closes when a prediction
 *       comes a duration (by event time) after its earliest one, or a duration (by the processor's clock) after
 *       it opened ({@link #expired}).
 *   <li>A window that closes before it is full (a time window, or one whose version was replaced) is judged
 *       only when it holds at least {@code minPredictions}.
 *   <li>A version without an approval (and so without a reference profile) opens no window; its predictions are
 *       skipped, and each such version is told once ({@link Skip#UNAPPROVED_FIRST}) among at most
 *       {@value #MAX_UNKNOWN_VERSIONS} remembered, forgotten all at once when that many are.
 * </ul>
 *
 * <p>Time is the caller's: the processor's clock. Not thread-safe: it belongs to one processor.
 */
final class OpenWindows {

  /** Model versions without an approval whose predictions were told as skipped (each once). */
  static final int MAX_UNKNOWN_VERSIONS = 10_000;

  private final MonitorProperties.Window settings;
  private final ApprovedModels approvals;
  private final Map<String, OpenWindow> open = new HashMap<>();
  private final Set<String> unknownVersions = new HashSet<>();

  OpenWindows(MonitorProperties.Window settings, ApprovedModels approvals) {
    this.settings = settings;
    this.approvals = approvals;
  }

  /** Why a prediction is not added to any window. */
  enum Skip {
    /** A version older than the open window's, and not the champion: a late arrival from before a swap. */
    LATE,
    /** A version without an approval, already told. */
    UNAPPROVED,
    /** A version without an approval, not told before (or since the remembered ones were last forgotten). */
    UNAPPROVED_FIRST
  }

  /**
   * A window taken out of the open ones.
   *
   * @param model the model
   * @param window the window
   * @param replaced why it closed early (a newer version took over), or null
   * @param judged whether it is judged: it is full, or holds at least {@code minPredictions}
   */
  record Closed(String model, OpenWindow window, String replaced, boolean judged) {}

  /**
   * Where a prediction goes.
   *
   * @param closed the window the prediction closed before it is added (its version was replaced, or a time
   *     window's duration is over), or null
   * @param window the window to add it to, or null when it is skipped
   * @param skip why it is skipped, or null
   */
  record Placement(Closed closed, OpenWindow window, Skip skip) {}

  /**
   * Places a prediction of {@code version} of {@code model}, made at {@code eventTime}, opening a window
   * {@code now} if it needs one.
   */
  Placement place(String model, int version, long eventTime, long now) {
    OpenWindow window = open.get(model);
    Closed closed = null;
    if (window != null && window.version() != version) {
      boolean takesOver = version > window.version() || approvals.champion(model).orElse(-1) == version;
      if (!takesOver) {
        return new Placement(null, null, Skip.LATE);
      }
      closed = close(model, window, "version " + version + " took over");
      window = null;
    }
    if (window != null && !settings.byCount()
        && eventTime - window.predictions().earliestEventTime().orElse(eventTime) >= settings.duration().toMillis()) {
      closed = close(model, window, null);
      window = null;
    }
    if (window == null) {
      Optional<ModelApproved> approval = approvals.get(model, version);
      if (approval.isEmpty()) {
        return new Placement(closed, null, unknown(model, version));
      }
      window = OpenWindow.of(approval.get(), now);
      open.put(model, window);
    }
    return new Placement(closed, window, null);
  }

  private Skip unknown(String model, int version) {
    if (unknownVersions.size() >= MAX_UNKNOWN_VERSIONS) {
      // Forgotten all at once, so the set stays bounded whatever versions predictions name; each is told again at most once more.
      unknownVersions.clear();
    }
    return unknownVersions.add(model + " " + version) ? Skip.UNAPPROVED_FIRST : Skip.UNAPPROVED;
  }

  /** The model's window, closed if it is a full count window (after a prediction was added to it). */
  Optional<Closed> full(String model) {
    OpenWindow window = open.get(model);
    if (window == null || !settings.byCount() || window.predictions().count() < settings.size()) {
      return Optional.empty();
    }
    return Optional.of(close(model, window, null));
  }

  /** The time windows opened a duration or longer before {@code now}, closed. */
  List<Closed> expired(long now) {
    if (settings.byCount()) {
      return List.of();
    }
    List<Closed> closed = new ArrayList<>();
    long duration = settings.duration().toMillis();
    for (Map.Entry<String, OpenWindow> entry : List.copyOf(open.entrySet())) {
      if (now - entry.getValue().openedAt() >= duration) {
        closed.add(close(entry.getKey(), entry.getValue(), null));
      }
    }
    return closed;
  }

  /** Forgets the open windows: their predictions are read again from the last commit, or never judged. */
  void clear() {
    open.clear();
  }

  private Closed close(String model, OpenWindow window, String replaced) {
    open.remove(model);
    boolean full = settings.byCount() && replaced == null;
    return new Closed(model, window, replaced, full || window.predictions().count() >= settings.minPredictions());
  }
}
