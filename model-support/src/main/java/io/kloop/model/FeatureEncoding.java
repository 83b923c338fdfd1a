package io.kloop.model;

import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.SignatureField;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a record's feature values become one row of a model's input tensor, as the model's
 * {@link ModelSignature} prescribes. Every service that feeds a model uses this one class, so training,
 * the champion's evaluation and serving cannot encode differently.
 *
 * <p>Columns, in signature order: a numeric input is one column (its value); a boolean input is one column
 * (1 or 0); a categorical input is one column per category, in the signature's order (one-hot: 1 for the
 * record's category, 0 for the others); a text input is {@code hashBuckets} columns of hashed term
 * frequencies ({@link TextTokens#encodeInto}). A missing numeric or boolean value is NaN, which the model
 * graph replaces by the training mean; a missing categorical or text value is all zeros.
 *
 * <p>This is the encoding of models the platform trained ({@code ModelSignature.tensors} empty); models that
 * take raw tensors (imports) are fed by {@link OnnxClassifier} directly.
 */
public final class FeatureEncoding {

  private final List<SignatureField> inputs;
  private final List<String> columns = new ArrayList<>();
  /** Where each input's columns start, in input order, with the width as the last entry. */
  private final int[] starts;

  public FeatureEncoding(ModelSignature signature) {
    this.inputs = List.copyOf(signature.getInputs());
    this.starts = new int[inputs.size() + 1];
    for (int i = 0; i < inputs.size(); i++) {
      SignatureField input = inputs.get(i);
      starts[i] = columns.size();
      if (input.getType() == FeatureType.CATEGORICAL) {
        input.getCategories().forEach(category -> columns.add(input.getName() + "=" + category));
      } else if (input.getType() == FeatureType.TEXT) {
        for (int bucket = 0; bucket < input.getHashBuckets(); bucket++) {
          columns.add(input.getName() + "#" + bucket);
        }
      } else {
        columns.add(input.getName());
      }
    }
    starts[inputs.size()] = columns.size();
  }

  /** The first column of the input at {@code index} (in signature order). */
  public int firstColumn(int index) {
    return starts[index];
  }

  /** One past the last column of the input at {@code index} (in signature order). */
  public int endColumn(int index) {
    return starts[index + 1];
  }

  /** Width of the input tensor's last dimension. */
  public int width() {
    return columns.size();
  }

  /**
   * Column names in tensor order: the feature name, {@code feature=category} for one-hot columns, or
   * {@code feature#bucket} for a text input's hashed columns.
   */
  public List<String> columns() {
    return List.copyOf(columns);
  }

  /**
   * Encodes one record. Values are expected to be valid already (numbers for numeric inputs, booleans for
   * boolean ones, a declared category for categorical ones); anything else is treated as missing.
   */
  public float[] encode(Map<String, ?> features) {
    float[] row = new float[columns.size()];
    int column = 0;
    for (SignatureField input : inputs) {
      Object value = features.get(input.getName());
      switch (input.getType()) {
        case NUMERIC -> row[column++] = value instanceof Number number ? number.floatValue() : Float.NaN;
        case BOOLEAN -> row[column++] = value instanceof Boolean flag ? (flag ? 1f : 0f) : Float.NaN;
        case CATEGORICAL -> {
          int index = value == null ? -1 : input.getCategories().indexOf(value.toString());
          if (index >= 0) {
            row[column + index] = 1f;
          }
          column += input.getCategories().size();
        }
        case TEXT -> {
          if (value instanceof CharSequence text) {
            TextTokens.encodeInto(text.toString(), input.getHashBuckets(), row, column);
          }
          column += input.getHashBuckets();
        }
      }
    }
    return row;
  }

  public float[][] encodeAll(List<? extends Map<String, ?>> records) {
    float[][] rows = new float[records.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = encode(records.get(i));
    }
    return rows;
  }
}
