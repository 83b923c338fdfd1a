package io.kloop.monitor.performance;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** The bootstrap's seed of a window: the configured seed with the window's identity, so its intervals never change. */
final class Seeds {

  private Seeds() {}

  static long of(long seed, String model, int version, String kind, long sequence) {
    String name = model + "\0" + version + "\0" + kind + "\0" + sequence;
    return seed ^ UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
  }
}
