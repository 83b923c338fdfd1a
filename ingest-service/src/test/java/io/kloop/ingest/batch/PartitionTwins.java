package io.kloop.ingest.batch;

import io.kloop.schemas.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/** Dataset names that share a partition of the records topic, so that one ingest task holds both. */
final class PartitionTwins {

  private PartitionTwins() {}

  /** A dataset name that Kafka's default partitioner puts on the same partition as {@code dataset}. */
  static String of(String dataset) {
    for (int i = 0; ; i++) {
      String candidate = dataset + "-twin" + i;
      if (partition(candidate) == partition(dataset)) {
        return candidate;
      }
    }
  }

  static int partition(String dataset) {
    return Utils.toPositive(Utils.murmur2(dataset.getBytes(StandardCharsets.UTF_8))) % Topics.DATA_RECORD.partitions();
  }
}
