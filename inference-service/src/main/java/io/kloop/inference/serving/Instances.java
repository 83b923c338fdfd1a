package io.kloop.inference.serving;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks instances (feature name to value) against a model's signature and normalises their values:
 * every input must be present (null means missing, and is imputed as in training), no other key may be,
 * numeric inputs take finite numbers, boolean inputs true or false, categorical inputs one of their
 * categories. Errors name the instance and the feature.
 */
public final class Instances {

  private Instances() {}

  public static List<Map<String, Object>> validate(ModelSignature signature, List<Map<String, Object>> instances, String path) {
    if (instances == null || instances.isEmpty()) {
      throw new InvalidInputException(path + ": no instances given");
    }
    Set<String> names = new HashSet<>();
    signature.getInputs().forEach(input -> names.add(input.getName()));
    List<Map<String, Object>> valid = new ArrayList<>(instances.size());
    for (int i = 0; i < instances.size(); i++) {
      valid.add(validate(signature, names, instances.get(i), path, i));
    }
    return valid;
  }

  /** Error locations are only put together when there is an error: this runs for every value scored. */
  private static Map<String, Object> validate(ModelSignature signature, Set<String> names, Map<String, Object> instance, String path, int index) {
    if (instance == null) {
      throw new InvalidInputException(path + "[" + index + "]: an instance must be an object of feature values");
    }
    for (String key : instance.keySet()) {
      if (!names.contains(key)) {
        throw new InvalidInputException(path + "[" + index + "]: unknown feature '" + key + "'; the model takes "
            + signature.getInputs().stream().map(SignatureField::getName).collect(Collectors.joining(", ")));
      }
    }
    Map<String, Object> values = new HashMap<>(instance.size() * 2);
    for (SignatureField input : signature.getInputs()) {
      String name = input.getName();
      Object value = instance.get(name);
      if (value == null && !instance.containsKey(name)) {
        throw new InvalidInputException(path + "[" + index + "]: missing feature '" + name + "' (send null for a missing value)");
      }
      values.put(name, value(input, value, path, index, name));
    }
    return values;
  }

  /** One value, normalised: Double, Boolean or String; null stays null. */
  public static Object value(SignatureField input, Object value, String where) {
    return value(input, value, where, -1, null);
  }

  /** {@link #value(SignatureField, Object, String)} for {@code path[index].name}, the location put together only on error. */
  private static Object value(SignatureField input, Object value, String path, int index, String name) {
    if (value == null) {
      return null;
    }
    if (input.getType() == FeatureType.NUMERIC && value instanceof Double d && Double.isFinite(d)) {
      return d;
    }
    String where = index < 0 ? path : path + "[" + index + "]." + name;
    switch (input.getType()) {
      case NUMERIC -> {
        if (!(value instanceof Number number)) {
          throw new InvalidInputException(where + ": expected a number, got " + describe(value));
        }
        double d = number.doubleValue();
        if (!Double.isFinite(d)) {
          throw new InvalidInputException(where + ": " + value + " is not a finite number");
        }
        return d;
      }
      case BOOLEAN -> {
        if (!(value instanceof Boolean)) {
          throw new InvalidInputException(where + ": expected true or false, got " + describe(value));
        }
        return value;
      }
      default -> {
        if (!(value instanceof String text)) {
          throw new InvalidInputException(where + ": expected one of " + input.getCategories() + ", got " + describe(value));
        }
        if (!input.getCategories().contains(text)) {
          throw new InvalidInputException(where + ": '" + text + "' is not one of " + input.getCategories());
        }
        return text;
      }
    }
  }

  private static String describe(Object value) {
    if (value instanceof String text) {
      return "the string \"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
    }
    if (value instanceof Map<?, ?>) {
      return "an object";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    return value.getClass().getSimpleName().toLowerCase() + " " + value;
  }
}
