package io.kloop.ingest.batch;

/**
 * A dataset's open (not yet sealed) batch: the spec version its records were validated against, how many
 * it holds, the offset range they came from and when it opened.
 *
 * <p>The open-batch store keeps only where the batch starts (spec version, partition, first offset, opening
 * time), written once when the batch opens and deleted when it is sealed, in the same transactions as the
 * accepted ids: a put per record took 7 % of the stream thread. Its count and last offset are found
 * again, with its rows, by reading the input from the first offset (see {@link RecordIntakeProcessor}).
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

  /** Where the batch starts, as the open-batch store keeps it. */
  String encodeStart() {
    return specVersion + "," + partition + "," + firstOffset + "," + openedAtMillis;
  }

  /**
   * The batch as it was when it opened (one record, at its first offset), from what the open-batch store
   * keeps. Also reads the six fields that earlier versions stored and updated per record (spec version,
   * count, partition, first offset, last offset, opening time), of which count and last offset are ignored.
   */
  static OpenBatch decodeStart(String text) {
    String[] parts = text.split(",");
    int legacy = parts.length == 6 ? 1 : 0;
    if (parts.length != 4 && legacy == 0) {
      throw new IllegalArgumentException("not an open batch: '" + text + "'");
    }
    return first(Integer.parseInt(parts[0]), Integer.parseInt(parts[1 + legacy]), Long.parseLong(parts[2 + legacy]),
        Long.parseLong(parts[3 + 2 * legacy]));
  }
}
