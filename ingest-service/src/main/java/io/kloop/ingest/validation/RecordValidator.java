package io.kloop.ingest.validation;

import io.kloop.events.FeatureSpec;
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
 * the spec, wrong type, NaN or infinity, out of range, unknown category, missing or unknown label.
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
      violations.add(new Violation(spec.idField(), "record id is missing"));
    } else if (recordId.length() > 256) {
      violations.add(new Violation(spec.idField(), "record id is longer than 256 characters"));
    }
    List<FeatureSpec> declared = spec.features();
    Map<String, Object> normalised = new LinkedHashMap<>(declared.size() * 2);
    for (String name : features.keySet()) {
      if (!declares(declared, name)) {
        violations.add(new Violation(name, "not a feature of dataset " + spec.dataset() + " (spec v" + spec.version() + ")"));
      }
    }
    for (FeatureSpec feature : declared) {
      Object raw = features.get(feature.getName());
      if (isMissing(raw)) {
        if (feature.getRequired()) {
          violations.add(new Violation(feature.getName(), "required feature is missing"));
        }
        normalised.put(feature.getName(), null);
        continue;
      }
      Object value = switch (feature.getType()) {
        case NUMERIC -> numeric(feature, raw, violations);
        case BOOLEAN -> bool(feature, raw, violations);
        case CATEGORICAL -> category(feature, raw, violations);
      };
      normalised.put(feature.getName(), value);
    }
    String normalisedLabel = null;
    if (isMissing(label)) {
      if (spec.label().getRequired()) {
        violations.add(new Violation(spec.label().getName(), "label is missing"));
      }
    } else {
      normalisedLabel = text(label);
      if (!spec.label().getClasses().contains(normalisedLabel)) {
        violations.add(new Violation(spec.label().getName(),
            "'" + normalisedLabel + "' is not a class of the label (classes: " + spec.label().getClasses() + ")"));
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
        violations.add(new Violation(feature.getName(), "expected a number, got '" + abbreviate(text) + "'"));
        return null;
      }
    } else {
      violations.add(new Violation(feature.getName(), "expected a number, got " + describe(raw)));
      return null;
    }
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      violations.add(new Violation(feature.getName(), "expected a finite number, got " + value));
      return null;
    }
    if (feature.getMin() != null && value < feature.getMin()) {
      violations.add(new Violation(feature.getName(), value + " is below the minimum " + feature.getMin()));
    }
    if (feature.getMax() != null && value > feature.getMax()) {
      violations.add(new Violation(feature.getName(), value + " is above the maximum " + feature.getMax()));
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
    violations.add(new Violation(feature.getName(), "expected true or false, got " + describe(raw)));
    return null;
  }

  private static String category(FeatureSpec feature, Object raw, List<Violation> violations) {
    if (!(raw instanceof CharSequence) && !(raw instanceof Number) && !(raw instanceof Boolean)) {
      violations.add(new Violation(feature.getName(), "expected one of " + feature.getCategories() + ", got " + describe(raw)));
      return null;
    }
    String value = text(raw);
    if (!feature.getCategories().contains(value)) {
      violations.add(new Violation(feature.getName(), "'" + abbreviate(value) + "' is not one of " + feature.getCategories()));
      return null;
    }
    return value;
  }

  private static String text(Object value) {
    return value.toString().trim();
  }

  private static String describe(Object raw) {
    if (raw instanceof CharSequence text) {
      return "'" + abbreviate(text) + "'";
    }
    if (raw instanceof Map<?, ?>) {
      return "an object";
    }
    if (raw instanceof List<?>) {
      return "a list";
    }
    return raw.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + abbreviate(raw.toString());
  }

  private static String abbreviate(CharSequence text) {
    return text.length() <= 40 ? text.toString() : text.subSequence(0, 40) + "...";
  }
}
