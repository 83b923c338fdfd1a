package io.kloop.training.spec;

import java.time.Instant;

/**
 * A model that no longer trains: who retired it and when, and its spec as it was (for operators). Nothing
 * starts a run of a retired model; declaring its spec again (PUT) brings it back.
 */
public record Retirement(String model, String by, Instant at, ModelSpec spec) {}
