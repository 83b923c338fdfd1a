package io.kloop.inference.serving;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import io.kloop.schemas.TextFeatures;
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
 * categories, text inputs a string of at most the input's maxLength characters ({@link TextFeatures}). A
 * numeric input that an imported model takes in an INT64 tensor takes a whole number, and cannot be missing
 * (the tensor has no value for it). Errors name the instance and the feature, and quote at most 100
 * characters of what the client sent.
 */
public final class Instances {

  private Instances() {}

  public static List<Map<String, Object>> validate(ModelSignature signature, List<Map<String, Object>> instances, String path) {
    if (instances == null || instances.isEmpty()) {
      throw new InvalidInputException(path + ": no instances given");
    }
    int features = signature.getInputs().size();
    Set<String> integers = integerFeatures(signature);
    List<Map<String, Object>> valid = new ArrayList<>(instances.size());
    for (int i = 0; i < instances.size(); i++) {
      valid.add(validate(signature, integers, features, instances.get(i), path, i));
    }
    return valid;
  }

  /** The features an imported model takes in INT64 tensors; empty for the platform's own models (no tensors). */
  public static Set<String> integerFeatures(ModelSignature signature) {
    if (signature.getTensors().isEmpty()) {
      return Set.of();
    }
    Set<String> integers = new HashSet<>();
    for (SignatureTensor tensor : signature.getTensors()) {
      if (tensor.getElementType() == TensorElementType.INT64) {
        integers.addAll(tensor.getFeatures());
      }
    }
    return integers;
  }

  /** Error locations are only put together when there is an error: this runs for every value scored. */
  private static Map<String, Object> validate(ModelSignature signature, Set<String> integers, int features, Map<String, Object> instance, String path,
      int index) {
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
        values.put(name, integers.isEmpty() ? value(input, value) : value(input, value, integers.contains(name)));
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
   * One value as {@link #value(SignatureField, Object)} checks it; besides, when the model takes the input as
   * an integer (an INT64 tensor), a whole number that is present.
   *
   * @throws InvalidInputException saying what is wrong with the value, without where it is (see {@link InvalidInputException#at})
   */
  public static Object value(SignatureField input, Object value, boolean integer) {
    Object checked = value(input, value);
    if (integer && input.getType() == FeatureType.NUMERIC) {
      if (checked == null) {
        throw new InvalidInputException("the model takes this feature as an integer (INT64), which cannot be missing: send a whole number");
      }
      double d = (Double) checked;
      if (d != Math.rint(d) || Math.abs(d) > 0x1p53) {
        throw new InvalidInputException(clip(String.valueOf(value), 40) + " is not a whole number, and the model takes this feature as an integer "
            + "(INT64; at most 2^53 in magnitude)");
      }
    }
    return checked;
  }

  /**
   * One value, normalised: Double, Boolean or String; null stays null. Numeric inputs take numbers that are
   * finite in the models' 32-bit floats (a larger one would reach the model as infinity), boolean inputs
   * true or false, categorical inputs one of their categories, text inputs strings of at most their maxLength
   * characters.
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
      case TEXT -> {
        if (!(value instanceof String text)) {
          throw new InvalidInputException("expected a text (a string), got " + describe(value));
        }
        int maxLength = TextFeatures.maxLength(input);
        if (TextFeatures.tooLong(text, maxLength)) {
          throw new InvalidInputException("a text of " + TextFeatures.length(text) + " characters; this feature takes at most " + maxLength);
        }
        return text;
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
