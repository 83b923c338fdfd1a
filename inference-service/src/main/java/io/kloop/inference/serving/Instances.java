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
 * categories. Errors name the instance and the feature, and quote at most 100 characters of what the client sent.
 */
public final class Instances {

  private Instances() {}

  public static List<Map<String, Object>> validate(ModelSignature signature, List<Map<String, Object>> instances, String path) {
    if (instances == null || instances.isEmpty()) {
      throw new InvalidInputException(path + ": no instances given");
    }
    int features = signature.getInputs().size();
    List<Map<String, Object>> valid = new ArrayList<>(instances.size());
    for (int i = 0; i < instances.size(); i++) {
      valid.add(validate(signature, features, instances.get(i), path, i));
    }
    return valid;
  }

  /** Error locations are only put together when there is an error: this runs for every value scored. */
  private static Map<String, Object> validate(ModelSignature signature, int features, Map<String, Object> instance, String path, int index) {
    if (instance == null) {
      throw new InvalidInputException(path + "[" + index + "]: an instance must be an object of feature values");
    }
    if (instance.size() > features) {
      throw unknownFeature(signature, instance, path, index);
    }
    Map<String, Object> values = new HashMap<>(instance.size() * 2);
    for (SignatureField input : signature.getInputs()) {
      String name = input.getName();
      Object value = instance.get(name);
      if (value == null && !instance.containsKey(name)) {
        if (instance.size() == features) {
          // As many keys as the model has features, one of them missing: another key is not the model's.
          throw unknownFeature(signature, instance, path, index);
        }
        throw new InvalidInputException(path + "[" + index + "]: missing feature '" + name + "' (send null for a missing value)");
      }
      try {
        values.put(name, value(input, value));
      } catch (InvalidInputException e) {
        throw e.at(path + "[" + index + "]." + name);
      }
    }
    // Every feature found and no more keys than features: no key is unknown.
    return values;
  }

  private static InvalidInputException unknownFeature(ModelSignature signature, Map<String, Object> instance, String path, int index) {
    Set<String> names = new HashSet<>();
    signature.getInputs().forEach(input -> names.add(input.getName()));
    for (String key : instance.keySet()) {
      if (!names.contains(key)) {
        return new InvalidInputException(path + "[" + index + "]: unknown feature " + quoted(key) + "; the model takes "
            + signature.getInputs().stream().map(SignatureField::getName).collect(Collectors.joining(", ")));
      }
    }
    return new InvalidInputException(path + "[" + index + "]: every feature must be given once");
  }

  /**
   * One value, normalised: Double, Boolean or String; null stays null. Numeric inputs take numbers that are
   * finite in the models' 32-bit floats (a larger one would reach the model as infinity), boolean inputs
   * true or false, categorical inputs one of their categories.
   *
   * @throws InvalidInputException saying what is wrong with the value, without where it is (see {@link InvalidInputException#at})
   */
  public static Object value(SignatureField input, Object value) {
    if (value == null) {
      return null;
    }
    if (input.getType() == FeatureType.NUMERIC && value instanceof Double d && Math.abs(d) <= Float.MAX_VALUE) {
      return d;
    }
    switch (input.getType()) {
      case NUMERIC -> {
        if (!(value instanceof Number number)) {
          throw new InvalidInputException("expected a number, got " + describe(value));
        }
        double d = number.doubleValue();
        if (!(Math.abs(d) <= Float.MAX_VALUE)) {
          throw new InvalidInputException(clip(String.valueOf(value), 40) + " is not a finite number of the model's 32-bit floats (at most "
              + Float.MAX_VALUE + " in magnitude)");
        }
        return d;
      }
      case BOOLEAN -> {
        if (!(value instanceof Boolean)) {
          throw new InvalidInputException("expected true or false, got " + describe(value));
        }
        return value;
      }
      default -> {
        if (!(value instanceof String text)) {
          throw new InvalidInputException("expected one of " + input.getCategories() + ", got " + describe(value));
        }
        if (!input.getCategories().contains(text)) {
          throw new InvalidInputException(quoted(text) + " is not one of " + input.getCategories());
        }
        return text;
      }
    }
  }

  /** A name or value a client sent, quoted for a message: at most 100 characters of it. */
  public static String quoted(String text) {
    return "'" + clip(text, 100) + "'";
  }

  private static String clip(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int keep = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, keep) + "... (" + text.length() + " characters)";
  }

  private static String describe(Object value) {
    if (value instanceof String text) {
      return "the string \"" + clip(text, 40) + "\"";
    }
    if (value instanceof Map<?, ?>) {
      return "an object";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    return value.getClass().getSimpleName().toLowerCase() + " " + clip(String.valueOf(value), 40);
  }
}
