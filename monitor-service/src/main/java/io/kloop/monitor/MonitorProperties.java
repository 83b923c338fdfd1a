package io.kloop.monitor;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the monitor-service, under {@code kloop.monitor}.
 *
 * @param windowSize Predictions per count window. Default {@code 1000}.
 */
@ConfigurationProperties("kloop.monitor")
record MonitorProperties(@DefaultValue("1000") int windowSize) {}
