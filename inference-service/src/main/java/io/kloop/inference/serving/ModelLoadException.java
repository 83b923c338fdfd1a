package io.kloop.inference.serving;

/** An approved model version that cannot be served; the version before it keeps serving. */
public class ModelLoadException extends RuntimeException {

  ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
