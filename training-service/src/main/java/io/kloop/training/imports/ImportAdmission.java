package io.kloop.training.imports;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many imports the service takes at once, so that imports cannot exhaust its memory or queue without end. An
 * import needs two things before its body is read: an upload permit (at most {@code maxUploads} bodies are read and
 * checked at the same time, each holding its file in memory) and a pending slot (at most {@code maxPending} imports
 * are between their admission and the end of their judging, waiting for a run thread included). When either is
 * taken, the import is refused at once ({@link Full}, HTTP 429) and its body is not read.
 */
public final class ImportAdmission {

  /** No upload permit or no pending slot is free. */
  public static final class Full extends RuntimeException {
    Full(String reason) {
      super(reason);
    }
  }

  private final int maxUploads;
  private final int maxPending;
  private final Semaphore uploads;
  private final Semaphore pending;

  public ImportAdmission(int maxUploads, int maxPending) {
    this.maxUploads = maxUploads;
    this.maxPending = maxPending;
    this.uploads = new Semaphore(maxUploads);
    this.pending = new Semaphore(maxPending);
  }

  /**
   * Takes an upload permit and a pending slot.
   *
   * @throws Full when either is taken, saying which and the setting that bounds it
   */
  public Ticket admit() {
    if (!uploads.tryAcquire()) {
      throw new Full("the service is reading " + maxUploads + " imports already (kloop.training.max-concurrent-imports); try again when "
          + "one has been answered");
    }
    if (!pending.tryAcquire()) {
      uploads.release();
      throw new Full(maxPending + " imports are waiting to be judged or being judged already (kloop.training.max-pending-imports); "
          + "try again when one has ended (GET /v1/runs)");
    }
    return new Ticket();
  }

  /** Upload permits free now. */
  public int freeUploads() {
    return uploads.availablePermits();
  }

  /** Pending slots free now. */
  public int freePending() {
    return pending.availablePermits();
  }

  /**
   * An admitted import's permit and slot. {@link #close()} gives back the upload permit (the request has been answered)
   * and, unless it was handed over, the pending slot; {@link #handOver()} passes the pending slot to the accepted import,
   * which gives it back when it ends. Each is given back once, however often these are called.
   */
  public final class Ticket implements AutoCloseable {
    private final AtomicBoolean upload = new AtomicBoolean(true);
    private final AtomicBoolean slot = new AtomicBoolean(true);
    private final AtomicBoolean handedOver = new AtomicBoolean();

    private Ticket() {}

    /** The accepted import takes the pending slot; the returned action gives it back (once). */
    public Runnable handOver() {
      handedOver.set(true);
      return this::releaseSlot;
    }

    @Override
    public void close() {
      if (upload.compareAndSet(true, false)) {
        uploads.release();
      }
      if (!handedOver.get()) {
        releaseSlot();
      }
    }

    private void releaseSlot() {
      if (slot.compareAndSet(true, false)) {
        pending.release();
      }
    }
  }
}
