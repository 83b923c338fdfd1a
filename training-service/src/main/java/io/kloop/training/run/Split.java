package io.kloop.training.run;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The deterministic three-way split: a record's split follows from the SHA-256 of its id alone, so every
 * run, and every model compared on it, puts the same record in the same split (70 / 15 / 15 %).
 */
enum Split {
  TRAIN, VALIDATION, TEST;

  static Split of(String recordId) {
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256").digest(recordId.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    long bucket = Integer.toUnsignedLong(((hash[0] & 0xff) << 24) | ((hash[1] & 0xff) << 16) | ((hash[2] & 0xff) << 8) | (hash[3] & 0xff)) % 100;
    return bucket < 70 ? TRAIN : bucket < 85 ? VALIDATION : TEST;
  }

  String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
