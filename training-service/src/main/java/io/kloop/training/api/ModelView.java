package io.kloop.training.api;

import io.kloop.training.run.RunScheduler;
import io.kloop.training.spec.ModelSpecDocument;
import java.time.Instant;
import java.util.List;

/**
 * A model as the API shows it.
 *
 * @param spec its spec (for a retired model, the spec it had, without algorithms)
 * @param problems what makes a stored spec invalid by today's rules (its runs fail naming them); empty normally
 * @param status whether it is training and what waits for a run
 * @param newRows rows committed since its last run
 * @param championVersion its champion's registry version, or null
 * @param retired who retired it and when, or null while it trains
 */
record ModelView(ModelSpecDocument spec, List<String> problems, RunScheduler.ModelStatus status, long newRows, Integer championVersion,
    Retired retired) {

  record Retired(String by, Instant at) {}
}
