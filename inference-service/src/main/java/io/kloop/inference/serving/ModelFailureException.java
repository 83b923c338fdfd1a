package io.kloop.inference.serving;

/**
 * The served model failed to answer as its signature says (an output of another kind or shape, a ZipMap
 * without one key per class) or ONNX Runtime failed to run it: a fault of the model, not of the request.
 * Answered with 500 and the reason, so whoever imported the model can see what is wrong with it.
 */
public class ModelFailureException extends RuntimeException {

  public ModelFailureException(String message, Throwable cause) {
    super(message, cause);
  }
}
