package io.kloop.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kloop.events.ModelSignature;
import java.util.Map;
import java.util.Optional;

/**
 * An ONNX classifier run by ONNX Runtime: float rows in (encoded by {@link FeatureEncoding}), class
 * probabilities out, in the order of the signature's output classes. Thread-safe; close it to free the
 * native session.
 */
public final class OnnxClassifier implements AutoCloseable {

  static {
    OnnxNativeLibraries.prepare();
  }

  private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  /**
   * Metadata key under which an exported model says that its class scores are additive in its inputs
   * ({@value #ADDITIVE_VALUE}), so each feature's contribution can be read off by setting it to its
   * training mean. See {@link #additive()}.
   */
  public static final String ADDITIVE_KEY = "kloop.additive-scores";
  public static final String ADDITIVE_VALUE = "true";

  private final ModelSignature signature;
  private final FeatureEncoding encoding;
  private final boolean additive;

  private OnnxClassifier(OrtSession session, ModelSignature signature, boolean additive) {
    this.session = session;
    this.signature = signature;
    this.encoding = new FeatureEncoding(signature);
    this.additive = additive;
  }

  /**
   * Loads a model from its bytes.
   *
   * @throws ModelLoadException when ONNX Runtime cannot load it or its tensors do not match the signature
   */
  public static OnnxClassifier load(byte[] model, ModelSignature signature) {
    OrtSession session;
    // The environment first: ONNX Runtime crashes the JVM when session options are made before it exists.
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      session = environment.createSession(model, options);
    } catch (OrtException e) {
      throw new ModelLoadException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
    String problem = null;
    if (!session.getInputNames().contains(signature.getInputTensor())) {
      problem = "the model has no input tensor '" + signature.getInputTensor() + "' (it has " + session.getInputNames() + ")";
    } else if (!session.getOutputNames().contains(signature.getProbabilityTensor())) {
      problem = "the model has no output tensor '" + signature.getProbabilityTensor() + "' (it has " + session.getOutputNames() + ")";
    }
    boolean additive;
    try {
      additive = ADDITIVE_VALUE.equals(session.getMetadata().getCustomMetadata().get(ADDITIVE_KEY));
    } catch (OrtException e) {
      problem = "ONNX Runtime cannot read the model's metadata: " + e.getMessage();
      additive = false;
    }
    if (problem != null) {
      closeQuietly(session);
      throw new ModelLoadException(problem, null);
    }
    return new OnnxClassifier(session, signature, additive);
  }

  public ModelSignature signature() {
    return signature;
  }

  public FeatureEncoding encoding() {
    return encoding;
  }

  /**
   * Whether the model declares (metadata {@value #ADDITIVE_KEY}) that its class scores are additive in its
   * inputs and that the graph replaces a missing (NaN) input column by its training mean: the log-odds of
   * each class for two classes, the centred log-probabilities ({@code log p_c - mean_k log p_k}) for more.
   * Linear models with a softmax (or, for two classes, a sigmoid) output are; trees and factorization
   * machines are not.
   */
  public boolean additive() {
    return additive;
  }

  /** Class probabilities per row, each in the order of {@link ModelSignature#getOutputClasses()}. */
  public float[][] probabilities(float[][] rows) {
    if (rows.length == 0) {
      return new float[0][];
    }
    try (OnnxTensor input = OnnxTensor.createTensor(environment, rows);
         OrtSession.Result result = session.run(Map.of(signature.getInputTensor(), input))) {
      Optional<OnnxValue> output = result.get(signature.getProbabilityTensor());
      float[][] probabilities = (float[][]) output.orElseThrow().getValue();
      if (probabilities.length != rows.length || probabilities[0].length != signature.getOutputClasses().size()) {
        throw new IllegalStateException("the model returned " + probabilities.length + "x" + probabilities[0].length
            + " probabilities for " + rows.length + " rows and " + signature.getOutputClasses().size() + " classes");
      }
      return probabilities;
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to run the model: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    closeQuietly(session);
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      // nothing left to do with a session that cannot close
    }
  }

  /** A model file that cannot be served. */
  public static final class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
