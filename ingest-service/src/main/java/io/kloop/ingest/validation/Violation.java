package io.kloop.ingest.validation;

/**
 * Why a record is refused.
 *
 * @param field the field at fault (a feature, the id field or the label), or null for the whole record
 * @param kind what kind of fault, one of a fixed set of codes (see the constants), for counting and for
 *     programs
 * @param reason what is wrong, in words
 */
public record Violation(String field, String kind, String reason) {

  public static final String UNREADABLE = "unreadable";
  public static final String MISSING_ID = "missing-id";
  public static final String BAD_ID = "bad-id";
  public static final String DUPLICATE_ID = "duplicate-id";
  public static final String UNKNOWN_FEATURE = "unknown-feature";
  public static final String MISSING_FEATURE = "missing-feature";
  public static final String WRONG_TYPE = "wrong-type";
  public static final String NOT_FINITE = "not-finite";
  public static final String OUT_OF_RANGE = "out-of-range";
  public static final String UNKNOWN_CATEGORY = "unknown-category";
  public static final String MISSING_LABEL = "missing-label";
  public static final String UNKNOWN_CLASS = "unknown-class";
  /** A feedback record's origin (model, version, prediction id) breaks the rules; only on the Kafka path. */
  public static final String BAD_FEEDBACK = "bad-feedback";

  @Override
  public String toString() {
    return field == null ? reason : field + ": " + reason;
  }
}
