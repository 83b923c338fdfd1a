package io.kloop.inference.api;

import io.kloop.events.FeatureType;
import java.math.BigInteger;

/**
 * The tensor datatypes of the Open Inference Protocol, and which values a tensor of each may hold: BOOL
 * takes true and false, BYTES strings, the integer types whole numbers in their range, the floating-point
 * types finite numbers in their range.
 */
enum Datatype {
  BOOL(0, 0),
  UINT8(0, 0xFF),
  UINT16(0, 0xFFFF),
  UINT32(0, 0xFFFF_FFFFL),
  /** Up to 2^64 - 1: the one range a long does not hold (see {@link #fits}). */
  UINT64(0, Long.MAX_VALUE),
  INT8(Byte.MIN_VALUE, Byte.MAX_VALUE),
  INT16(Short.MIN_VALUE, Short.MAX_VALUE),
  INT32(Integer.MIN_VALUE, Integer.MAX_VALUE),
  INT64(Long.MIN_VALUE, Long.MAX_VALUE),
  FP16(65504),
  FP32(Float.MAX_VALUE),
  FP64(Double.MAX_VALUE),
  BYTES(0, 0);

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final long min;
  private final long max;
  private final double largest;
  private final boolean integral;
  private final boolean floating;

  Datatype(long min, long max) {
    this.min = min;
    this.max = max;
    this.largest = 0;
    this.integral = name().contains("INT");
    this.floating = false;
  }

  Datatype(double largest) {
    this.min = 0;
    this.max = 0;
    this.largest = largest;
    this.integral = false;
    this.floating = true;
  }

  /** The datatype of this name (as the protocol spells it, upper case), or null for none. */
  static Datatype of(String name) {
    if (name == null) {
      return null;
    }
    return switch (name) {
      case "BOOL" -> BOOL;
      case "UINT8" -> UINT8;
      case "UINT16" -> UINT16;
      case "UINT32" -> UINT32;
      case "UINT64" -> UINT64;
      case "INT8" -> INT8;
      case "INT16" -> INT16;
      case "INT32" -> INT32;
      case "INT64" -> INT64;
      case "FP16" -> FP16;
      case "FP32" -> FP32;
      case "FP64" -> FP64;
      case "BYTES" -> BYTES;
      default -> null;
    };
  }

  /** Whether a tensor of this type may stand for a feature of the given type (numeric features take any number type). */
  boolean serves(FeatureType feature) {
    return switch (feature) {
      case NUMERIC -> integral || floating;
      case BOOLEAN -> this == BOOL;
      case CATEGORICAL, TEXT -> this == BYTES;
    };
  }

  /** The datatype the metadata declares for a feature of this type. */
  static Datatype declared(FeatureType feature) {
    return switch (feature) {
      case NUMERIC -> FP64;
      case BOOLEAN -> BOOL;
      case CATEGORICAL, TEXT -> BYTES;
    };
  }

  /**
   * Whether a (non-null) value read from JSON is one a tensor of this type holds: Jackson reads whole
   * numbers as Integer, Long or BigInteger and others as Double.
   */
  boolean fits(Object value) {
    if (floating) {
      if (value instanceof Double d) {
        return Math.abs(d) <= largest;
      }
      return (value instanceof Integer || value instanceof Long || value instanceof BigInteger)
          && Math.abs(((Number) value).doubleValue()) <= largest;
    }
    if (integral) {
      if (value instanceof Integer || value instanceof Long) {
        long number = ((Number) value).longValue();
        return number >= min && number <= max;
      }
      return this == UINT64 && value instanceof BigInteger big && big.signum() >= 0 && big.compareTo(UINT64_MAX) <= 0;
    }
    return this == BOOL ? value instanceof Boolean : value instanceof String;
  }

  /** What a tensor of this type holds, for messages. */
  String holds() {
    if (floating) {
      return "finite numbers of magnitude up to " + (this == FP16 ? "65504" : this == FP32 ? String.valueOf(Float.MAX_VALUE)
          : String.valueOf(Double.MAX_VALUE));
    }
    if (integral) {
      return "whole numbers from " + min + " to " + (this == UINT64 ? UINT64_MAX : max);
    }
    return this == BOOL ? "true or false" : "strings";
  }
}
