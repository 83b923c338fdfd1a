package io.kloop.monitor.performance;

import io.kloop.events.MetricEstimate;

/**
 * A metric of a window that fell beyond the tolerance below the version's test-split figure.
 *
 * @param metric {@code accuracy} or {@code macroF1}
 * @param expected the version's figure on its test split
 * @param observed the window's figure with its interval
 */
record Drop(String metric, double expected, MetricEstimate observed) {}
