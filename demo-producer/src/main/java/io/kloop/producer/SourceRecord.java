package io.kloop.producer;

import java.util.Map;

/** A record to publish: its id, feature values by name and label. */
public record SourceRecord(String id, Map<String, Object> features, String label) {}
