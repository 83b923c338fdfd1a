package io.kloop.inference.serving;

import io.kloop.events.ModelSignature;
import io.kloop.events.FeatureType;
import io.kloop.events.SignatureField;
import io.kloop.schemas.TextFeatures;

/**
 * How many bytes a model version's names (and its version number) take at most in a JSON answer (quoted and
 * escaped, UTF-8), computed once per loaded version, so that the size of an answer and of the prediction log's
 * events can be bounded before they are made (see {@link RequestBudget}).
 *
 * @param classes the number of output classes
 * @param classNames the bytes of all class names together
 * @param longestClassName the bytes of the longest class name
 * @param features the number of input features
 * @param featureNames the bytes of all feature names together
 * @param categoryValues the bytes of the longest category of every categorical feature, together
 * @param textFeatures the number of text features: in an Avro event each text takes its length (at most three
 *     bytes for up to {@link TextFeatures#MAX_LENGTH_LIMIT} characters) beside its UTF-8 bytes, which are never
 *     more than the text took in the request (see {@link LogBudget}); texts are not in answers
 * @param probabilityTensor the bytes of the probability tensor's name
 * @param version the bytes of the version number
 */
public record NameSizes(int classes, long classNames, long longestClassName, int features, long featureNames, long categoryValues,
    int textFeatures, long probabilityTensor, int version) {

  /** The sizes of a version of a model with this signature. */
  public static NameSizes of(ModelSignature signature, int version) {
    long classNames = 0;
    long longest = 0;
    for (String name : signature.getOutputClasses()) {
      long bytes = jsonBytes(name);
      classNames += bytes;
      longest = Math.max(longest, bytes);
    }
    long featureNames = 0;
    long categoryValues = 0;
    int textFeatures = 0;
    for (SignatureField input : signature.getInputs()) {
      if (input.getType() == FeatureType.TEXT) {
        textFeatures++;
      }
      featureNames += jsonBytes(input.getName());
      long longestCategory = 0;
      if (input.getCategories() != null) {
        for (String category : input.getCategories()) {
          longestCategory = Math.max(longestCategory, jsonBytes(category));
        }
      }
      categoryValues += longestCategory;
    }
    return new NameSizes(signature.getOutputClasses().size(), classNames, longest, signature.getInputs().size(), featureNames, categoryValues,
        textFeatures, jsonBytes(signature.getProbabilityTensor()), String.valueOf(version).length());
  }

  /**
   * At most how many bytes the text takes as a JSON string: its quotes, one byte per printable ASCII
   * character, two for an escaped quote or backslash, and six for anything else (the longest a JSON writer
   * makes of one UTF-16 character: a {@code \\u00XX} escape, three bytes of UTF-8, or half a surrogate pair).
   */
  public static long jsonBytes(String text) {
    long bytes = 2;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c == '"' || c == '\\' ? 2 : c >= 0x20 && c < 0x7f ? 1 : 6;
    }
    return bytes;
  }
}
