package io.kloop.monitor.window;

import io.kloop.events.ModelApproved;
import io.kloop.monitor.drift.DriftWindowAccumulator;

/**
 * A model's window being filled, in memory only: the predictions of one version, gathered against that
 * version's reference profile.
 *
 * @param approval the approval of the version whose predictions the window holds, with its reference profile
 * @param predictions the predictions so far
 * @param openedAt when the window was opened, by the processor's clock (epoch ms): a time window closes a
 *     duration later even if no prediction follows
 */
record OpenWindow(ModelApproved approval, DriftWindowAccumulator predictions, long openedAt) {

  static OpenWindow of(ModelApproved approval, long openedAt) {
    return new OpenWindow(approval, new DriftWindowAccumulator(approval.getReferenceProfile(), approval.getSignature().getOutputClasses()),
        openedAt);
  }

  int version() {
    return approval.getVersion();
  }
}
