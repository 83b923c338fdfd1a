package io.kloop.ingest.batch;

/**
 * What is known of a dataset's open (not yet sealed) batch, kept in a state store: the spec version its
 * records were validated against, how many it holds, the offset range they came from and when it opened.
 */
record OpenBatch(int specVersion, long count, int partition, long firstOffset, long lastOffset, long openedAtMillis) {

  static OpenBatch first(int specVersion, int partition, long offset, long now) {
    return new OpenBatch(specVersion, 1, partition, offset, offset, now);
  }

  OpenBatch plus(long offset) {
    return new OpenBatch(specVersion, count + 1, partition, firstOffset, offset, openedAtMillis);
  }

  /** Deterministic: the same records from the same offsets always make the same id. */
  String batchId(String dataset) {
    return dataset + "-v" + specVersion + "-p" + partition + "-" + firstOffset + "-" + lastOffset;
  }

  String encode() {
    return specVersion + "," + count + "," + partition + "," + firstOffset + "," + lastOffset + "," + openedAtMillis;
  }

  static OpenBatch decode(String text) {
    String[] parts = text.split(",");
    return new OpenBatch(Integer.parseInt(parts[0]), Long.parseLong(parts[1]), Integer.parseInt(parts[2]),
        Long.parseLong(parts[3]), Long.parseLong(parts[4]), Long.parseLong(parts[5]));
  }
}
