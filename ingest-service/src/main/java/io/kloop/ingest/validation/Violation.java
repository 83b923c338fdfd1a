package io.kloop.ingest.validation;

/**
 * Why a record is refused.
 *
 * @param field the field at fault (a feature, the id field or the label), or null for the whole record
 * @param reason what is wrong, in words
 */
public record Violation(String field, String reason) {

  @Override
  public String toString() {
    return field == null ? reason : field + ": " + reason;
  }
}
