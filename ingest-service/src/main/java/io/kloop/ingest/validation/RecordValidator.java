package io.kloop.ingest.validation;

import io.kloop.events.FeatureSpec;
import io.kloop.schemas.TextFeatures;
import io.kloop.ingest.spec.DatasetSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks one record against its dataset's spec, the same way for every intake path, and normalises its
 * values: numbers become doubles, booleans booleans, categories strings. Text values (CSV, or JSON strings)
 * are parsed according to the declared type. Checks: missing id, missing required feature, feature not in
 * the spec, wrong type, NaN or infinity, out of range, unknown category, missing or unknown label; a record
 * id longer than {@value TextRules#MAX_RECORD_ID_CHARS} characters or with a control character. Messages
 * repeat at most {@value TextRules#MAX_ECHO_CHARS} characters of a value and list at most about 100
 * characters of allowed values.
 * Duplicate record ids are checked where the ids of earlier records are known.
 */
public final class RecordValidator {

  private RecordValidator() {}

  /** The outcome: normalised values when valid, violations otherwise. */
  public record Result(String recordId, Map<String, Object> features, String label, List<Violation> violations) {

    public boolean valid() {
      return violations.isEmpty();
    }
  }

  public static Result validate(DatasetSpec spec, String recordId, Map<String, ?> features, Object label) {
    List<Violation> violations = new ArrayList<>();
    if (recordId == null || recordId.isBlank()) {
      violations.add(new Violation(spec.idField(), Violation.MISSING_ID, "record id is missing"));
    } else {
      String problem = TextRules.identifierProblem("record id", recordId, TextRules.MAX_RECORD_ID_CHARS);
      if (problem != null) {
        violations.add(new Violation(spec.idField(), Violation.BAD_ID, problem));
      }
    }
    List<FeatureSpec> declared = spec.features();
    Map<String, Object> normalised = new LinkedHashMap<>(declared.size() * 2);
    for (String name : features.keySet()) {
      if (!declares(declared, name)) {
        violations.add(new Violation(TextRules.echo(name, TextRules.MAX_NAME_CHARS), Violation.UNKNOWN_FEATURE,
            "not a feature of dataset " + spec.dataset() + " (spec v" + spec.version() + ")"));
      }
    }
    for (FeatureSpec feature : declared) {
      Object raw = features.get(feature.getName());
      if (isMissing(raw)) {
        if (feature.getRequired()) {
          violations.add(new Violation(feature.getName(), Violation.MISSING_FEATURE, "required feature is missing"));
        }
        normalised.put(feature.getName(), null);
        continue;
      }
      Object value = switch (feature.getType()) {
        case NUMERIC -> numeric(feature, raw, violations);
        case BOOLEAN -> bool(feature, raw, violations);
        case CATEGORICAL -> category(feature, raw, violations);
        case TEXT -> freeText(feature, raw, violations);
      };
      normalised.put(feature.getName(), value);
    }
    String normalisedLabel = null;
    if (isMissing(label)) {
      if (spec.label().getRequired()) {
        violations.add(new Violation(spec.label().getName(), Violation.MISSING_LABEL, "label is missing"));
      }
    } else {
      if (!(label instanceof CharSequence) && !(label instanceof Number) && !(label instanceof Boolean)) {
        violations.add(new Violation(spec.label().getName(), Violation.WRONG_TYPE,
            "expected one of the label's classes " + listed(spec.label().getClasses()) + ", got " + describe(label)));
      } else {
        normalisedLabel = text(label);
        if (!spec.label().getClasses().contains(normalisedLabel)) {
          violations.add(new Violation(spec.label().getName(), Violation.UNKNOWN_CLASS,
              "'" + TextRules.echo(normalisedLabel) + "' is not a class of the label (classes: " + listed(spec.label().getClasses()) + ")"));
          normalisedLabel = null;
        }
      }
    }
    return new Result(recordId, normalised, normalisedLabel, violations.isEmpty() ? List.of() : List.copyOf(violations));
  }

  /** Whether {@code name} is a declared feature (features are few: a scan beats building a map per record). */
  private static boolean declares(List<FeatureSpec> declared, String name) {
    for (int i = 0; i < declared.size(); i++) {
      if (declared.get(i).getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isMissing(Object value) {
    return value == null || (value instanceof CharSequence text && text.toString().isBlank());
  }

  private static Double numeric(FeatureSpec feature, Object raw, List<Violation> violations) {
    double value;
    if (raw instanceof Number number) {
      value = number.doubleValue();
    } else if (raw instanceof CharSequence text) {
      try {
        value = Double.parseDouble(text.toString().trim());
      } catch (NumberFormatException e) {
        violations.add(new Violation(feature.getName(), Violation.WRONG_TYPE, "expected a number, got '" + TextRules.echo(text) + "'"));
        return null;
      }
    } else {
      violations.add(new Violation(feature.getName(), Violation.WRONG_TYPE, "expected a number, got " + describe(raw)));
      return null;
    }
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      violations.add(new Violation(feature.getName(), Violation.NOT_FINITE, "expected a finite number, got " + value));
      return null;
    }
    if (feature.getMin() != null && value < feature.getMin()) {
      violations.add(new Violation(feature.getName(), Violation.OUT_OF_RANGE, value + " is below the minimum " + feature.getMin()));
    }
    if (feature.getMax() != null && value > feature.getMax()) {
      violations.add(new Violation(feature.getName(), Violation.OUT_OF_RANGE, value + " is above the maximum " + feature.getMax()));
    }
    return value;
  }

  private static Boolean bool(FeatureSpec feature, Object raw, List<Violation> violations) {
    if (raw instanceof Boolean value) {
      return value;
    }
    if (raw instanceof CharSequence text) {
      String lower = text.toString().trim().toLowerCase(Locale.ROOT);
      if (lower.equals("true")) {
        return true;
      }
      if (lower.equals("false")) {
        return false;
      }
    }
    violations.add(new Violation(feature.getName(), Violation.WRONG_TYPE, "expected true or false, got " + describe(raw)));
    return null;
  }

  private static String category(FeatureSpec feature, Object raw, List<Violation> violations) {
    if (!(raw instanceof CharSequence) && !(raw instanceof Number) && !(raw instanceof Boolean)) {
      violations.add(new Violation(feature.getName(), Violation.WRONG_TYPE, "expected one of " + listed(feature.getCategories()) + ", got " + describe(raw)));
      return null;
    }
    String value = text(raw);
    if (!feature.getCategories().contains(value)) {
      violations.add(new Violation(feature.getName(), Violation.UNKNOWN_CATEGORY, "'" + TextRules.echo(value) + "' is not one of " + listed(feature.getCategories())));
      return null;
    }
    return value;
  }

  /** A text feature's value: a string of at most the spec's maxLength characters, kept as it is (not trimmed). */
  private static String freeText(FeatureSpec feature, Object raw, List<Violation> violations) {
    if (!(raw instanceof CharSequence chars)) {
      violations.add(new Violation(feature.getName(), Violation.WRONG_TYPE, "expected text, got " + describe(raw)));
      return null;
    }
    String value = chars.toString();
    int maxLength = TextFeatures.maxLength(feature);
    if (TextFeatures.tooLong(value, maxLength)) {
      violations.add(new Violation(feature.getName(), Violation.OUT_OF_RANGE, "text of " + TextFeatures.length(value)
          + " characters is longer than the feature's maxLength " + maxLength));
      return null;
    }
    return value;
  }

  private static String text(Object value) {
    return value.toString().trim();
  }

  /**
   * The allowed values for a message: as many as fit in {@value #MAX_LISTED_CHARS} characters, then how
   * many there are in all (a spec may have a thousand categories; a message must stay short).
   */
  static String listed(List<String> values) {
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      String value = TextRules.echo(values.get(i));
      if (i > 0 && text.length() + value.length() > MAX_LISTED_CHARS) {
        return text.append(", … (").append(values.size()).append(" in all)]").toString();
      }
      text.append(i == 0 ? "" : ", ").append(value);
    }
    return text.append(']').toString();
  }

  private static final int MAX_LISTED_CHARS = 100;

  private static String describe(Object raw) {
    if (raw instanceof CharSequence text) {
      return "'" + TextRules.echo(text) + "'";
    }
    if (raw instanceof Map<?, ?>) {
      return "an object";
    }
    if (raw instanceof List<?>) {
      return "a list";
    }
    return raw.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + TextRules.echo(raw.toString());
  }
}
